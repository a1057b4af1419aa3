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

/**
 * A path and query of characters the URL parser keeps as they are (no dot segment, nothing it would encode). Sticky:
 * tried from where the path starts, without a copy of the rest of the URL.
 */
const PLAIN_PATH_AND_QUERY = /\/[\w\-.~!$&()*+,;=:@/%]*(?:\?[\w\-.~!$&()*+,;=:@/%?]*)?$/y;
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
 * on every request (so it makes no string it does not return); anything else (dot segments, characters to encode, a
 * fragment) is left to the parser.
 */
function plainPathAndQuery(url: string): { path: string; search: string } | undefined {
  const start = pathStart(url);
  if (start < 0) return undefined;
  PLAIN_PATH_AND_QUERY.lastIndex = start;
  if (!PLAIN_PATH_AND_QUERY.test(url)) return undefined;
  const mark = url.indexOf('?', start);
  const path = mark < 0 ? url.slice(start) : url.slice(start, mark);
  if (DOT_SEGMENT.test(path)) return undefined;
  // A lone `?` is no query to the parser.
  return { path, search: mark < 0 || mark === url.length - 1 ? '' : url.slice(mark) };
}

/** Where the path starts: the authority ends at the first '/', '?', '#' or backslash, and only a '/' there starts a path as written (-1: none). */
function pathStart(url: string): number {
  const authority = url.indexOf('//') + 2;
  if (authority < 2) return -1;
  for (let i = authority; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === SLASH) return i;
    if (code === QUESTION_MARK || code === HASH || code === BACKSLASH) return -1;
  }
  return -1;
}

const [SLASH, QUESTION_MARK, HASH, BACKSLASH] = ['/', '?', '#', '\\'].map((c) => c.charCodeAt(0));

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
