/**
 * Answers outside the API that are Django's rather than DRF's: redirects, and the HTML error pages authentik renders
 * (authentik/root/urls.py `handler400`/`handler404` → authentik/core/views/error.py, template `if/error.html`).
 */
import type { Answer } from '../core/http.js';

/** Text made safe inside HTML elements and quoted attributes. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** authentik's error page for a status (its title: "Not Found", "Bad Request"…), as HTML. */
export function errorPage(status: number, title: string, message = ''): Answer {
  const body = `<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <title>${escapeHtml(title)} - authentik</title>\n</head>\n<body>\n  <h1>${escapeHtml(title)}</h1>${message ? `\n  <p>${escapeHtml(message)}</p>` : ''}\n</body>\n</html>\n`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

export const notFoundPage = () => errorPage(404, 'Not Found');

/** A plain redirect (Django's HttpResponseRedirect, 302), with any Set-Cookie values. */
export function redirectTo(location: string, cookies: string[] = []): Answer {
  return {
    status: 302,
    headers: { location, 'content-type': 'text/html; charset=utf-8' },
    body: '',
    ...(cookies.length > 0 ? { cookies } : {}),
  };
}

/**
 * Django refuses to redirect to a URL whose scheme is not http, https or ftp (HttpResponseRedirectBase:
 * DisallowedRedirect, answered 400): `javascript:`, `data:`… never leave the mock as a redirect.
 */
export function allowedRedirect(url: string): boolean {
  const scheme = /^\s*([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'http' || scheme === 'https' || scheme === 'ftp';
}
