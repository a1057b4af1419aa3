import { cookiesOf, type IncomingRequest } from '../core/http.js';

/**
 * In a browser, MSW answers from the page, and a page's `fetch` cannot carry cookies the way a browser sends them:
 * `Cookie` is a forbidden request header (MSW's Request never has it; MSW reads the page's cookies for same-origin
 * requests, or any with `credentials: 'include'`, and hands them over separately), and `Set-Cookie` is a forbidden
 * response header (never applied from a mocked answer). So the page's cookies are given to the core as the request's
 * `Cookie`, and the cookies the core sets are written to the page's cookies. A page cannot set an HttpOnly cookie:
 * the session cookie is an ordinary page cookie, readable by the page's scripts — the one difference from authentik.
 * In Node, requests carry their `Cookie` header and the Response keeps its `Set-Cookie` headers for the client.
 */

/** The request with the cookies MSW found for it as its `Cookie` header (when it carries none of its own). */
export function withPageCookies(request: Request, cookies: Record<string, string>): IncomingRequest {
  const names = Object.keys(cookies);
  if (request.headers.has('cookie') || names.length === 0) return request;
  const header = names.map((name) => `${name}=${encodeURIComponent(cookies[name]!)}`).join('; ');
  const isCookie = (name: string) => name.toLowerCase() === 'cookie';
  return {
    method: request.method,
    url: request.url,
    signal: request.signal,
    get body() {
      return request.body;
    },
    headers: {
      get: (name) => (isCookie(name) ? header : request.headers.get(name)),
      has: (name) => isCookie(name) || request.headers.has(name),
    },
  };
}

/** Writes the cookies an answer sets to the page's cookies (in a browser; nothing in Node). */
export function keepCookiesInPage(response: Response): void {
  if (typeof document === 'undefined') return;
  for (const cookie of cookiesOf(response)) document.cookie = cookie.replace(/;\s*HttpOnly/gi, '');
}
