import type { RawQuery } from '../contract/query-parameters.js';
import type { IncomingRequest } from './http.js';

/**
 * The facts of one request, worked out once and passed down (Hono's `c`): the method, the URL parsed once, its
 * query, the cookies. Handlers read the request through it, never parse it again.
 */
export class RequestContext {
  readonly method: string;
  readonly url: URL;
  private parsedQuery: RawQuery | undefined;
  private parsedCookies: Map<string, string> | undefined;

  constructor(readonly request: IncomingRequest) {
    this.method = request.method.toUpperCase();
    this.url = new URL(request.url);
  }

  get path(): string {
    return this.url.pathname;
  }

  get headers(): IncomingRequest['headers'] {
    return this.request.headers;
  }

  /** Query parameters, each with every value given (`?a=1&a=2`). */
  get query(): RawQuery {
    if (!this.parsedQuery) {
      const query = Object.create(null) as RawQuery;
      for (const [key, value] of this.url.searchParams) (query[key] ??= []).push(value);
      this.parsedQuery = query;
    }
    return this.parsedQuery;
  }

  /** A cookie's value (the first of that name), decoded. */
  cookie(name: string): string | undefined {
    if (!this.parsedCookies) this.parsedCookies = parseCookies(this.headers.get('cookie'));
    return this.parsedCookies.get(name);
  }

  /** Whether the method may change state (DRF's unsafe methods: what CSRF protects). */
  get unsafe(): boolean {
    return !SAFE_METHODS.has(this.method);
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** `a=1; b=2` → a Map; a pair that is not `name=value`, or whose value is not valid percent-encoding, is left as sent. */
export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (cookies.has(name)) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}
