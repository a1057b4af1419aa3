import { DETAILS } from '../contract/authentik-messages.js';
import type { DrfErrors } from '../contract/drf-errors.js';

/**
 * What the core answers before it becomes a web `Response` (MockCore.fetch makes that, once, at the boundary):
 * a status, headers, and a body (JSON text for the API; the console's files; absent for 204 and HEAD).
 */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or a stream of it for an answer too large to hold at once (a dump). */
  body?: string | ReadableStream<Uint8Array>;
  /** A forced network failure (see scenarios.ts): `Response.error()`, which adapters turn into a dropped connection. */
  network?: 'reset' | 'timeout';
  /** `Set-Cookie` values, one header each (a Record cannot hold the same header twice). */
  cookies?: string[];
  /** authentik's pages outside the API decide their CORS headers themselves (OAuth2's cors_allow): none are added. */
  ownCors?: boolean;
}

/**
 * The members of a web `Request` the core reads. A real `Request` is one (MSW passes its own); the Express bridge
 * passes a view over Node's request that has just these, which costs a fraction of constructing a `Request`.
 */
export interface IncomingRequest {
  readonly method: string;
  /** Absolute URL. */
  readonly url: string;
  readonly headers: Pick<Headers, 'get' | 'has'>;
  /** Read only by a scenario that waits: aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** Read only when an operation needs the body. */
  readonly body: ReadableStream<Uint8Array> | null;
  /**
   * Who is asking, for per-client limits (held answers): the client's address, as an adapter serving over a network
   * knows it (the Express bridge sets it). Absent in process (MSW, `mock.fetch`): the developer is the only client.
   */
  readonly client?: string | undefined;
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** An answer whose JSON text is already made (records' kept texts). */
export function jsonText(status: number, text: string): Answer {
  return { status, headers: { ...JSON_HEADERS }, body: text };
}

export const noContent = (status = 204): Answer => ({ status, headers: {} });

/** JSON text given in pieces, sent in chunks of about 64 KiB as the client reads them (never held whole). */
export function jsonStream(status: number, pieces: Iterator<string>): Answer {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let chunk = '';
        for (let next = pieces.next(); ; next = pieces.next()) {
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            return controller.close();
          }
          chunk += next.value;
          if (chunk.length >= 65_536) return controller.enqueue(encoder.encode(chunk));
        }
      },
    },
    { highWaterMark: 0 },
  );
  return { status, headers: { ...JSON_HEADERS }, body };
}

/**
 * Every failure of a request, thrown wherever it is found (auth, routing, parsing, validation, permissions) and
 * answered by MockCore with its status and DRF-shaped body. Nothing else in the core signals an error response.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'HttpError';
  }

  toAnswer(): Answer {
    return json(this.status, this.body, this.headers);
  }
}

/** `{"detail": message}` with the status: DRF's APIException body. */
export const httpError = (status: number, message: string, headers?: Record<string, string>) =>
  new HttpError(status, { detail: message }, headers);

/** A 400 with DRF's field → messages body. */
export const validationError = (errors: DrfErrors) => new HttpError(400, errors);

export const forbidden = () => httpError(403, DETAILS.forbidden);

/** Django's 404 for a queryset lookup: named after the model when the view knows it. */
export const notFound = (modelName = '') => httpError(404, modelName ? DETAILS.noMatch(modelName) : DETAILS.notFound);

export const methodNotAllowed = (method: string, allowed: readonly string[]) =>
  httpError(405, DETAILS.methodNotAllowed(method), { allow: allowed.join(', ') });

export const unsupportedMediaType = (header: string | undefined) => httpError(415, DETAILS.unsupportedMediaType(header ?? ''));

/** What the core made each Response from: what a Node bridge can write without reading the Response back. */
const heldAnswers = new WeakMap<Response, HeldAnswer>();

export interface HeldAnswer {
  headers: Readonly<Record<string, string>>;
  /** `Set-Cookie` values (Node takes them as one header's list). */
  cookies?: readonly string[];
  body: string;
}

/** The answer as a web Response, its body held aside for `heldBody`. */
export function toResponse(answer: Answer, headers: Record<string, string>, bodiless: boolean): Response {
  // Text, not bytes: undici makes a Response from a string far faster than from a Uint8Array of the same size.
  const payload = bodiless ? null : (answer.body ?? null);
  const cookies = answer.cookies ?? [];
  const response = new Response(payload, {
    status: answer.status,
    headers: cookies.length === 0 ? headers : [...Object.entries(headers), ...cookies.map((c): [string, string] => ['set-cookie', c])],
  });
  if (typeof payload === 'string') heldAnswers.set(response, { headers, body: payload, ...(cookies.length > 0 ? { cookies } : {}) });
  return response;
}

/**
 * The headers and body text a Response the core made was built from, for a bridge to write at once: reading them
 * back (undici sorts headers on iteration; a body comes through its web stream) costs more than answering.
 * undefined for any other Response (read it as any Response).
 */
export function heldAnswer(response: Response): HeldAnswer | undefined {
  return response.bodyUsed ? undefined : heldAnswers.get(response);
}
