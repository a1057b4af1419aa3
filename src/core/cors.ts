import type { Answer, IncomingRequest } from './http.js';

/** Origins allowed to call the mock from a page elsewhere: a list (`http://localhost:5173`), or `*` for any. */
export type CorsOrigins = readonly string[] | '*';

const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
/** Asked for when a preflight names none: what authentik's clients send. */
const DEFAULT_HEADERS = 'authorization, content-type, prefer';

function allowed(origin: string | null, origins: CorsOrigins | undefined): origin is string {
  return !!origin && !!origins && (origins === '*' || origins.includes(origin));
}

/**
 * The answer to a CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`), given before any
 * authentication, as a dev server gives it; undefined when the request is not one.
 */
export function preflight(request: IncomingRequest, origins: CorsOrigins | undefined): Answer | undefined {
  if (!origins || request.method !== 'OPTIONS' || !request.headers.has('access-control-request-method')) return undefined;
  const origin = request.headers.get('origin');
  if (!allowed(origin, origins)) return { status: 403, headers: { vary: 'Origin' }, body: '' };
  return {
    status: 204,
    headers: {
      ...corsHeaders(origin, origins),
      'access-control-allow-methods': METHODS,
      'access-control-allow-headers': request.headers.get('access-control-request-headers') ?? DEFAULT_HEADERS,
      'access-control-max-age': '600',
    },
  };
}

/** Headers that let the calling page read the answer: every answer, errors included. */
export function corsHeaders(origin: string | null, origins: CorsOrigins | undefined): Record<string, string> {
  if (!allowed(origin, origins)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'allow, location',
    vary: 'Origin',
  };
}
