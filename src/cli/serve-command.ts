import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_MAX_UNSENT_BYTES } from '../adapters/express.js';
import type { MockServer } from '../mock-server.js';
import { DEFAULT_HOLD_LIMITS } from '../core/scenarios.js';
import { clientMismatch } from '../node/client-version.js';
import { RequestLog, type LogFormat } from '../node/request-log.js';
import { DEFAULT_SCHEMAS_HELP, INDEX_FILE, OPERATIONS_DIR, defaultSchemasDir } from '../node/schemas-dir.js';
import { describeSaveEvent, startServer, type RunningServer, type ServerEvent, type ServerOptions } from '../adapters/http-server.js';
import { DEFAULT_LIMITS } from '../world/world.js';
import { bannerLines, type Login } from './banner.js';
import { commaList, duration, oneOf, port, wholeNumber } from './options.js';
import { CONTROL_TOKEN_ENV, DEMO_RESET_EVERY_MS, controlAccess, corsOrigins, forcedStatesFor } from './serve-policy.js';

interface ServeFlags {
  schemas?: string;
  host: string;
  port: number;
  seed: number;
  token?: string;
  userToken?: string;
  adminPassword?: string;
  userPassword?: string;
  blueprints?: string[];
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

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("serve the mock authentik API over HTTP (mounted at the contract's server base, /api/v3/)")
    .option('--schemas <dir>', DEFAULT_SCHEMAS_HELP)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port; the banner shows it)', port, 9000)
    .option('--seed <n>', 'seed of the generated world', wholeNumber(), 1)
    .option('--token <key>', "akadmin's API token (default: $AUTHENTIK_MOCK_TOKEN, else random; wins over the key in --data)")
    .option('--user-token <key>', "an ordinary user's API token (default: random; wins over the key in --data)")
    .option('--admin-password <password>', "akadmin's password in a new world (default: $AUTHENTIK_BOOTSTRAP_PASSWORD, else random)")
    .option('--user-password <password>', "the ordinary user's password in a new world (default: random)")
    .option(
      '--blueprints <file|dir...>',
      "a team's blueprints, applied after authentik's own (a folder: every *.yaml below it); any problem stops serve",
    )
    .option('--records <n>', 'records generated per resource (0: a fresh install, only what its blueprints make)', wholeNumber(), 25)
    .option('--data <file>', 'keep the world in this file: loaded at start if it holds one, saved after changes and at exit')
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
    .action(serve);
}

async function serve(flags: ServeFlags): Promise<void> {
  const started = performance.now();
  const schemas = flags.schemas ?? defaultSchemasDir();
  const generatedToken = flags.demo ? randomBytes(32).toString('base64url') : undefined;
  const access = controlAccess(flags.host, { ...flags, generatedToken });
  const log = new RequestLog(flags.log);
  const options = serverOptions(flags, schemas, access, log);
  const running = await startServer(options).catch((error: unknown) => {
    throw new Error(listenProblem(error, flags) ?? (error as Error).message);
  });
  const { mock } = running;
  const index = resolvePath(schemas, INDEX_FILE);
  const banner = bannerLines({
    operations: mock.contract.operations.length,
    resources: mock.world.resources.length,
    readyMs: Math.round(performance.now() - started),
    origin: running.url,
    base: mock.contract.operations[0]?.server ?? '/api/v3/',
    operationsFile: existsSync(index) ? { path: index, index: true } : { path: resolvePath(schemas, OPERATIONS_DIR), index: false },
    host: flags.host,
    access,
    customHosts: flags.allowedHosts !== undefined,
    adminToken: mock.world.adminToken,
    userToken: mock.world.userToken,
    tokensWork: { admin: works(mock, mock.world.adminToken), user: works(mock, mock.world.userToken) },
    logins: { admin: loginOf(mock, mock.world.adminToken), user: loginOf(mock, mock.world.userToken) },
    forcing: { forcedStates: options.forcedStates!, maxHoldMs: options.holds!.maxMs!, perClient: options.holds!.perClient! },
    demo: flags.demo,
    data: running.data && { ...running.data, saveDelayMs: flags.saveDelay },
    resetEvery:
      options.resetEveryMs === undefined || !running.nextReset ? undefined : { ms: options.resetEveryMs, next: running.nextReset },
    log: { format: flags.log, quiet: flags.quiet === true },
    client: clientMismatch(schemas, process.cwd()),
  });
  (flags.log === 'json' ? process.stderr : process.stdout).write(`${banner.join('\n')}\n`);
  stopOnSignals(running, log);
}

/** The flags as the server's options: the mock's, where it listens and its bounds, the data file, the log. */
function serverOptions(flags: ServeFlags, schemas: string, access: ReturnType<typeof controlAccess>, log: RequestLog): ServerOptions {
  const heldInAll = Math.max(1, Math.floor(flags.maxConnections / 4));
  return {
    schemas,
    seed: flags.seed,
    adminToken: flags.token ?? process.env['AUTHENTIK_MOCK_TOKEN'] ?? undefined,
    userToken: flags.userToken,
    adminPassword: flags.adminPassword,
    userPassword: flags.userPassword,
    // As in authentik: $AUTHENTIK_BOOTSTRAP_PASSWORD (akadmin's password), and what blueprints' !Env tags read.
    env: process.env,
    blueprints: flags.blueprints,
    recordsPerEntity: flags.records,
    controlToken: access.controlToken,
    allowedHosts: access.allowedHosts,
    cors: corsOrigins(flags.host, flags.cors),
    forcedStates: forcedStatesFor(flags.host, flags.demo === true),
    holds: { maxMs: flags.maxHold, total: heldInAll, perClient: Math.min(DEFAULT_HOLD_LIMITS.perClient, heldInAll) },
    // A demo's visitors share the printed keys: none of them may expire or delete the tokens behind them.
    lockPrintedTokens: flags.demo === true,
    autoLogin: flags.autoLogin,
    maxUnsentBytes: flags.maxUnsentMb * 2 ** 20,
    limits: {
      maxRecordsPerTable: flags.maxTableRecords,
      maxRecords: flags.maxRecords,
      maxStoredBytes: flags.maxWrittenMb * 2 ** 20,
    },
    host: flags.host,
    port: flags.port,
    maxConnections: flags.maxConnections,
    dataFile: flags.data,
    saveDelayMs: flags.saveDelay,
    resetEveryMs: flags.resetEvery ?? (flags.demo ? DEMO_RESET_EVERY_MS : undefined),
    onRequest: flags.quiet ? undefined : (entry) => log.request(entry),
    onEvent: (event) => report(event, log),
  };
}

/** Resets go to the log; generation progress and save trouble to stderr. */
function report(event: ServerEvent, log: RequestLog): void {
  const count = (n: number) => n.toLocaleString('en-US');
  switch (event.kind) {
    case 'reset':
      return log.event('reset', `world reset to its start, scenarios cleared; next at ${event.next.toISOString()}`, {
        next: event.next.toISOString(),
      });
    case 'generating':
      return void process.stderr.write(
        event.tables < event.of
          ? `authentik-mock: generating the world: ${event.tables}/${event.of} tables, ${count(event.records)} records so far\n`
          : `authentik-mock: generated the world: ${event.of} tables, ${count(event.records)} records\n`,
      );
    default:
      console.error(`authentik-mock: ${describeSaveEvent(event)}`);
  }
}

/** Why the server could not listen, as one line that says what to do; undefined for any other failure. */
function listenProblem(error: unknown, flags: ServeFlags): string | undefined {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return `port ${flags.port} is in use: pass --port 0 for a free one`;
    case 'EACCES':
      return `port ${flags.port} needs privileges this process does not have: pass a port above 1023, or --port 0 for a free one`;
    case 'EADDRNOTAVAIL':
      return `--host ${flags.host}: not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${flags.host}: no such host`;
    default:
      return undefined;
  }
}

/** Whether a key authenticates in the mock's world now (a key the banner prints must work). */
const works = (mock: MockServer, key: string) => mock.world.authenticate(key) !== undefined;

/** Who a key authenticates as, and their password (the world keeps passwords beside its users, as a dump does). */
function loginOf(mock: MockServer, key: string): Login | undefined {
  const userPk = mock.world.authenticate(key)?.userPk;
  const users = mock.world.userEntity;
  if (userPk === undefined || !users) return undefined;
  const username = mock.world.table(users.name).get(userPk)?.['username'];
  if (typeof username !== 'string') return undefined;
  return { username, password: mock.world.identities.passwordOf(userPk) };
}

/** SIGINT/SIGTERM: a last log line, the server closed and the data file saved, then exit (1 if that save failed). */
function stopOnSignals(running: RunningServer, log: RequestLog): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.event('stop', `${signal}, stopping`, { signal });
    let code = 0;
    try {
      await running.close();
    } catch (error) {
      console.error(`authentik-mock: could not save ${running.data?.file}: ${(error as Error).message}`);
      code = 1;
    }
    log.flush();
    process.exit(code);
  };
  // A second signal while the last save runs is not handled: it ends the process (the file stays the previous one).
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
