// The CLI as a user meets it, run from the built package: flags and their errors, what `serve` prints and does with
// the new flags, what `contract` does with a refused token, `npm start` stopping with npm.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSchemasDir } from '../src/node/schemas-dir.js';
import { ROOT, mixedDocument } from './support/contracts.js';
import { libraryContract, resource } from './support/library.js';
import { printed, runCli, serveCli, until, type Served } from './support/serve-cli.js';

let base: string;
let mixed: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'authentik-mock-cli-'));
  mixed = join(base, 'mixed-schemas');
  writeSchemasDir(mixed, mixedDocument(), { generator: 'test', operations: [], components: [] });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

/** Who a key authenticates as on a served reference API: username and superuser flag, or the status it got. */
async function whoIs(served: Served, key: string): Promise<{ username: string; superuser: boolean } | number> {
  const answer = await fetch(`${served.api}core/users/me/`, bearer(key));
  if (answer.status !== 200) return answer.status;
  const { user } = (await answer.json()) as { user: { username: string; is_superuser: boolean } };
  return { username: user.username, superuser: user.is_superuser };
}

describe('flags', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('a bad value is one line that starts with the flag', async () => {
    const port = await runCli(['serve', '--port', '70000']);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toBe('error: --port: expected a port from 0 to 65535 (0: any free port), got "70000"\n');
    const url = await runCli(['contract', '--base-url', 'localhost:9000', '--token', 'x']);
    expect(url.code).not.toBe(0);
    expect(url.stderr).toMatch(/^error: --base-url: not a URL, got "localhost:9000"[^\n]*\n$/);
    expect((await runCli(['serve', '--records', 'many'])).stderr).toMatch(/^error: --records: expected a whole number, got "many"\n$/);
  });

  it('a port in use is one line that says what to do, exit 2', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const run = await runCli(['serve', '--schemas', mixed, '--port', String(port)]);
      expect(run).toMatchObject({ code: 2, stderr: `error: port ${port} is in use: pass --port 0 for a free one\n` });
    } finally {
      holder.close();
    }
  });

  it('--help says what --records 0 is: a fresh install', async () => {
    expect((await runCli(['serve', '--help'])).stdout).toMatch(/--records <n>\s+records generated per resource \(0: a fresh\s+install/);
  });
});

describe('contract', () => {
  let served: Served;
  beforeAll(async () => void (served = await serveCli(['--schemas', mixed, '--token', 'good-key', '--quiet'])));
  afterAll(() => served.stop());

  it('a refused token stops the run at once: one line, exit 2, no line per operation', async () => {
    const run = await runCli(['contract', '--schemas', mixed, '--base-url', served.origin, '--token', 'wrong-key']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: the server refused the token: GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/\S+ answered 403 \{"detail":"Token invalid\/expired"\}, as it answers a made-up key: pass a key that works with --token or \$AUTHENTIK_TOKEN\n$/,
    );
  });

  it('an unknown --only operationId names the nearest one', async () => {
    const run = await runCli([
      'contract',
      '--schemas',
      mixed,
      '--base-url',
      served.origin,
      '--token',
      'good-key',
      '--only',
      'widget_widgets_list',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('widget_widgets_list (did you mean widgets_widgets_list?)');
    const ok = await runCli([
      'contract',
      '--schemas',
      mixed,
      '--base-url',
      served.origin,
      '--token',
      'good-key',
      '--only',
      'widgets_widgets_list',
    ]);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining('1 passed, 0 failed, 0 skipped') });
  });

  it('fixtures: an unknown operationId names the nearest one', async () => {
    expect((await runCli(['fixtures', 'widgets_widget_retrieve', '--schemas', mixed])).stderr).toContain(
      'did you mean widgets_widgets_retrieve?',
    );
  });
});

describe('serve: who the printed keys and logins are', () => {
  it('the user key is the ordinary user whether or not --token names the admin key, and across a restart with --data', async () => {
    const file = join(base, 'who.json');
    const plain = await serveCli(['--data', file, '--quiet']);
    let userKey: string;
    try {
      userKey = printed(plain, 'user token');
      expect(await whoIs(plain, userKey)).toEqual({ username: 'user', superuser: false });
      expect(await whoIs(plain, printed(plain, 'admin token'))).toEqual({ username: 'akadmin', superuser: true });
      const created = await fetch(`${plain.api}core/groups/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${printed(plain, 'admin token')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'kept' }),
      });
      expect(created.status).toBe(201);
    } finally {
      expect(await plain.stop()).toBe(0);
    }
    const restarted = await serveCli(['--data', file, '--token', 'new-admin-key', '--quiet']);
    try {
      expect(printed(restarted, 'admin token')).toBe('new-admin-key');
      expect(printed(restarted, 'user token')).toBe(userKey);
      expect(await whoIs(restarted, userKey)).toEqual({ username: 'user', superuser: false });
      expect(await whoIs(restarted, 'new-admin-key')).toEqual({ username: 'akadmin', superuser: true });
    } finally {
      await restarted.stop();
    }
    const withToken = await serveCli(['--token', 'only-admin-key', '--quiet']);
    try {
      expect(await whoIs(withToken, printed(withToken, 'user token'))).toEqual({ username: 'user', superuser: false });
    } finally {
      await withToken.stop();
    }
  }, 60_000);

  it('prints both logins: --admin-password, else $AUTHENTIK_BOOTSTRAP_PASSWORD; --user-password', async () => {
    const given = await serveCli(['--schemas', mixed, '--admin-password', 'admin-pass', '--user-password', 'user-pass', '--quiet'], {
      AUTHENTIK_BOOTSTRAP_PASSWORD: 'from-env',
    });
    try {
      expect(printed(given, 'admin login')).toBe('akadmin / admin-pass');
      expect(printed(given, 'user login')).toBe('user / user-pass');
    } finally {
      await given.stop();
    }
    const fromEnv = await serveCli(['--schemas', mixed, '--quiet'], { AUTHENTIK_BOOTSTRAP_PASSWORD: 'from-env' });
    try {
      expect(printed(fromEnv, 'admin login')).toBe('akadmin / from-env');
      expect(printed(fromEnv, 'user login')).toMatch(/^user \/ \S{12,}$/); // random
      // The banner shows what the world holds: the dump keeps the same passwords.
      const dump = (await (await fetch(`${fromEnv.origin}/_mock/dump`, bearer(printed(fromEnv, 'admin token')))).json()) as {
        passwords: Record<string, string>;
      };
      expect(Object.values(dump.passwords)).toEqual(expect.arrayContaining(['from-env', printed(fromEnv, 'user login').slice(7)]));
    } finally {
      await fromEnv.stop();
    }
  });
});

describe('serve --blueprints', () => {
  it("applies a team's blueprints after authentik's own", async () => {
    const folder = join(base, 'team-blueprints');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'groups.yaml'),
      'version: 1\nmetadata:\n  name: team groups\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: team-a\n',
    );
    const served = await serveCli(['--blueprints', folder, '--quiet']);
    try {
      const groups = await fetch(`${served.api}core/groups/?name=team-a`, bearer(printed(served, 'admin token')));
      expect(((await groups.json()) as { pagination: { count: number } }).pagination.count).toBe(1);
    } finally {
      await served.stop();
    }
  });

  it('a bad blueprint stops serve with one line naming the file, the entry and the reason', async () => {
    const file = join(base, 'bad.yaml');
    writeFileSync(
      file,
      'version: 1\nmetadata:\n  name: broken\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: team-b\n    attrs:\n      is_superuser: maybe\n',
    );
    const run = await runCli(['serve', '--port', '0', '--blueprints', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: ${file}: entries[0] (authentik_core.group): invalid values: is_superuser: Must be a valid boolean.\n`);
    expect((await runCli(['serve', '--port', '0', '--blueprints', join(base, 'missing.yaml')])).stderr).toBe(
      `error: ${join(base, 'missing.yaml')}: cannot read blueprints (ENOENT)\n`,
    );
  });
});

describe('serve --data', () => {
  it('an empty file is a new world: saved at the first change, loaded at the next start', async () => {
    const file = join(base, 'empty.json');
    writeFileSync(file, '');
    const first = await serveCli(['--schemas', mixed, '--data', file, '--save-delay', '50', '--token', 'k', '--quiet']);
    try {
      expect(first.banner).toContain(`data        ${file}  (empty: a new world from the seed, written at the first change;`);
      const created = await fetch(`${first.api}widgets/widgets/`, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'first widget', slug: 'first-widget' }),
      });
      expect(created.status).toBe(201);
      await until(() => statSync(file).size > 0);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const second = await serveCli(['--schemas', mixed, '--data', file, '--token', 'k', '--quiet']);
    try {
      expect(second.banner).toContain(`data        ${file}  (loaded;`);
      expect((await fetch(`${second.api}widgets/widgets/first-widget/`, bearer('k'))).status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});

describe('serve: the request log and long generation', () => {
  it("a streamed answer's line is written once it is sent, with its whole duration", async () => {
    // The dump is streamed and generates the world's tables as it goes: the answer exists long before its last byte.
    const served = await serveCli(['--records', '60', '--token', 'k']);
    try {
      const started = performance.now();
      const dump = await fetch(`${served.origin}/_mock/dump`, bearer('k'));
      await dump.arrayBuffer();
      const clientMs = performance.now() - started;
      await until(() => served.stdout().includes('GET /_mock/dump 200'));
      const logged = Number(/GET \/_mock\/dump 200 ([\d.]+)ms control/.exec(served.stdout())![1]);
      expect(logged).toBeGreaterThan(clientMs / 2);
    } finally {
      await served.stop();
    }
  });

  it('a world of 100,000 records or more is generated before the server listens, with progress on stderr', async () => {
    const schemas = join(base, 'many-tables');
    const paths: Record<string, object> = {};
    const components: Record<string, object> = {};
    for (let i = 0; i < 20; i++) {
      Object.assign(paths, resource(`/shelves/shelf${i}/`, `Shelf${i}`));
      const name = { type: 'string', maxLength: 16 };
      components[`Shelf${i}`] = { type: 'object', properties: { pk: { type: 'integer', readOnly: true }, name }, required: ['pk', 'name'] };
      components[`Shelf${i}Request`] = { type: 'object', properties: { name }, required: ['name'] };
    }
    writeSchemasDir(schemas, libraryContract(paths, components), { generator: 'test', operations: [], components: [] });
    const served = await serveCli(['--schemas', schemas, '--records', '5000', '--token', 'k', '--quiet']);
    try {
      const progress = served.stderr().trim().split('\n');
      expect(progress[0]).toMatch(/^authentik-mock: generating the world: 0\/20 tables, [\d,]+ records so far$/);
      expect(progress.at(-1)).toMatch(/^authentik-mock: generated the world: 20 tables, 100,\d{3} records$/);
      const summary = (await (await fetch(`${served.origin}/_mock/`, bearer('k'))).json()) as { records: Record<string, number> };
      expect(Object.values(summary.records).filter((n) => n === 5000)).toHaveLength(20);
    } finally {
      await served.stop();
    }
  }, 60_000);
});

describe('serve: the official client installed in the project', () => {
  function project(version: string): string {
    const dir = mkdtempSync(join(base, 'project-'));
    mkdirSync(join(dir, 'node_modules', '@goauthentik', 'api'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', '@goauthentik', 'api', 'package.json'), JSON.stringify({ name: '@goauthentik/api', version }));
    return dir;
  }

  it('another authentik release than the served contract: the banner says so', async () => {
    const served = await serveCli(['--quiet'], {}, project('2026.2.1'));
    try {
      expect(served.banner).toMatch(
        /^ {2}client {6}@goauthentik\/api 2026\.2\.1 is installed here, but this mock serves authentik 2024\.8: /m,
      );
    } finally {
      await served.stop();
    }
  });

  it('the same release: nothing to say', async () => {
    const served = await serveCli(['--quiet'], {}, project('2024.8.3-1729836831'));
    try {
      expect(served.banner).not.toContain('client ');
    } finally {
      await served.stop();
    }
  });
});

describe('npm start', () => {
  it('stops the server when npm is stopped (no node left on the port)', async () => {
    const npm = spawn('npm', ['start', '--', '--port', '0', '--schemas', mixed, '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk) => (output += String(chunk)));
    npm.stderr.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise((resolve) => npm.once('exit', resolve));
    await until(() => /user token/.test(output) || npm.exitCode !== null);
    const api = /API\s+(\S+)/.exec(output)?.[1];
    if (!api) throw new Error(`npm start printed no banner:\n${output}`);
    expect((await fetch(`${api}widgets/widgets/`)).status).toBe(403);
    npm.kill('SIGTERM');
    await exited;
    // The server's process outlives npm by at most its check interval and its stop.
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          const probe = httpRequest(api, { agent: false }, (res) => (res.resume(), resolve(false)));
          probe.once('error', () => resolve(true));
          probe.end();
        }),
    );
  }, 60_000);
});
