import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, dirname, resolve as resolvePath, sep } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_MAX_UNSENT_BYTES, createApp } from '../adapters/express.js';
import { CONTROL_PREFIX } from '../core/control.js';
import type { MockServer, RequestLogEntry } from '../core/mock-server.js';
import type { CorsOrigins } from '../core/cors.js';
import { DEFAULT_HOLD_LIMITS } from '../core/scenarios.js';
import {
  createDebouncedSaver,
  notWritable,
  readDataFile,
  removeStaleTempFiles,
  writeFileAtomic,
  type DebouncedSaver,
} from '../node/data-file.js';
import { createMock, loadContract } from '../node/index.js';
import { DEFAULT_LIMITS } from '../world/world.js';
import { DEFAULT_SCHEMAS_HELP, INDEX_FILE, OPERATIONS_DIR, defaultSchemasDir } from '../node/schemas-dir.js';
import { commaList, duration, formatDuration, isIpAddress, isLoopbackHost, oneOf, originOf, wholeNumber } from './options.js';

type LogFormat = 'text' | 'json';

interface ServeOptions {
  schemas?: string;
  host: string;
  port: number;
  seed: number;
  token?: string;
  userToken?: string;
  data?: string;
  saveDelay: number;
  resetEvery?: number;
  records: number;
  log: LogFormat;
  quiet?: boolean;
  controlToken?: string;
  allowedHosts?: string[];
  cors?: string[];
  maxConnections: number;
  maxTableRecords: number;
  maxRecords: number;
  maxWrittenMb: number;
  maxHold: number;
  maxUnsentMb: number;
  demo?: boolean;
  autoLogin?: string;
}

/** `--reset-every` under `--demo` when none is given. */
export const DEMO_RESET_EVERY_MS = 3_600_000;

export const CONTROL_TOKEN_ENV = 'AUTHENTIK_MOCK_CONTROL_TOKEN';
/** Host names the control API always answers to (a request from this machine; IPv6 literals bracketed, as in Host). */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** `--host` as a Host header shows it: a name or IPv4 as is, IPv6 bracketed; nothing for a wildcard address. */
function hostHeaderName(host: string): string | undefined {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === '' || h === '0.0.0.0' || h === '::' || h === '::0') return undefined;
  return isIpAddress(h) && h.includes(':') ? `[${h}]` : h;
}

export interface ControlAccess {
  /** For MockOptions.controlToken: a key, `false` (control API off), or undefined (the core's default: the admin token). */
  controlToken: string | false | undefined;
  /** For MockOptions.allowedHosts. */
  allowedHosts: string[] | true;
  /** Where the key comes from, for the banner (`generated`: by `--demo`, printed once). */
  source: 'flag' | 'env' | 'generated' | 'admin' | 'off';
}

/**
 * Who may use /_mock/: `--control-token`, else $AUTHENTIK_MOCK_CONTROL_TOKEN, else a generated key (`--demo`), else
 * the admin token — except on a host other machines can reach, where the control API is off unless a control token
 * was given (a demo hands out the admin token; it must not also hand out dump, load and reset). Host names: loopback
 * names, the `--host` name or address, and `--allowed-hosts` (`all` for any).
 */
export function controlAccess(
  host: string,
  flags: { controlToken?: string; allowedHosts?: string[]; generatedToken?: string },
  env = process.env,
): ControlAccess {
  const fromEnv = env[CONTROL_TOKEN_ENV] || undefined;
  const token = flags.controlToken ?? fromEnv ?? flags.generatedToken;
  const source =
    flags.controlToken !== undefined
      ? 'flag'
      : fromEnv !== undefined
        ? 'env'
        : flags.generatedToken !== undefined
          ? 'generated'
          : isLoopbackHost(host)
            ? 'admin'
            : 'off';
  const own = hostHeaderName(host);
  const allowedHosts: string[] | true = flags.allowedHosts?.some((h) => h.toLowerCase() === 'all')
    ? true
    : [...new Set([...LOOPBACK_NAMES, ...(own ? [own] : []), ...(flags.allowedHosts ?? []).map((h) => h.toLowerCase())])];
  return { controlToken: source === 'off' ? false : token, allowedHosts, source };
}

/** Escapes what could forge lines or repaint the operator's terminal: C0/C1 controls, DEL, line separators, bidi overrides. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `GET /api/v3/core/users/?page=2 200 3.1ms akadmin` (`-` for a forced network failure, which has no status). */
export function formatLogText(entry: RequestLogEntry): string {
  return `${printable(entry.method)} ${printable(entry.url)} ${entry.status || '-'} ${entry.ms.toFixed(1)}ms ${printable(entry.identity)}`;
}

/** One JSON object: `time` (ISO 8601), method, url, status (0 = no answer: a forced network failure), ms, identity. */
export function formatLogJson(entry: RequestLogEntry, time = new Date()): string {
  return JSON.stringify({
    time: time.toISOString(),
    method: entry.method,
    url: entry.url,
    status: entry.status,
    ms: Math.round(entry.ms * 100) / 100,
    identity: entry.identity,
  });
}

/**
 * Lines to a stream, written once per event-loop turn rather than once per line (a write to a pipe or file is a
 * synchronous syscall in Node). If the reader falls more than `limit` bytes behind, lines are dropped and counted
 * rather than held in memory; if it goes away (EPIPE), logging stops and the server carries on.
 */
export class LineWriter {
  private lines: string[] = [];
  private bytes = 0;
  private dropped = 0;
  private scheduled = false;
  private broken = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { writableLength?: number },
    private readonly droppedLine: (count: number) => string,
    private readonly limit = 1 << 20,
  ) {
    stream.on('error', () => (this.broken = true));
  }

  write(line: string): void {
    if (this.broken) return;
    if (this.bytes + (this.stream.writableLength ?? 0) > this.limit) {
      this.dropped++;
      return;
    }
    this.lines.push(line);
    this.bytes += line.length + 1;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.dropped > 0 && this.bytes + (this.stream.writableLength ?? 0) <= this.limit) {
      this.lines.push(this.droppedLine(this.dropped));
      this.dropped = 0;
    }
    if (this.lines.length === 0 || this.broken) return;
    const text = `${this.lines.join('\n')}\n`;
    this.lines = [];
    this.bytes = 0;
    this.stream.write(text);
  }
}

/** The request log and the server's own events (reset, stop) on stdout, as text or JSON lines. */
class Log {
  private readonly out: LineWriter;

  constructor(
    private readonly format: LogFormat,
    readonly requests: boolean,
  ) {
    this.out = new LineWriter(process.stdout, (count) =>
      this.eventLine('dropped', `${count} log lines dropped (stdout is not keeping up)`, { lines: count }),
    );
  }

  request(entry: RequestLogEntry): void {
    this.out.write(this.format === 'json' ? formatLogJson(entry) : formatLogText(entry));
  }

  event(event: string, message: string, fields: Record<string, unknown> = {}): void {
    this.out.write(this.eventLine(event, message, fields));
  }

  flush(): void {
    this.out.flush();
  }

  private eventLine(event: string, message: string, fields: Record<string, unknown>): string {
    return this.format === 'json'
      ? JSON.stringify({ time: new Date().toISOString(), event, message, ...fields })
      : `authentik-mock: ${message}`;
  }
}

export interface BannerInfo {
  operations: number;
  resources: number;
  readyMs: number;
  origin: string;
  base: string;
  /** The schemas folder's index.json if it has one, else its operations/ folder. */
  operationsFile: { path: string; index: boolean };
  host: string;
  access: ControlAccess;
  customHosts: boolean;
  adminToken: string;
  userToken: string;
  /** Whether each printed key authenticates (default: both do); one that does not is not printed. */
  tokensWork?: { admin: boolean; user: boolean };
  /** Who may force answers, and how long a forced delay or timeout may hold a request. */
  forcing?: { forcedStates: 'anyone' | 'authenticated'; maxHoldMs: number; perClient: number };
  demo?: boolean;
  data?: { file: string; loaded: boolean; saveDelayMs: number };
  resetEvery?: { ms: number; next: Date };
  log: { format: LogFormat; quiet: boolean };
}

/** What `serve` prints once it listens. */
export function bannerLines(info: BannerInfo): string[] {
  const control = `${info.origin}${CONTROL_PREFIX}`;
  const on = info.access.controlToken !== false;
  const from = { flag: '--control-token', env: `$${CONTROL_TOKEN_ENV}`, generated: 'generated by --demo, below' } as const;
  const bearer =
    info.access.source === 'admin' || info.access.source === 'off'
      ? 'Bearer the admin token'
      : `Bearer the control token (${from[info.access.source]})`;
  const forcing = info.forcing ?? {
    forcedStates: 'anyone',
    maxHoldMs: DEFAULT_HOLD_LIMITS.maxMs,
    perClient: DEFAULT_HOLD_LIMITS.perClient,
  };
  const who =
    forcing.forcedStates === 'authenticated'
      ? `for authenticated callers only; delays and timeouts held ${formatDuration(forcing.maxHoldMs)} at most, ${forcing.perClient} per client`
      : `for anyone; delays and timeouts held ${formatDuration(forcing.maxHoldMs)} at most`;
  const lines = [
    `authentik-mock: ${info.operations} operations, ${info.resources} resources, ready in ${info.readyMs} ms`,
    `  API         ${info.origin}${info.base}`,
    `  operations  ${info.operationsFile.index ? `${info.operationsFile.path}  (lists all ${info.operations})` : `${info.operationsFile.path}/  (one file each)`}`,
  ];
  if (on) {
    lines.push(
      `  resources   ${control}resources  (each resource's operations and keys)`,
      `  control     ${control}  (summary; tokens, dump, load, reset; ${bearer})`,
      `  scenarios   ${control}scenarios  (forced statuses, delays, network failures; or a Prefer: code=500 header; ${who})`,
      `  console     ${control}ui/  (the demo console: resources, tokens, reset, dump/load, scenarios; sign in with the control token)`,
    );
    if (!isLoopbackHost(info.host) || info.customHosts)
      lines.push(
        `  hosts       the control API answers Host: ${info.access.allowedHosts === true ? 'any (--allowed-hosts all)' : info.access.allowedHosts.join(', ')}`,
      );
  } else {
    lines.push(
      `  control     off: ${info.host} is reachable from other machines and no control token is set (/_mock/ answers 404)`,
      `              to turn it on: --control-token KEY or $${CONTROL_TOKEN_ENV}, then send Authorization: Bearer KEY`,
      `  scenarios   a Prefer: code=500 header still forces answers per request (${who})`,
    );
  }
  if (info.data)
    lines.push(
      `  data        ${info.data.file}  (${info.data.loaded ? 'loaded' : 'not there yet: the seed, written at the first change'}; saved ${formatDuration(info.data.saveDelayMs)} after a change and at exit)`,
    );
  if (info.resetEvery)
    lines.push(
      `  reset       every ${formatDuration(info.resetEvery.ms)}, next at ${info.resetEvery.next.toISOString()}  (back to the start; scenarios cleared)`,
    );
  const works = info.tokensWork ?? { admin: true, user: true };
  const none = (flag: string) =>
    `none that works: the key the world holds does not authenticate (expired, or its user inactive); start with ${flag} KEY`;
  lines.push(
    `  log         ${info.log.quiet ? 'off (--quiet)' : info.log.format === 'json' ? 'one JSON object per request on stdout (this banner: stderr)' : 'one line per request on stdout'}`,
  );
  if (info.demo)
    lines.push(
      `  demo        hand visitors the API keys below (the API, and forced states on their own requests); /_mock/ takes only the control key`,
    );
  if (info.access.source === 'generated' && typeof info.access.controlToken === 'string')
    lines.push(`  control token:           ${info.access.controlToken}  (generated; printed only here)`);
  lines.push(
    `  admin token (akadmin):   ${works.admin ? info.adminToken : none('--token')}`,
    `  user token (no rights):  ${works.user ? info.userToken : none('--user-token')}`,
  );
  return lines;
}

/**
 * `--data`: the file's world (undefined when it does not exist yet); the folder, and the file if it exists, must be
 * writable now, not at the first save.
 */
function openDataFile(file: string): unknown {
  try {
    accessSync(dirname(file), constants.W_OK);
  } catch (error) {
    throw new Error(`${file}: its folder is not writable (${(error as Error).message})`);
  }
  const refused = notWritable(file);
  if (refused) throw new Error(`${refused}: --data saves changes there; make it writable, or serve a writable copy of it`);
  removeStaleTempFiles(file);
  return readDataFile(file);
}

/**
 * Saves the world to `file` after changes. Once a save fails, API writes answer 503 saying why (nothing is
 * acknowledged that would be lost; reads go on) and the save is tried again on its own, backing off to a minute;
 * once one succeeds, writes are accepted again.
 */
function saverFor(mock: MockServer, file: string, delayMs: number): DebouncedSaver {
  const retryMs = Math.max(delayMs, 1000);
  return createDebouncedSaver(() => writeFileAtomic(file, dumpFileText(mock)), {
    delayMs,
    retryMs,
    onError: (error) => {
      const message = (error as Error).message;
      console.error(
        `authentik-mock: could not save ${file}: ${message}; API writes answer 503 until a save succeeds (tried again on its own)`,
      );
      // Visitors see the file's name, not where it lives on the operator's machine.
      const shown = message.split(`${dirname(file)}${sep}`).join('');
      mock.refuseWrites(
        `This mock cannot save its data (${basename(file)}: ${shown}), so it takes no writes until a save succeeds; reads go on.`,
      );
    },
    onSaved: () => {
      if (mock.writesRefused === undefined) return;
      mock.refuseWrites(undefined);
      console.error(`authentik-mock: ${file} saved again; API writes are accepted`);
    },
  });
}

/** The world as the data file holds it: the dump's text, a record at a time, and a final newline. */
function* dumpFileText(mock: MockServer): Generator<string> {
  yield* mock.world.dumpText();
  yield '\n';
}

/**
 * Connections kept open after their answer (HTTP keep-alive) would let a burst of clients that never close — even
 * ones answered at once, say a 403 — fill `--max-connections` until their keep-alive timeout ends: once three
 * quarters of the connections are open, answers close their connection (`Connection: close`).
 */
export class ConnectionPressure {
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

/** Whether a key authenticates in the mock's world now (a key the banner prints must work). */
const works = (mock: MockServer, key: string) => mock.world.authenticate(key) !== undefined;

/** Origins whose pages may call the mock: `--cors` (`*` for any), else any while only this machine can reach it. */
export function corsOrigins(host: string, flag: string[] | undefined): CorsOrigins | undefined {
  if (flag) return flag.includes('*') ? '*' : flag;
  return isLoopbackHost(host) ? '*' : undefined;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("serve the mock authentik API over HTTP (mounted at the contract's server base, /api/v3/)")
    .option('--schemas <dir>', DEFAULT_SCHEMAS_HELP)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port; the banner shows it)', wholeNumber(), 9000)
    .option('--seed <n>', 'seed of the generated world', wholeNumber(), 1)
    .option('--token <key>', "akadmin's API token (default: $AUTHENTIK_MOCK_TOKEN, else random; wins over the key in --data)")
    .option('--user-token <key>', "an ordinary user's API token (default: random; wins over the key in --data)")
    .option('--records <n>', 'records generated per resource', wholeNumber(2), 25)
    .option('--data <file>', 'keep the world in this file: loaded at start if it exists, saved after changes and at exit')
    .option('--save-delay <ms>', 'with --data: longest a change waits before it is saved', wholeNumber(), 1000)
    .option('--reset-every <duration>', 'return the world to its start and clear scenarios on this period (90s, 30m, 1h)', duration(100))
    .option(
      '--log <format>',
      'request log format: text or json (json: the banner goes to stderr)',
      oneOf<LogFormat>('text', 'json'),
      'text',
    )
    .option('--quiet', 'no request log (the banner and reset/stop notices stay)')
    .option(
      '--control-token <key>',
      `the key /_mock/ requires (default: $${CONTROL_TOKEN_ENV}, else the admin token; off on a non-loopback --host)`,
    )
    .option(
      '--allowed-hosts <list>',
      'comma-separated Host names the control API answers to, besides localhost, 127.0.0.1, [::1] and the --host name; "all" for any',
      commaList,
    )
    .option(
      '--cors <origins>',
      'comma-separated origins whose pages may call the mock, * for any (default: any on a loopback --host, none otherwise)',
      commaList,
    )
    .option('--max-connections <n>', 'open connections at most; more are refused', wholeNumber(1), 1000)
    .option(
      '--max-hold <duration>',
      'longest a forced delay or network=timeout holds a request (held requests: at most a quarter of --max-connections, 32 per client)',
      duration(1),
      DEFAULT_HOLD_LIMITS.maxMs,
    )
    .option(
      '--max-unsent-mb <n>',
      'MiB of large answers clients have not read yet, at most; a read past it answers 503',
      wholeNumber(1),
      DEFAULT_MAX_UNSENT_BYTES / 2 ** 20,
    )
    .option(
      '--demo',
      'a shared demo: random keys, the control API on with a generated control token (printed once), --reset-every 1h unless given, forced states for authenticated callers only',
    )
    .option('--auto-login <username>', 'OAuth2 authorize (/application/o/authorize/) answers as this user at once: no login page (for CI)')
    .option(
      '--max-table-records <n>',
      'record budget: a create into a table holding this many is refused (400)',
      wholeNumber(1),
      DEFAULT_LIMITS.maxRecordsPerTable,
    )
    .option(
      '--max-records <n>',
      'record budget: a create into a world holding this many is refused (400)',
      wholeNumber(1),
      DEFAULT_LIMITS.maxRecords,
    )
    .option(
      '--max-written-mb <n>',
      'record budget: MiB of records written through the API, at most',
      wholeNumber(1),
      DEFAULT_LIMITS.maxStoredBytes / 2 ** 20,
    )
    .action(async (options: ServeOptions) => {
      const started = performance.now();
      const schemas = options.schemas ?? defaultSchemasDir();
      const dataFile = options.data === undefined ? undefined : resolvePath(options.data);
      const data = dataFile === undefined ? undefined : openDataFile(dataFile);
      const generatedToken = options.demo ? randomBytes(32).toString('base64url') : undefined;
      const access = controlAccess(options.host, { ...options, generatedToken });
      // Where others can reach the server, only a caller with a key may force an answer (and hold a connection).
      const forcedStates = options.demo || !isLoopbackHost(options.host) ? 'authenticated' : 'anyone';
      const heldInAll = Math.max(1, Math.floor(options.maxConnections / 4));
      const holds = { maxMs: options.maxHold, total: heldInAll, perClient: Math.min(DEFAULT_HOLD_LIMITS.perClient, heldInAll) };
      const contract = loadContract(schemas);
      let mock: MockServer;
      try {
        mock = createMock({
          contract,
          seed: options.seed,
          adminToken: options.token ?? process.env['AUTHENTIK_MOCK_TOKEN'] ?? undefined,
          userToken: options.userToken,
          recordsPerEntity: options.records,
          data,
          controlToken: access.controlToken,
          allowedHosts: access.allowedHosts,
          cors: corsOrigins(options.host, options.cors),
          forcedStates,
          holds,
          // A demo's visitors share the printed keys: none of them may expire or delete the tokens behind them.
          lockPrintedTokens: options.demo === true,
          maxUnsentBytes: options.maxUnsentMb * 2 ** 20,
          autoLogin: options.autoLogin,
          limits: {
            maxRecordsPerTable: options.maxTableRecords,
            maxRecords: options.maxRecords,
            maxStoredBytes: options.maxWrittenMb * 2 ** 20,
          },
        });
      } catch (error) {
        throw data === undefined ? error : new Error(`${dataFile}: ${(error as Error).message}`);
      }

      const log = new Log(options.log, !options.quiet);
      if (log.requests) mock.onRequest((entry) => log.request(entry));
      const saver = dataFile === undefined ? undefined : saverFor(mock, dataFile, options.saveDelay);
      if (saver) mock.onChange(() => saver.schedule());

      const app = createApp({ mock });
      const connections = new ConnectionPressure(options.maxConnections);
      const server = createServer((req, res) => {
        connections.answer(res);
        return app(req, res);
      });
      connections.watch(server);
      server.listen(options.port, options.host);
      // Bounds for a shared demo: connections at most, and a request must arrive whole within 30 s (a client that
      // promises a body and stalls is dropped; the answer to an unauthenticated one never waits for it).
      server.maxConnections = options.maxConnections;
      server.requestTimeout = 30_000;
      server.headersTimeout = 10_000;
      await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));

      let resetTimer: ReturnType<typeof setInterval> | undefined;
      const resetEvery = options.resetEvery ?? (options.demo ? DEMO_RESET_EVERY_MS : undefined);
      let nextReset = resetEvery === undefined ? undefined : new Date(Date.now() + resetEvery);
      if (resetEvery !== undefined) {
        resetTimer = setInterval(() => {
          mock.reset();
          saver?.schedule();
          nextReset = new Date(Date.now() + resetEvery);
          log.event('reset', `world reset to its start, scenarios cleared; next at ${nextReset.toISOString()}`, {
            next: nextReset.toISOString(),
          });
        }, resetEvery);
      }

      const index = resolvePath(schemas, INDEX_FILE);
      const banner = bannerLines({
        operations: mock.contract.operations.length,
        resources: mock.world.resources.length,
        readyMs: Math.round(performance.now() - started),
        origin: originOf(options.host, (server.address() as AddressInfo).port),
        base: mock.contract.operations[0]?.server ?? '/api/v3/',
        operationsFile: existsSync(index) ? { path: index, index: true } : { path: resolvePath(schemas, OPERATIONS_DIR), index: false },
        host: options.host,
        access,
        customHosts: options.allowedHosts !== undefined,
        adminToken: mock.world.adminToken,
        userToken: mock.world.userToken,
        tokensWork: { admin: works(mock, mock.world.adminToken), user: works(mock, mock.world.userToken) },
        forcing: { forcedStates, maxHoldMs: holds.maxMs, perClient: holds.perClient },
        demo: options.demo,
        data: dataFile === undefined ? undefined : { file: dataFile, loaded: data !== undefined, saveDelayMs: options.saveDelay },
        resetEvery: resetEvery === undefined || !nextReset ? undefined : { ms: resetEvery, next: nextReset },
        log: { format: options.log, quiet: !log.requests },
      });
      (options.log === 'json' ? process.stderr : process.stdout).write(`${banner.join('\n')}\n`);

      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.event('stop', `${signal}, stopping`, { signal });
        if (resetTimer) clearInterval(resetTimer);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        let code = 0;
        try {
          await saver?.flush();
        } catch (error) {
          console.error(`authentik-mock: could not save ${dataFile}: ${(error as Error).message}`);
          code = 1;
        }
        // A connection a forced delay still holds must not keep the process alive.
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
        log.flush();
        process.exit(code);
      };
      // A second signal while the last save runs is not handled: it ends the process (the file stays the previous one).
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
