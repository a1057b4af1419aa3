import type { DrfErrors } from '../contract/drf-errors.js';

/** A request as any adapter sees it: no framework types, so the core runs in Node, a browser or a worker alike. */
export interface MockRequest {
  method: string;
  /** Path with query string (`/api/v3/core/groups/?page=2`), or an absolute URL. */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body?: Uint8Array | string;
  /** Aborted when the client gives up: ends forced delays and held (`network=timeout`) requests early. */
  signal?: AbortSignal;
}

export interface MockResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text; absent for 204. */
  body?: string;
  /** A forced network failure (see scenarios.ts): the adapter drops the connection instead of answering. */
  network?: 'reset' | 'timeout';
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): MockResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export const noContent = (status = 204): MockResponse => ({ status, headers: {} });
export const detail = (status: number, message: string, headers?: Record<string, string>) => json(status, { detail: message }, headers);
export const validationError = (errors: DrfErrors) => json(400, errors);

export const DETAILS = {
  notProvided: 'Authentication credentials were not provided.',
  unsupportedAuth: 'Unsupported authentication type',
  malformed: 'Malformed header',
  invalidToken: 'Token invalid/expired',
  forbidden: 'You do not have permission to perform this action.',
  notFound: 'Not found.',
  invalidPage: 'Invalid page.',
} as const;

export const notFoundFor = (modelName: string) => detail(404, modelName ? `No ${modelName} matches the given query.` : DETAILS.notFound);
export const forbidden = () => detail(403, DETAILS.forbidden);

export function isMockResponse(value: unknown): value is MockResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MockResponse).status === 'number' &&
    typeof (value as MockResponse).headers === 'object'
  );
}
