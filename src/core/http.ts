import { DETAILS } from '../contract/authentik-messages.js';
import type { DrfErrors } from '../contract/drf-errors.js';

/**
 * What the core answers before it becomes a web `Response` (MockCore.fetch makes that, once, at the boundary):
 * a status, headers, and a body (JSON text for the API; the console's files; absent for 204 and HEAD).
 */
export interface Answer {
  status: number;
  /** Never changed in place: answers share them (JSON_HEADERS). */
  headers: Readonly<Record<string, string>>;
  /** JSON text, or a stream of it for an answer too large to hold at once (a dump). */
  body?: string | ReadableStream<Uint8Array>;
  /** A forced network failure (see scenarios.ts): `Response.error()`, which adapters turn into a dropped connection. */
  network?: 'reset' | 'timeout';
  /** `Set-Cookie` values, one header each (a Record cannot hold the same header twice). */
  cookies?: string[];
  /** authentik's pages outside the API decide their CORS headers themselves (OAuth2's cors_allow): none are added. */
  ownCors?: boolean;
  /** A text body as UTF-8, when the mock keeps it so (an answer the cache served again). */
  bytes?: Uint8Array;
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
   * The body's bytes read by the bridge itself, where it can do so faster than through `body` (Node's request, read
   * by its events): at most `limit` bytes, undefined when there are more (the rest is then discarded); rejects when
   * the body does not arrive. The core reads it instead of `body` when it is there.
   */
  readonly readBytes?: (limit: number) => Promise<Uint8Array | undefined>;
  /**
   * Who is asking, for per-client limits (held answers): the client's address, as an adapter serving over a network
   * knows it (the Express bridge sets it). Absent in process (MSW, `mock.fetch`): the developer is the only client.
   */
  readonly client?: string | undefined;
}

/** A JSON answer's headers, shared by every answer that has no others (answers' headers are never changed in place). */
export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = NO_HEADERS): Answer {
  return { status, headers: headers === NO_HEADERS ? JSON_HEADERS : { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** An answer whose JSON text is already made (records' kept texts). */
export function jsonText(status: number, text: string): Answer {
  return { status, headers: JSON_HEADERS, body: text };
}

export const noContent = (status = 204): Answer => ({ status, headers: {} });

/**
 * `next` of the value: at once when it is one, once it settles when it is a promise. The request path stays
 * synchronous until something really waits (a body, a forced delay): a turn of the event loop costs more than most
 * answers.
 */
export function andThen<T, U>(value: T | Promise<T>, next: (value: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** The stream as it is, with `done` called once when it has been read to its end, cancelled, or has failed. */
export function whenRead(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (!next.done) return controller.enqueue(next.value);
          controller.close();
          finish();
        } catch (error) {
          finish();
          controller.error(error);
        }
      },
      async cancel(reason) {
        try {
          finish();
        } finally {
          await reader.cancel(reason);
        }
      },
    },
    { highWaterMark: 0 },
  );
}

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
  return { status, headers: JSON_HEADERS, body };
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

/**
 * What the mock answers a request, ready to send: `MockServer.reply` gives it to a bridge that writes it to a response
 * of its own (Node's), `MockServer.fetch` makes a web `Response` of it. Both come from the same answer.
 */
export interface Reply {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** `Set-Cookie` values, one header each. */
  cookies?: readonly string[];
  /** JSON text (or a console file), a stream (an answer too large to hold: a dump), or none (HEAD, 204). */
  body: string | ReadableStream<Uint8Array> | null;
  /** A text body as UTF-8 when the mock holds it so (a cached answer): what a bridge writing bytes sends as it is. */
  bytes?: Uint8Array;
  /** No answer at all (a forced network failure, a held request given up): a dropped connection, `Response.error()`. */
  network?: boolean;
}

/** The cookies each Response the core made sets, for a page that must write them itself (page-cookies.ts). */
const cookiesOfResponses = new WeakMap<Response, readonly string[]>();

/** The reply as a web Response. */
export function toResponse(reply: Reply): Response {
  if (reply.network) return Response.error();
  // Text, not bytes: undici makes a Response from a string far faster than from a Uint8Array of the same size.
  const cookies = reply.cookies ?? [];
  const response = new Response(reply.body, {
    status: reply.status,
    headers:
      cookies.length === 0 ? reply.headers : [...Object.entries(reply.headers), ...cookies.map((c): [string, string] => ['set-cookie', c])],
  });
  if (cookies.length > 0) cookiesOfResponses.set(response, cookies);
  return response;
}

/**
 * The `Set-Cookie` values of a Response the core made, without reading its headers back (a page's fetch never shows
 * them); none for any other Response.
 */
export function cookiesOf(response: Response): readonly string[] {
  return cookiesOfResponses.get(response) ?? [];
}
