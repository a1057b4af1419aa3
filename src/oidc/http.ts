import type { Answer } from '../core/http.js';
import { readBody } from '../core/request-body.js';
import type { RequestContext } from '../core/request-context.js';
import { b64decodeUtf8, pyJson } from './python.js';

/** A request's parameters as Django's QueryDict gives them: `.get(name)` is the last value of that name. */
export type Params = ReadonlyMap<string, string>;

export function lastValues(entries: Iterable<readonly [string, string]>): Params {
  const params = new Map<string, string>();
  for (const [key, value] of entries) params.set(key, value);
  return params;
}

/** `request.GET`. */
export const queryParams = (context: RequestContext): Params => lastValues(context.url.searchParams);

/**
 * `request.POST`: the body's fields when it is a form (url-encoded or multipart), else none, as Django parses it.
 * Read through the platform's own form parser (`Response.formData`); a body that is no form gives no fields.
 */
export async function formParams(context: RequestContext): Promise<Params> {
  const type = context.headers.get('content-type') ?? '';
  if (context.method !== 'POST' || !/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) return new Map();
  const bytes = await readBody(context.request);
  try {
    const form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': type } }).formData();
    return lastValues([...form].flatMap(([key, value]) => (typeof value === 'string' ? [[key, value] as const] : [])));
  } catch {
    return new Map();
  }
}

/**
 * The client's credentials (authentik/providers/oauth2/utils.py `extract_client_auth`): `Authorization: Basic
 * base64(id:secret)`, else the form's `client_id` and `client_secret`. A Basic header that is no base64 of UTF-8
 * gives empty credentials, as `b64decode` failing does.
 */
export function clientAuth(context: RequestContext, form: Params): { clientId: string; clientSecret: string } {
  const header = context.headers.get('authorization') ?? '';
  if (/^Basic\s.+$/.test(header)) {
    const decoded = b64decodeUtf8(header.split(/\s+/)[1] ?? '');
    if (decoded === undefined) return { clientId: '', clientSecret: '' };
    const colon = decoded.indexOf(':');
    return colon < 0
      ? { clientId: decoded, clientSecret: '' }
      : { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
  }
  return { clientId: form.get('client_id') ?? '', clientSecret: form.get('client_secret') ?? '' };
}

/** `scheme://host` of the request as Django builds absolute URLs (`X-Forwarded-Proto: https` makes it secure). */
export function originOf(context: RequestContext): string {
  const forwarded = (context.headers.get('x-forwarded-proto') ?? '').split(',')[0]?.trim().toLowerCase();
  const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : context.url.protocol.slice(0, -1);
  return `${scheme}://${context.url.host}`;
}

const HTML = { 'content-type': 'text/html; charset=utf-8' } as const;

/** `TokenResponse` (authentik/providers/oauth2/utils.py): JSON, never cached. */
export function tokenResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
    body: pyJson(body),
  };
}

/** `JsonResponse(body, json_dumps_params={"indent": 2})`: the discovery document. */
export function indentedJson(body: unknown, headers: Record<string, string> = {}): Answer {
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: pyJson(body, 2) };
}

/** An empty answer with a status (authentik's `HttpResponse(status=…)`). */
export function empty(status: number, headers: Record<string, string> = {}): Answer {
  return { status, headers: { ...HTML, ...headers }, body: '' };
}

/**
 * `cors_allow(request, response, *allowed_origins)`: an `Origin` with the scheme, host and port of one of the
 * provider's redirect URIs (or any, on OPTIONS) is allowed, with credentials.
 */
export function corsAllow(context: RequestContext, answer: Answer, allowedOrigins: readonly string[]): Answer {
  const origin = context.headers.get('origin');
  if (!origin) return answer;
  const received = parseUrl(origin);
  const allowed =
    context.method === 'OPTIONS' ||
    allowedOrigins.some((candidate) => {
      const url = parseUrl(candidate);
      return !!url && !!received && url.protocol === received.protocol && url.hostname === received.hostname && url.port === received.port;
    });
  if (!allowed) return answer;
  const headers: Record<string, string> = {
    ...answer.headers,
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
  };
  if (context.method === 'OPTIONS') {
    const requested = context.headers.get('access-control-request-headers');
    if (requested) headers['access-control-allow-headers'] = requested;
    headers['access-control-allow-methods'] = 'GET, POST, OPTIONS, PUT, PATCH, DELETE';
  }
  return { ...answer, headers };
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
