// The built package as a consumer project meets it: the CLI run from a directory without schemas/, and the entry
// points imported by name (node_modules/authentik-mock → this repository), with no schemas argument anywhere.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/contracts.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const PACKAGE_SCHEMAS = join(ROOT, 'schemas');
const REFERENCE_OPERATIONS = 875;
const run = promisify(execFile);

/** `node dist/cli/main.js ...args` in `cwd`: its stdout. */
async function cli(cwd: string, ...args: string[]): Promise<string> {
  return (await run(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 })).stdout;
}

/** `serve --port 0` in `cwd` until its banner is complete; the banner, and a way to stop it. */
async function serve(cwd: string, ...args: string[]): Promise<{ banner: string; api: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let banner = '';
  let errors = '';
  child.stderr.on('data', (chunk) => (errors += String(chunk)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      banner += String(chunk);
      if (banner.includes('user token')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before it was ready: ${errors}`)));
  });
  const api = /API\s+(\S+)/.exec(banner)?.[1];
  if (!api) throw new Error(`no API line in the banner:\n${banner}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    banner,
    api,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

let base: string;
let empty: string;
let withLocal: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  base = mkdtempSync(join(tmpdir(), 'authentik-mock-consumer-'));
  empty = join(base, 'empty');
  withLocal = join(base, 'with-local');
  mkdirSync(empty);
  mkdirSync(withLocal);
  await cli(withLocal, 'import', join(ROOT, 'fixtures', 'pages'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the built CLI, from a directory without schemas/', () => {
  it("serve: the package's 875 operations, and the banner says where their list is", async () => {
    const server = await serve(empty, '--token', 'consumer-token');
    try {
      expect(server.banner).toContain(`authentik-mock: ${REFERENCE_OPERATIONS} operations,`);
      expect(server.banner).toMatch(
        new RegExp(
          `operations\\s+${join(PACKAGE_SCHEMAS, 'index.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+\\(lists all ${REFERENCE_OPERATIONS}\\)`,
        ),
      );
      expect(server.banner).toMatch(/resources\s+http:\/\/127\.0\.0\.1:\d+\/_mock\/resources/);
      const index = JSON.parse(readFileSync(join(PACKAGE_SCHEMAS, 'index.json'), 'utf8')) as { operations: unknown[] };
      expect(index.operations).toHaveLength(REFERENCE_OPERATIONS);

      const users = await fetch(`${server.api}core/users/?page_size=3`, { headers: { authorization: 'Bearer consumer-token' } });
      expect(users.status).toBe(200);
      expect((await users.json()).results).toHaveLength(3);
      const summary = await (await fetch(new URL('/_mock/', server.api), { headers: { authorization: 'Bearer consumer-token' } })).json();
      expect(summary.operations).toBe(REFERENCE_OPERATIONS);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('fixtures: bodies for any authentik operation', async () => {
    const users = JSON.parse(await cli(empty, 'fixtures', 'core_users_retrieve', '--count', '2')) as Array<{ username: unknown }>;
    expect(users).toHaveLength(2);
    expect(typeof users[0]!.username).toBe('string');
    await expect(cli(empty, 'fixtures', 'no_such_operation')).rejects.toMatchObject({
      stderr: expect.stringContaining(`see ${join(PACKAGE_SCHEMAS, 'index.json')}`),
    });
  });

  it('bundle: the whole contract as one file', async () => {
    const out = join(empty, 'contract.json');
    expect(await cli(empty, 'bundle', '--out', out)).toContain(`${REFERENCE_OPERATIONS} operations`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { operations: unknown[] }).operations).toHaveLength(REFERENCE_OPERATIONS);
  });
});

describe('the built CLI, in a project with its own schemas/', () => {
  it('uses ./schemas (here: the five seed pages, imported)', async () => {
    const local = readdirSync(join(withLocal, 'schemas', 'operations')).length;
    expect(local).toBeLessThan(REFERENCE_OPERATIONS);
    expect(await cli(withLocal, 'bundle', '--out', 'contract.json')).toContain(`${local} operations`);
    const server = await serve(withLocal);
    try {
      expect(server.banner).toContain(`authentik-mock: ${local} operations,`);
      expect(server.banner).toContain(join(withLocal, 'schemas', 'index.json'));
    } finally {
      await server.stop();
    }
  });

  it('--schemas names another folder', async () => {
    const out = join(withLocal, 'whole.json');
    expect(await cli(withLocal, 'bundle', '--schemas', PACKAGE_SCHEMAS, '--out', out)).toContain(`${REFERENCE_OPERATIONS} operations`);
  });
});

describe('the entry points, imported by name from a project without schemas/', () => {
  it('authentik-mock/node, /express and /msw (its Node build) need no schemas argument', async () => {
    const project = join(base, 'by-name');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(project, 'node_modules', 'authentik-mock'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', 'msw'), join(project, 'node_modules', 'msw'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(
      join(project, 'main.js'),
      `import { once } from 'node:events';
import { setupServer } from 'msw/node';
import { createApp } from 'authentik-mock/express';
import { createHandlers } from 'authentik-mock/msw';
import { createMock, loadContract } from 'authentik-mock/node';

const auth = { headers: { authorization: 'Bearer by-name' } };
const out = { msw: import.meta.resolve('authentik-mock/msw'), loadContract: loadContract().operations.length, createMock: createMock().contract.operations.length };

const app = createApp({ adminToken: 'by-name' });
const http = app.listen(0, '127.0.0.1');
await once(http, 'listening');
const viaHttp = await fetch('http://127.0.0.1:' + http.address().port + '/api/v3/core/users/?page_size=2', auth);
out.createApp = [app.mock.contract.operations.length, viaHttp.status, (await viaHttp.json()).results.length];
http.close();

const handlers = createHandlers({ origin: 'http://authentik.test', adminToken: 'by-name' });
const server = setupServer(...handlers);
server.listen({ onUnhandledRequest: 'error' });
const viaMsw = await fetch('http://authentik.test/api/v3/core/groups/?page_size=3', auth);
out.createHandlers = [handlers.mock.contract.operations.length, viaMsw.status, (await viaMsw.json()).results.length];
server.close();
console.log(JSON.stringify(out));
`,
    );
    const { stdout } = await run(process.execPath, ['main.js'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({
      msw: expect.stringMatching(/\/dist\/entries\/msw-node\.js$/),
      loadContract: REFERENCE_OPERATIONS,
      createMock: REFERENCE_OPERATIONS,
      createApp: [REFERENCE_OPERATIONS, 200, 2],
      createHandlers: [REFERENCE_OPERATIONS, 200, 3],
    });
  });
});
