// serve for demo environments: the request log, --reset-every, and the control-access flags.
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerLines, type BannerInfo } from '../src/cli/banner.js';
import { duration, formatDuration, parseDuration } from '../src/cli/options.js';
import { CONTROL_TOKEN_ENV, controlAccess } from '../src/cli/serve-policy.js';
import { isLoopbackHost, originOf } from '../src/node/hosts.js';
import { LineWriter, formatLogJson, formatLogText, printable } from '../src/node/request-log.js';
import { writeSchemasDir } from '../src/node/schemas-dir.js';
import { mixedDocument } from './support/contracts.js';
import { CLI, serveCli, until, type Served } from './support/serve-cli.js';

const TOKEN = 'demo-admin-token';
const USER_TOKEN = 'demo-user-token';

let base: string;
let schemas: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  base = mkdtempSync(join(tmpdir(), 'authentik-mock-demo-'));
  schemas = join(base, 'schemas');
  writeSchemasDir(schemas, mixedDocument(), { generator: 'test', operations: [], components: [] });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('durations (--reset-every)', () => {
  it('reads 90s, 30m, 1h, 1h30m, 1.5h, 500ms, 1d and writes them back', () => {
    expect(['90s', '30m', '1h', '1h30m', '1.5h', '500ms', '1d'].map(parseDuration)).toEqual([
      90_000, 1_800_000, 3_600_000, 5_400_000, 5_400_000, 500, 86_400_000,
    ]);
    expect([90_000, 5_400_000, 1500, 86_400_000].map(formatDuration)).toEqual(['1m30s', '1h30m', '1s500ms', '1d']);
    for (const bad of ['', '10', 'h', '1x', '1h 30m', '-1s', '1hh']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('the option parser names what is wrong: not a duration, too short, longer than a timer can wait', () => {
    const parse = duration(100);
    expect(parse('30m')).toBe(1_800_000);
    expect(() => parse('30')).toThrow('expected a duration such as 90s, 30m, 1h or 1h30m, got "30"');
    expect(() => parse('10ms')).toThrow('expected at least 100ms');
    expect(() => parse('30d')).toThrow('(24 days)');
  });
});

describe('control access (--control-token, --allowed-hosts)', () => {
  const noEnv = {};

  it('on loopback, the control API takes the admin token unless a control token is given (flag over environment)', () => {
    expect(controlAccess('127.0.0.1', {}, noEnv)).toEqual({
      controlToken: undefined,
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
      source: 'admin',
    });
    expect(controlAccess('127.0.0.1', {}, { [CONTROL_TOKEN_ENV]: 'from-env' })).toMatchObject({ controlToken: 'from-env', source: 'env' });
    expect(controlAccess('localhost', { controlToken: 'flag' }, { [CONTROL_TOKEN_ENV]: 'from-env' })).toMatchObject({
      controlToken: 'flag',
      source: 'flag',
    });
    expect(controlAccess('127.0.0.1', {}, { [CONTROL_TOKEN_ENV]: '' })).toMatchObject({ source: 'admin' });
  });

  it('--demo generates a control token when none is given (flag and environment still win), on any host', () => {
    expect(controlAccess('0.0.0.0', { generatedToken: 'G' }, {})).toMatchObject({ controlToken: 'G', source: 'generated' });
    expect(controlAccess('127.0.0.1', { generatedToken: 'G' }, {})).toMatchObject({ controlToken: 'G', source: 'generated' });
    expect(controlAccess('0.0.0.0', { generatedToken: 'G' }, { [CONTROL_TOKEN_ENV]: 'E' })).toMatchObject({
      controlToken: 'E',
      source: 'env',
    });
    expect(controlAccess('0.0.0.0', { generatedToken: 'G', controlToken: 'F' }, {})).toMatchObject({ controlToken: 'F', source: 'flag' });
  });

  it('on a host other machines reach, it is off unless a control token is given', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'demo.example.com'])
      expect(controlAccess(host, {}, noEnv), host).toMatchObject({ controlToken: false, source: 'off' });
    expect(controlAccess('0.0.0.0', { controlToken: 'k' }, noEnv)).toMatchObject({ controlToken: 'k', source: 'flag' });
    expect(controlAccess('0.0.0.0', {}, { [CONTROL_TOKEN_ENV]: 'e' })).toMatchObject({ controlToken: 'e', source: 'env' });
  });

  it('allowed Host names: loopback, the --host name or address (not a wildcard), and --allowed-hosts; "all" for any', () => {
    expect(controlAccess('Demo.Example.com', {}, noEnv).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', 'demo.example.com']);
    expect(controlAccess('192.168.1.20', {}, noEnv).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', '192.168.1.20']);
    expect(controlAccess('fd00::1', {}, noEnv).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', '[fd00::1]']);
    expect(controlAccess('0.0.0.0', { allowedHosts: ['demo.local', 'Other.Example'] }, noEnv).allowedHosts).toEqual([
      'localhost',
      '127.0.0.1',
      '[::1]',
      'demo.local',
      'other.example',
    ]);
    expect(controlAccess('0.0.0.0', { allowedHosts: ['all'] }, noEnv).allowedHosts).toBe(true);
  });

  it('loopback is localhost, 127.0.0.0/8 and ::1; URLs bracket IPv6', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'app.localhost'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', 'localhost.example.com'])
      expect(isLoopbackHost(host), host).toBe(false);
    expect(originOf('::1', 9000)).toBe('http://[::1]:9000');
    expect(originOf('127.0.0.1', 9000)).toBe('http://127.0.0.1:9000');
  });
});

describe('the banner', () => {
  const info = (overrides: Partial<BannerInfo>): BannerInfo => ({
    operations: 20,
    resources: 9,
    readyMs: 100,
    origin: 'http://127.0.0.1:9000',
    base: '/api/v3/',
    operationsFile: { path: '/x/schemas/index.json', index: true },
    host: '127.0.0.1',
    access: controlAccess('127.0.0.1', {}, {}),
    customHosts: false,
    adminToken: 'ADMIN',
    userToken: 'USER',
    log: { format: 'text', quiet: false },
    ...overrides,
  });

  it('on a public host without a control token: the control API is off, and how to turn it on', () => {
    const text = bannerLines(info({ host: '0.0.0.0', origin: 'http://0.0.0.0:9000', access: controlAccess('0.0.0.0', {}, {}) })).join('\n');
    expect(text).toContain('control     off: 0.0.0.0 is reachable from other machines and no control token is set');
    expect(text).toContain(`--control-token KEY or $${CONTROL_TOKEN_ENV}`);
    expect(text).not.toContain('http://0.0.0.0:9000/_mock/');
    // The operator hands these out: they are printed on the operator's own terminal, whatever the host.
    expect(text).toContain('admin token (akadmin):   ADMIN');
    expect(text).toContain('user token (no rights):  USER');
  });

  it('with a control token on a public host: the control URL, which token, and the Host names it answers to', () => {
    const access = controlAccess('0.0.0.0', { controlToken: 'k', allowedHosts: ['demo.local'] }, {});
    const text = bannerLines(info({ host: '0.0.0.0', origin: 'http://0.0.0.0:9000', access, customHosts: true })).join('\n');
    expect(text).toContain(
      'control     http://0.0.0.0:9000/_mock/  (summary; tokens, dump, load, reset; Bearer the control token (--control-token))',
    );
    expect(text).toContain('hosts       the control API answers Host: localhost, 127.0.0.1, [::1], demo.local');
    expect(text).not.toContain(': k');
  });

  it('on loopback: the admin token opens the control API; data, reset and log lines', () => {
    const lines = bannerLines(
      info({
        data: { file: '/d/world.json', state: 'loaded', saveDelayMs: 1000 },
        resetEvery: { ms: 3_600_000, next: new Date('2024-01-01T01:00:00Z') },
        log: { format: 'json', quiet: false },
      }),
    );
    expect(lines).toContain('  control     http://127.0.0.1:9000/_mock/  (summary; tokens, dump, load, reset; Bearer the admin token)');
    expect(lines).toContain('  data        /d/world.json  (loaded; saved 1s after a change and at exit)');
    expect(lines).toContain('  reset       every 1h, next at 2024-01-01T01:00:00.000Z  (back to the start; scenarios cleared)');
    expect(lines).toContain('  log         one JSON object per request on stdout (this banner: stderr)');
    expect(lines.join('\n')).not.toContain('hosts ');
  });
});

describe('request log lines', () => {
  const entry = { method: 'GET', url: '/api/v3/core/users/?page=2', status: 200, ms: 3.14159, identity: 'akadmin' };

  it('text: method, path, status, ms, identity', () => {
    expect(formatLogText(entry)).toBe('GET /api/v3/core/users/?page=2 200 3.1ms akadmin');
    expect(formatLogText({ ...entry, status: 0 })).toBe('GET /api/v3/core/users/?page=2 - 3.1ms akadmin');
  });

  it('text escapes what could forge a line or drive the terminal', () => {
    expect(printable('evil\u001b[2J\nGET / 200 1.0ms akadmin\u202e')).toBe('evil\\x1b[2J\\x0aGET / 200 1.0ms akadmin\\u202e');
    expect(formatLogText({ ...entry, identity: 'a\rb' })).toBe('GET /api/v3/core/users/?page=2 200 3.1ms a\\x0db');
  });

  it('json: one object with an ISO time', () => {
    expect(JSON.parse(formatLogJson(entry, new Date('2024-05-06T07:08:09.010Z')))).toEqual({
      time: '2024-05-06T07:08:09.010Z',
      method: 'GET',
      url: '/api/v3/core/users/?page=2',
      status: 200,
      ms: 3.14,
      identity: 'akadmin',
    });
  });
});

describe('LineWriter', () => {
  /** A stream that records its writes; `backlog` plays the bytes a slow reader has not taken yet. */
  function fakeStream() {
    const stream = Object.assign(new EventEmitter(), {
      writes: [] as string[],
      writableLength: 0,
      write(chunk: string) {
        stream.writes.push(chunk);
        return true;
      },
    });
    return stream;
  }
  const nextTurn = () => new Promise((r) => setImmediate(r));

  it('writes the lines of one event-loop turn in one write', async () => {
    const stream = fakeStream();
    const writer = new LineWriter(stream as unknown as NodeJS.WritableStream, (n) => `dropped ${n}`);
    for (let i = 0; i < 100; i++) writer.write(`line ${i}`);
    expect(stream.writes).toEqual([]);
    await nextTurn();
    expect(stream.writes).toHaveLength(1);
    expect(stream.writes[0]!.split('\n')).toHaveLength(101);
    writer.write('later');
    writer.flush();
    expect(stream.writes[1]).toBe('later\n');
  });

  it('drops and counts lines while the reader is behind, and says so once it catches up', async () => {
    const stream = fakeStream();
    const writer = new LineWriter(stream as unknown as NodeJS.WritableStream, (n) => `dropped ${n}`, 1000);
    stream.writableLength = 5000;
    for (let i = 0; i < 10; i++) writer.write(`line ${i}`);
    await nextTurn();
    expect(stream.writes).toEqual([]);
    stream.writableLength = 0;
    writer.write('back');
    await nextTurn();
    expect(stream.writes).toEqual(['back\ndropped 10\n']);
  });

  it('stops writing after the stream fails (a closed pipe), without throwing', async () => {
    const stream = fakeStream();
    const writer = new LineWriter(stream as unknown as NodeJS.WritableStream, (n) => `dropped ${n}`);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    writer.write('lost');
    await nextTurn();
    expect(stream.writes).toEqual([]);
  });
});

// ——— end to end: the built CLI ———

/** `serve` on the small schemas folder with the test's tokens (no control token from the environment). */
const serve = (args: string[], env: Record<string, string> = {}) =>
  serveCli(['--schemas', schemas, '--records', '2', '--token', TOKEN, '--user-token', USER_TOKEN, ...args], {
    [CONTROL_TOKEN_ENV]: '',
    ...env,
  });

const get = (served: Served, path: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, served.api), { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

const send = (served: Served, method: string, path: string, body: unknown, token = TOKEN) =>
  fetch(new URL(path, served.api), {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Request log lines: what stdout holds after the banner (text mode). */
const logLines = (served: Served) =>
  served
    .stdout()
    .slice(served.stdout().indexOf(served.banner) + served.banner.length)
    .split('\n')
    .filter((line) => line !== '');

/** A request with a Host header of our choosing (fetch does not let one set it). */
function withHost(served: Served, path: string, host: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, served.origin);
    const req = httpRequest(
      { host: '127.0.0.1', port: url.port, path: url.pathname, headers: { host, authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.once('error', reject).end();
  });
}

describe('serve: request log (the built CLI)', () => {
  it('one line per request: method, path and query, status, ms, who asked', async () => {
    const served = await serve([]);
    try {
      expect(served.banner).toContain('log         one line per request on stdout');
      await get(served, 'core/users/?page_size=1', TOKEN);
      await get(served, 'core/users/?page_size=1', USER_TOKEN);
      await get(served, 'core/users/');
      await get(served, 'core/users/', 'not-a-key');
      await get(served, 'core/users/', TOKEN, { prefer: 'code=503' });
      await get(served, 'nowhere/', TOKEN);
      await get(served, '/_mock/', TOKEN);
      await until(() => logLines(served).length >= 7);
      expect(logLines(served)).toEqual([
        expect.stringMatching(/^GET \/api\/v3\/core\/users\/\?page_size=1 200 \d+\.\dms akadmin$/),
        expect.stringMatching(/^GET \/api\/v3\/core\/users\/\?page_size=1 200 \d+\.\dms \S+$/),
        expect.stringMatching(/^GET \/api\/v3\/core\/users\/ 403 \d+\.\dms anonymous$/),
        expect.stringMatching(/^GET \/api\/v3\/core\/users\/ 403 \d+\.\dms invalid token$/),
        expect.stringMatching(/^GET \/api\/v3\/core\/users\/ 503 \d+\.\dms akadmin$/),
        expect.stringMatching(/^GET \/api\/v3\/nowhere\/ 404 \d+\.\dms akadmin$/),
        expect.stringMatching(/^GET \/_mock\/ 200 \d+\.\dms control$/),
      ]);
      expect(logLines(served)[1]).not.toMatch(/akadmin$/);
    } finally {
      expect(await served.stop()).toBe(0);
    }
    expect(served.stdout().trimEnd().split('\n').at(-1)).toBe('authentik-mock: SIGTERM, stopping');
  });

  it('a username cannot forge log lines or reach the terminal', async () => {
    const served = await serve([]);
    try {
      // The ordinary user: the owner of the tokens it can list.
      const own = (await (await get(served, 'core/tokens/', USER_TOKEN)).json()) as { results: Array<{ user: number }> };
      const user = own.results[0]!.user;
      const evil = 'evil\u001b[2J\nGET /api/v3/core/users/ 200 1.0ms akadmin';
      expect((await send(served, 'PATCH', `core/users/${user}/`, { username: evil })).status).toBe(200);
      await get(served, 'core/users/?page_size=1', USER_TOKEN);
      await until(() => logLines(served).length >= 3);
      expect(logLines(served)).toHaveLength(3);
      expect(logLines(served)[2]).toMatch(/^GET \/api\/v3\/core\/users\/\?page_size=1 200 \d+\.\dms evil\\x1b\[2J\\x0aGET /);
      expect(served.stdout()).not.toContain('\u001b');
    } finally {
      await served.stop();
    }
  });

  it('--log json: stdout is one JSON object per line (the banner goes to stderr)', async () => {
    const served = await serve(['--log', 'json']);
    try {
      expect(served.stderr()).toContain('API         http://127.0.0.1:');
      expect(served.stdout()).toBe('');
      await get(served, 'core/users/?page_size=1', TOKEN);
      await send(served, 'POST', 'widgets/widgets/', { name: 'logged', slug: 'logged' });
      await until(() => served.stdout().split('\n').length > 2);
    } finally {
      await served.stop();
    }
    const lines = served
      .stdout()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      {
        time: expect.any(String),
        method: 'GET',
        url: '/api/v3/core/users/?page_size=1',
        status: 200,
        ms: expect.any(Number),
        identity: 'akadmin',
      },
      {
        time: expect.any(String),
        method: 'POST',
        url: '/api/v3/widgets/widgets/',
        status: 201,
        ms: expect.any(Number),
        identity: 'akadmin',
      },
      { time: expect.any(String), event: 'stop', message: 'SIGTERM, stopping', signal: 'SIGTERM' },
    ]);
    for (const line of lines) expect(new Date(line['time'] as string).toISOString()).toBe(line['time']);
  });

  it('--quiet: no request log; the banner and the stop notice stay', async () => {
    const served = await serve(['--quiet']);
    try {
      expect(served.banner).toContain('log         off (--quiet)');
      for (let i = 0; i < 5; i++) expect((await get(served, 'core/users/?page_size=1', TOKEN)).status).toBe(200);
    } finally {
      await served.stop();
    }
    expect(logLines(served)).toEqual(['authentik-mock: SIGTERM, stopping']);
  });
});

describe('serve --reset-every (the built CLI)', () => {
  it('returns the world to its start and clears scenarios on the period; the banner says when; with --data the reset is saved', async () => {
    const file = join(base, 'reset-world.json');
    const served = await serve(['--reset-every', '1s', '--data', file, '--save-delay', '50', '--quiet']);
    try {
      expect(served.banner).toMatch(/reset {7}every 1s, next at \d{4}-\d\d-\d\dT[\d:.]+Z {2}\(back to the start; scenarios cleared\)/);
      const rule = await fetch(new URL('/_mock/scenarios', served.origin), {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ match: { operationId: 'core_groups_list' }, respond: { status: 503 } }),
      });
      expect(rule.status).toBe(201);
      // A widget created after a reset is gone at the next one, with the rule.
      await until(async () => {
        const created = await send(served, 'POST', 'widgets/widgets/', { name: 'temporary', slug: 'temporary' });
        return created.status === 201;
      });
      await until(async () => (await get(served, 'widgets/widgets/temporary/', TOKEN)).status === 404);
      await until(() => served.stdout().includes('authentik-mock: world reset to its start, scenarios cleared; next at '));
      const rules = (await (
        await fetch(new URL('/_mock/scenarios', served.origin), { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json()) as unknown[];
      expect(rules).toEqual([]);
      expect((await get(served, 'core/groups/', TOKEN)).status).toBe(200);
      // The reset is a change: the file follows it.
      await until(() => existsSync(file) && !readFileSync(file, 'utf8').includes('"temporary"'));
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});

describe('serve: control access flags (the built CLI)', () => {
  it('--control-token replaces the admin token on /_mock/; $AUTHENTIK_MOCK_CONTROL_TOKEN does the same', async () => {
    const flagged = await serve(['--control-token', 'ctl-flag', '--quiet']);
    try {
      expect(flagged.banner).toContain('Bearer the control token (--control-token)');
      expect((await get(flagged, '/_mock/', 'ctl-flag')).status).toBe(200);
      expect((await get(flagged, '/_mock/', TOKEN)).status).toBe(403);
      expect((await get(flagged, 'core/users/', TOKEN)).status).toBe(200); // the API still takes the admin token
    } finally {
      await flagged.stop();
    }
    const fromEnv = await serve(['--quiet'], { [CONTROL_TOKEN_ENV]: 'ctl-env' });
    try {
      expect(fromEnv.banner).toContain(`Bearer the control token ($${CONTROL_TOKEN_ENV})`);
      expect((await get(fromEnv, '/_mock/', 'ctl-env')).status).toBe(200);
      expect((await get(fromEnv, '/_mock/', TOKEN)).status).toBe(403);
    } finally {
      await fromEnv.stop();
    }
  });

  it('--allowed-hosts: the control API answers those Host names besides loopback ones, and no others', async () => {
    const served = await serve(['--allowed-hosts', 'demo.example, other.example', '--quiet']);
    try {
      expect(served.banner).toContain('hosts       the control API answers Host: localhost, 127.0.0.1, [::1], demo.example, other.example');
      const port = new URL(served.origin).port;
      expect(await withHost(served, '/_mock/', `demo.example:${port}`, TOKEN)).toBe(200);
      expect(await withHost(served, '/_mock/', `localhost:${port}`, TOKEN)).toBe(200);
      expect(await withHost(served, '/_mock/', `rebound.example:${port}`, TOKEN)).toBe(403);
      expect(await withHost(served, '/api/v3/core/users/', `rebound.example:${port}`, TOKEN)).toBe(200); // the API itself is not host-bound
    } finally {
      await served.stop();
    }
  });
});
