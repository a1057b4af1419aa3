import type { MockServer } from '../../src/mock-server.js';
import { parseBody } from '../../src/harness/http-client.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

export interface RequestOptions {
  /** Bearer key; null sends no Authorization header. */
  token?: string | null;
  /** A whole Authorization header, instead of `token`. */
  authorization?: string;
  json?: unknown;
  raw?: string | Uint8Array;
  form?: FormData;
  contentType?: string;
}

export type Requester = (method: string, path: string, options?: RequestOptions) => Promise<Reply>;

export interface MockUnderTest {
  name: string;
  request: Requester;
  mock: MockServer;
  close: () => Promise<void>;
}

/** Headers and body bytes of a request, encoded the way a client would send them. */
export async function encode(options: RequestOptions): Promise<{ headers: Record<string, string>; body?: Uint8Array }> {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  else if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: Uint8Array | undefined;
  if (options.form) {
    const request = new Request('http://encode.invalid/', { method: 'POST', body: options.form });
    headers['content-type'] = request.headers.get('content-type')!;
    body = new Uint8Array(await request.arrayBuffer());
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = new TextEncoder().encode(JSON.stringify(options.json));
  } else if (options.raw !== undefined) {
    body = typeof options.raw === 'string' ? new TextEncoder().encode(options.raw) : options.raw;
  }
  if (options.contentType) headers['content-type'] = options.contentType;
  return body ? { headers, body } : { headers };
}

function reply(status: number, headers: Record<string, string>, text: string): Reply {
  return { status, headers, body: parseBody(text), text };
}

/** Talks to any HTTP origin with fetch (the Express server, or MSW intercepting fetch). */
export function fetchRequester(origin: string): Requester {
  return async (method, path, options = {}) => {
    const { headers, body } = await encode(options);
    const response = await fetch(`${origin}${path}`, { method, headers, body: body as BodyInit | undefined });
    return reply(response.status, Object.fromEntries(response.headers), await response.text());
  };
}

/** Calls the framework-free core directly. */
export function coreRequester(mock: MockServer): Requester {
  return async (method, path, options = {}) => {
    const { headers, body } = await encode(options);
    const response = await mock.fetch(path, { method, headers, body: body as BodyInit | undefined });
    return reply(response.status, Object.fromEntries(response.headers), await response.text());
  };
}

/**
 * The core as a global-`fetch`-like function for the harness: a forced network failure (`Response.error()`) rejects,
 * as a dropped connection does for a real fetch.
 */
export function fetchOf(mock: MockServer): (url: string, init: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const response = await mock.fetch(url, init);
    if (response.type === 'error') throw new TypeError('fetch failed');
    return response;
  };
}
