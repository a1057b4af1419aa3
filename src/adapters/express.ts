import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import { andThen, type IncomingRequest, type Reply } from '../core/http.js';
import type { MockServer } from '../mock-server.js';
import { createMock, type NodeMockOptions } from '../node/create-mock.js';
import { installLoginPage } from '../flows/login-page.js';
import { readLoginPage } from '../node/login-page.js';
import { acceptClientSockets } from './websocket.js';

export type ExpressMockOptions = NodeMockOptions & { mock?: MockServer };

/**
 * The Express app serving the mock, typed as Node sees it so that a project needs no `@types/express`: a request
 * listener (mount it in an app of your own: `yourApp.use('/', app)`, or pass it to `http.createServer`), Express's
 * `listen`, and the mock.
 */
export interface MockApp {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  listen(port?: number, callback?: () => void): Server;
  listen(port: number, hostname: string, callback?: () => void): Server;
  readonly mock: MockServer;
}

/** Bytes of large answers not yet read by their clients, at most, when the options do not say (MockOptions.maxUnsentBytes). */
export const DEFAULT_MAX_UNSENT_BYTES = 64 * 2 ** 20;

/**
 * A mock to serve over HTTP: as `createMock` makes it, with large answers bounded unless the options say otherwise,
 * and cached answers kept as the bytes Node writes.
 */
export function createServedMock(options: NodeMockOptions): MockServer {
  return createMock({
    ...options,
    maxUnsentBytes: options.maxUnsentBytes ?? DEFAULT_MAX_UNSENT_BYTES,
    // The bridge writes a cached answer's UTF-8 bytes as they are (`send`).
    cache: { keepBytes: true, ...options.cache },
  });
}

/** A client that takes no byte of its answer for this long is dropped (its answer's memory goes with it). */
const STALLED_SEND_MS = 30_000;

const BODY_GONE = 'the request body did not arrive';

/**
 * The request body's bytes, taken from Node's events as they come (a web stream over Node's request cost a write
 * more than the write itself): at most `limit`, undefined past it, with the rest discarded so that the connection is
 * kept; rejected when the client goes before the end.
 */
function readNodeBody(req: ExpressRequest, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = () => req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) return void chunks.push(chunk);
      settle();
      req.resume();
      resolve(undefined);
    };
    const onEnd = () => {
      settle();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onGone = () => {
      settle();
      reject(new Error(BODY_GONE));
    };
    if (req.readableEnded) return resolve(new Uint8Array(0));
    // Gone before the core asked (a middleware of the user's app waited first): its events have been and gone.
    if (req.destroyed || req.errored) return reject(new Error(BODY_GONE));
    req.on('data', onData).once('end', onEnd).once('error', onGone).once('close', onGone);
    req.resume(); // a listener alone does not restart a stream something paused
  });
}

/** A Host header that is a host and nothing else: a name or IPv4, or a bracketed IPv6, and a port. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The URL the client asked for: its path on the Host it named (a Host that is no host name gives `host.invalid`). */
function urlOf(req: ExpressRequest): string {
  let path = req.originalUrl;
  if (!path.startsWith('/')) {
    // A proxy's absolute-form target (`GET http://host/path`): its path and query.
    const absolute = URL.canParse(path) ? new URL(path) : undefined;
    path = absolute ? `${absolute.pathname}${absolute.search}` : '/';
  }
  const host = req.headers.host ?? '';
  // Node's parser has refused a path that is no URL path; a host is checked here.
  return `http://${HOST.test(host) ? host : 'host.invalid'}${path}`;
}

/** Node's parsed headers read as web `Headers` read (names in any case; repeated values joined). */
class NodeHeaders implements Pick<Headers, 'get' | 'has'> {
  constructor(private readonly held: ExpressRequest['headers']) {}

  get(name: string): string | null {
    const value = this.held[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.held[name.toLowerCase()] !== undefined;
  }
}

/**
 * Node's request as the core reads a web `Request`: method, URL, headers, a body read only if the core needs it (its
 * bytes straight from Node's events, `readBytes`; Node's own web stream of it for any other reader), and a signal
 * made only if the core asks (a scenario that waits) — aborted when the client goes away. Building a real `Request`
 * (and its signal) for every request cost most of the bridge's time; a class makes one object per request.
 */
class NodeRequest implements IncomingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: NodeHeaders;
  private madeSignal: AbortSignal | undefined;
  private madeBody: ReadableStream<Uint8Array> | null | undefined;

  constructor(
    private readonly req: ExpressRequest,
    private readonly res: ExpressResponse,
  ) {
    this.method = req.method;
    this.url = urlOf(req);
    this.headers = new NodeHeaders(req.headers);
  }

  get client(): string | undefined {
    return clientOf(this.req.socket.remoteAddress);
  }

  get signal(): AbortSignal {
    return (this.madeSignal ??= closeSignal(this.res));
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.madeBody === undefined) this.madeBody = this.hasNoBody ? null : (Readable.toWeb(this.req) as ReadableStream<Uint8Array>);
    return this.madeBody;
  }

  readBytes(limit: number): Promise<Uint8Array | undefined> {
    return this.hasNoBody ? Promise.resolve(new Uint8Array(0)) : readNodeBody(this.req, limit);
  }

  private get hasNoBody(): boolean {
    return this.method === 'GET' || this.method === 'HEAD';
  }
}

/**
 * Who is asking, for per-client limits: an IPv4 address (IPv4-mapped IPv6 included) as it is, an IPv6 address as its
 * /64 (one host is usually given a whole /64, so counting addresses there would count nothing). Behind a reverse
 * proxy every visitor is the proxy.
 */
function clientOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0]!.toLowerCase(); // no zone id
  const [head = '', tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16)))
    .join(':')}::/64`;
}

/** Aborted when the response closes: the client went away (or the answer was sent). */
function closeSignal(res: ExpressResponse): AbortSignal {
  const controller = new AbortController();
  if (res.closed) controller.abort();
  else res.once('close', () => controller.abort());
  return controller.signal;
}

/** Until Node's buffer has room again, or the client is gone; a client that takes nothing for STALLED_SEND_MS is dropped. */
function drained(res: ExpressResponse): Promise<void> {
  return new Promise((resolve) => {
    const stalled = setTimeout(() => res.destroy(), STALLED_SEND_MS);
    const done = () => {
      clearTimeout(stalled);
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}

/**
 * The mock's reply written to Node's response: text (or the UTF-8 bytes the mock holds of it) in one write (Node adds
 * its Content-Length), at once; a stream
 * (a dump) chunk by chunk as the client takes it. A network failure drops the connection.
 */
function send(reply: Reply, req: ExpressRequest, res: ExpressResponse): void | Promise<void> {
  if (reply.network) return void req.socket.destroy();
  // Headers are set, not written: Node sends them with the first body write, with a Content-Length when that write
  // is the whole body (writeHead now would commit to chunked encoding).
  res.statusCode = reply.status;
  for (const name in reply.headers) res.setHeader(name, reply.headers[name]!);
  if (reply.cookies) res.setHeader('set-cookie', reply.cookies);
  if (reply.body === null || typeof reply.body === 'string') return void res.end(reply.bytes ?? reply.body ?? undefined);
  return sendStream(reply.body, res);
}

async function sendStream(body: ReadableStream<Uint8Array>, res: ExpressResponse): Promise<void> {
  const reader = body.getReader();
  try {
    const first = await reader.read();
    if (first.done) return void res.end();
    const second = await reader.read();
    if (second.done) return void res.end(first.value);
    res.write(first.value);
    for (let chunk: ReadableStreamReadResult<Uint8Array> = second; !chunk.done; chunk = await reader.read()) {
      if (!res.write(chunk.value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    // A body not read to its end (the client went, or writing failed) is cancelled: what it holds is let go.
    if (!res.writableEnded) void reader.cancel().catch(() => undefined);
  }
}

/**
 * An Express app serving the mock: the standard bridge from Node's request to the core's `fetch` and back, and the
 * login page's files (`/if/flow/{slug}/`, read from the package here: the core only serves what it is given). The
 * contract is `options.contract`, else the `options.schemas` folder, else `./schemas` if it is one, else the package's
 * own. Large answers are bounded by `maxUnsentBytes` (default 64 MiB; see MockOptions). A server made by
 * `app.listen()` (and `startServer`) also accepts the client websocket (`/ws/client/`).
 */
export function createApp(options: ExpressMockOptions = {}): MockApp {
  const mock = options.mock ?? createServedMock(options);
  installLoginPage(mock, readLoginPage());
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Answered within the turn the request came in when the mock need not wait: a turn of the event loop costs more than
  // most answers.
  app.use((req: ExpressRequest, res: ExpressResponse) => {
    return andThen(mock.reply(new NodeRequest(req, res)), (ready) => send(ready, req, res));
  });
  const listen = app.listen.bind(app) as (...args: unknown[]) => Server;
  app.listen = ((...args: unknown[]) => {
    const server = listen(...args);
    acceptClientSockets(server);
    return server;
  }) as typeof app.listen;
  return Object.assign(app, { mock });
}
