import { isPlainObject } from '../contract/types.js';

export const DEFAULT_URL_TIMEOUT_MS = 30_000;

/** drf-spectacular answers YAML by default; JSON is just as welcome. */
const ACCEPT = 'application/vnd.oai.openapi, application/yaml;q=0.9, application/json;q=0.9, text/plain;q=0.5, */*;q=0.1';

export function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

export interface FetchTextOptions {
  /** For the whole exchange, body included. */
  timeoutMs: number;
  maxBytes: number;
  /** Sent as `Authorization: Bearer …` (authentik may require a token for its schema). */
  token?: string;
}

/** The body of a 2xx answer as text; otherwise throws a one-line reason (no connection, timeout, HTTP status, size). */
export async function fetchText(url: string, options: FetchTextOptions): Promise<string> {
  const headers: Record<string, string> = { accept: ACCEPT };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(url, { headers, signal, redirect: 'follow' });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    return await readCapped(response, options.maxBytes);
  } catch (error) {
    throw new Error(fetchFailure(error, options.timeoutMs));
  }
}

/** Reads the body but stops at `maxBytes`: a wrong URL can point at something endless. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = `the answer is larger than ${maxBytes / 1024 / 1024} MiB`;
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) throw new Error(tooLarge);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(tooLarge);
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** fetch's own errors say "fetch failed"; the useful part is the cause's code or the timeout. */
function fetchFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause: unknown = error.cause;
  if (isPlainObject(cause)) {
    if (typeof cause['code'] === 'string') return `cannot connect (${cause['code']})`;
    if (typeof cause['message'] === 'string' && cause['message'] !== '') return `cannot fetch (${cause['message']})`;
  }
  return error.message;
}
