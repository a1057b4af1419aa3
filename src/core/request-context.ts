import type { RawQuery } from '../contract/query-parameters.js';
import type { IncomingRequest } from './http.js';

/**
 * The facts of one request, worked out once and passed down (Hono's `c`): the method, the URL parsed once, its
 * query, the cookies. Handlers read the request through it, never parse it again.
 */
export class RequestContext {
  readonly method: string;
  /** The path, and the query with its `?` (or ''), as the URL parser gives them. */
  readonly path: string;
  private readonly search: string;
  private parsedUrl: URL | undefined;
  private parsedQuery: RawQuery | undefined;
  private parsedCookies: Map<string, string> | undefined;

  constructor(readonly request: IncomingRequest) {
    this.method = request.method.toUpperCase();
    ({ path: this.path, search: this.search } = pathAndQuery(request.url));
  }

  /** The URL parsed (host, origin, protocol); the path and query are read without it. */
  get url(): URL {
    return (this.parsedUrl ??= new URL(this.request.url));
  }

  get headers(): IncomingRequest['headers'] {
    return this.request.headers;
  }

  /** Query parameters, each with every value given (`?a=1&a=2`). */
  get query(): RawQuery {
    if (!this.parsedQuery) {
      const query = Object.create(null) as RawQuery;
      for (const [key, value] of new URLSearchParams(this.search)) (query[key] ??= []).push(value);
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

/** A path and query of characters the URL parser keeps as they are (no dot segment, nothing it would encode). */
const PLAIN_PATH_AND_QUERY = /^(\/[\w\-.~!$&()*+,;=:@/%]*)(\?[\w\-.~!$&()*+,;=:@/%?]*)?$/;
const DOT_SEGMENT = /\/(?:\.|%2e)/i;

/** The path and query (with its `?`, or '') of an absolute URL, as the URL parser reads them. */
export function pathAndQuery(url: string): { path: string; search: string } {
  const plain = plainPathAndQuery(url);
  if (plain) return plain;
  const parsed = new URL(url);
  return { path: parsed.pathname, search: parsed.search };
}

/**
 * The path and query of an absolute URL read off the text, when `new URL` would give them unchanged: most requests,
 * on every request; anything else (dot segments, characters to encode, a fragment) is left to the parser.
 */
function plainPathAndQuery(url: string): { path: string; search: string } | undefined {
  const authority = url.indexOf('//') + 2;
  // The authority ends at the first '/', '?', '#' or backslash: only a '/' there starts the path as it is written.
  const end = authority < 2 ? -1 : url.slice(authority).search(/[/?#\\]/);
  if (end < 0 || url[authority + end] !== '/') return undefined;
  const plain = PLAIN_PATH_AND_QUERY.exec(url.slice(authority + end));
  if (!plain || DOT_SEGMENT.test(plain[1]!)) return undefined;
  const search = plain[2] ?? '';
  return { path: plain[1]!, search: search === '?' ? '' : search };
}

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
