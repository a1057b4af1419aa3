/**
 * The mock over HTTP, as `serve` and `startMock` run it: the mock made from the options (or given), kept in a data
 * file if asked, a large world generated first, listening with bounds a shared demo needs, the request log told each
 * answer once it is sent, a reset timer; and a handle to stop it all (saving the file last).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { createApp, createServedMock } from './express.js';
import { acceptClientSockets } from './websocket.js';
import type { MockServer, RequestLogEntry } from '../mock-server.js';
import type { DebouncedSaver } from '../node/data-file.js';
import { GENERATE_FIRST_RECORDS, expectedRecords, generateEveryTable, type GenerationProgress } from '../node/generate-first.js';
import { originOf } from '../node/hosts.js';
import type { NodeMockOptions } from '../node/create-mock.js';
import { keepWorldIn, openDataFile, type DataFileState, type SaveEvent } from '../node/world-file.js';

export interface ServerOptions extends NodeMockOptions {
  /** A mock to serve, instead of one made from the other options. */
  mock?: MockServer;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port; `url` shows the one taken). */
  port?: number;
  /**
   * Open connections at most (more are refused); once three quarters are open, answers close their connection
   * instead of keeping it alive. Default: no bound.
   */
  maxConnections?: number;
  /**
   * Keep the world in this file: loaded at start if it holds one (an empty file is a new world), saved after changes
   * and by `close()`. With `mock`, the file is not read: that mock's world is what is saved.
   */
  dataFile?: string;
  /** With `dataFile`: longest a change waits before it is saved (ms, default 1000). */
  saveDelayMs?: number;
  /** Return the world to its start and clear scenario rules on this period (ms). */
  resetEveryMs?: number;
  /** Each answered request, once its answer is sent: `ms` runs until the last byte (a streamed dump's whole time). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** What happens on its own: generation progress, resets, saves that fail and the first that succeeds after. */
  onEvent?: (event: ServerEvent) => void;
}

export type ServerEvent = SaveEvent | ({ kind: 'generating' } & GenerationProgress) | { kind: 'reset'; next: Date };

export interface RunningServer {
  /** `http://127.0.0.1:PORT` (the origin: the control API is `${url}/_mock/`). */
  url: string;
  /** `http://127.0.0.1:PORT/api/v3/` */
  apiUrl: string;
  port: number;
  mock: MockServer;
  server: Server;
  /** With `dataFile`: the file (absolute) and what it held at start. */
  data?: { file: string; state: DataFileState };
  /** With `resetEveryMs`: when the next reset happens. */
  readonly nextReset: Date | undefined;
  /** Stops listening, drops open connections, saves the data file; rejects if that save fails. */
  close(): Promise<void>;
}

/** Longest `close()` waits for connections a forced delay still holds. */
const CLOSE_WAIT_MS = 2000;

/** Starts the mock over HTTP; rejects with the listen error (`EADDRINUSE`…) or why the mock cannot start. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const report = options.onEvent ?? reportToStderr;
  const dataFile = options.dataFile === undefined ? undefined : openDataFile(resolvePath(options.dataFile));
  const mock = options.mock ?? mockFor(options, dataFile?.world, dataFile?.file);
  if (dataFile?.state !== 'loaded' && !options.mock) {
    if (expectedRecords(mock.world, options.recordsPerEntity) >= GENERATE_FIRST_RECORDS)
      generateEveryTable(mock.world, (progress) => report({ kind: 'generating', ...progress }));
  }
  const saver = dataFile && keepWorldIn(mock, dataFile.file, options.saveDelayMs ?? 1000, report);
  const server = listeningServer(mock, options);
  // The mock logs each answer as it gives it (a streamed one once its body is read to its end: its time includes sending).
  const stopLogging = options.onRequest && mock.onRequest(options.onRequest);
  try {
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    saver?.cancel();
    stopLogging?.();
    throw error;
  }
  const resets = options.resetEveryMs === undefined ? undefined : resetTimer(mock, options.resetEveryMs, saver, report);
  const port = (server.address() as AddressInfo).port;
  const url = originOf(options.host ?? '127.0.0.1', port);
  return {
    url,
    apiUrl: `${url}${mock.contract.operations[0]?.server ?? '/api/v3/'}`,
    port,
    mock,
    server,
    data: dataFile && { file: dataFile.file, state: dataFile.state },
    get nextReset() {
      return resets?.next;
    },
    close: async () => {
      resets?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      try {
        await saver?.flush();
      } finally {
        saver?.cancel();
        stopLogging?.();
        // A connection a forced delay still holds must not keep the caller waiting.
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
      }
    },
  };
}

function mockFor(options: ServerOptions, data: unknown, file: string | undefined): MockServer {
  try {
    return createServedMock({ ...options, ...(data === undefined ? {} : { data }) });
  } catch (error) {
    throw data === undefined ? error : new Error(`${file}: ${(error as Error).message}`);
  }
}

/** Save failures and recoveries on stderr, when no `onEvent` is given (a refused write must not go unexplained). */
function reportToStderr(event: ServerEvent): void {
  if (event.kind === 'save-failed' || event.kind === 'saved-again') console.error(`authentik-mock: ${describeSaveEvent(event)}`);
}

/** A save event as the operator reads it. */
export function describeSaveEvent(event: SaveEvent): string {
  return event.kind === 'save-failed'
    ? `could not save ${event.file}: ${event.message}; API writes answer 503 until a save succeeds (tried again on its own)`
    : `${event.file} saved again; API writes are accepted`;
}

/** The HTTP server over the mock, with the bounds of a shared demo. */
function listeningServer(mock: MockServer, options: ServerOptions): Server {
  const app = createApp({ mock });
  const pressure = options.maxConnections === undefined ? undefined : new ConnectionPressure(options.maxConnections);
  const server = createServer((req, res) => {
    pressure?.answer(res);
    app(req, res);
  });
  if (pressure) {
    pressure.watch(server);
    server.maxConnections = options.maxConnections!;
  }
  acceptClientSockets(server); // authentik's UI opens /ws/client/ (counted with the connections above)
  // A request must arrive whole within 30 s: a client that promises a body and stalls is dropped (the answer to an
  // unauthenticated one never waits for it).
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return server;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function resetTimer(
  mock: MockServer,
  everyMs: number,
  saver: DebouncedSaver | undefined,
  report: (event: ServerEvent) => void,
): { next: Date; stop: () => void } {
  const state = { next: new Date(Date.now() + everyMs), stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    mock.reset();
    saver?.schedule();
    state.next = new Date(Date.now() + everyMs);
    report({ kind: 'reset', next: state.next });
  }, everyMs);
  return state;
}

/**
 * Connections kept open after their answer (HTTP keep-alive) would let a burst of clients that never close — even
 * ones answered at once, say a 403 — fill `maxConnections` until their keep-alive timeout ends: once three quarters
 * of the connections are open, answers close their connection (`Connection: close`).
 */
class ConnectionPressure {
  private open = 0;

  constructor(private readonly max: number) {}

  watch(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.open++;
      socket.once('close', () => this.open--);
    });
  }

  /** Before an answer is written: no keep-alive while connections run short. */
  answer(res: ServerResponse): void {
    if (this.open * 4 >= this.max * 3) res.shouldKeepAlive = false;
  }
}
