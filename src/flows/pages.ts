/**
 * Answers outside the API that are Django's rather than DRF's: redirects, and the HTML error pages authentik renders
 * (authentik/root/urls.py `handler400`/`handler404` → authentik/core/views/error.py, template `if/error.html`).
 */
import type { Answer } from '../core/http.js';

const HTML = 'text/html; charset=utf-8';

/** Text made safe inside HTML elements and quoted attributes. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** authentik's error page for a status (its title: "Not Found", "Bad Request"…), as HTML. */
export function errorPage(status: number, title: string, message = ''): Answer {
  const body = `<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <title>${escapeHtml(title)} - authentik</title>\n</head>\n<body>\n  <h1>${escapeHtml(title)}</h1>${message ? `\n  <p>${escapeHtml(message)}</p>` : ''}\n</body>\n</html>\n`;
  return { status, headers: { 'content-type': HTML }, body };
}

export const notFoundPage = () => errorPage(404, 'Not Found');

/** Django's `View.http_method_names`, in its order: how `View._allowed_methods` lists a view's methods. */
const VIEW_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];

/**
 * Django's `View.dispatch` for a method the view has no handler of its own for: `View.options` (200, empty, with
 * `Allow`) or `HttpResponseNotAllowed` (405), both naming the methods as `View._allowed_methods` does (HEAD where GET
 * is a handler, OPTIONS always); undefined when a handler of the view takes it (HEAD is GET's).
 */
export function unhandledMethod(method: string, handlers: readonly string[]): Answer | undefined {
  const handles = (m: string) => handlers.includes(m) || (m === 'HEAD' && handlers.includes('GET'));
  if (handles(method)) return undefined;
  const allow = VIEW_METHODS.filter((m) => handles(m) || m === 'OPTIONS').join(', ');
  return { status: method === 'OPTIONS' ? 200 : 405, headers: { 'content-type': HTML, allow }, body: '' };
}

/** A plain redirect (Django's HttpResponseRedirect, 302), with any Set-Cookie values. */
export function redirectTo(location: string, cookies: string[] = []): Answer {
  return {
    status: 302,
    headers: { location, 'content-type': HTML },
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
