// Where the contract comes from when none is named: ./schemas if it is a schemas folder, else the package's own.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/adapters/express.js';
import { createHandlers as createBrowserHandlers } from '../src/adapters/msw.js';
import { createHandlers } from '../src/adapters/msw-node.js';
import { startMock, useContract } from '../src/adapters/vitest.js';
import { PACKAGE_SCHEMAS_DIR, createMock, defaultSchemasDir, loadContract } from '../src/entries/node.js';
import { writeSchemasDir } from '../src/node/schemas-dir.js';
import { ROOT, seedDocument } from './support/contracts.js';

/** All of authentik 2024.8, as the package ships it. */
const REFERENCE_OPERATIONS = 875;

let base: string;
let empty: string; // no schemas/ at all: a consumer project
let unrelated: string; // a schemas/ folder that is not ours (say, zod schemas)
let local: string; // its own schemas/ folder: the seed pages, imported

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'authentik-mock-defaults-'));
  empty = join(base, 'empty');
  unrelated = join(base, 'unrelated');
  local = join(base, 'local');
  mkdirSync(empty);
  mkdirSync(join(unrelated, 'schemas'), { recursive: true });
  writeSchemasDir(join(local, 'schemas'), seedDocument(), { generator: 'test', operations: [], components: [] });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
afterEach(() => void vi.restoreAllMocks());

const inDirectory = (dir: string) => vi.spyOn(process, 'cwd').mockReturnValue(dir);

describe('defaultSchemasDir', () => {
  it("is the package's own schemas/ when the current directory has none", () => {
    expect(PACKAGE_SCHEMAS_DIR).toBe(join(ROOT, 'schemas'));
    expect(defaultSchemasDir(empty)).toBe(PACKAGE_SCHEMAS_DIR);
    expect(defaultSchemasDir(unrelated)).toBe(PACKAGE_SCHEMAS_DIR);
  });

  it('is ./schemas when that is a schemas folder', () => {
    expect(defaultSchemasDir(local)).toBe(join(local, 'schemas'));
    inDirectory(local);
    expect(defaultSchemasDir()).toBe(join(local, 'schemas'));
  });
});

describe('no schemas argument, from a directory without schemas/', () => {
  it('loadContract() and createMock() read the whole reference', () => {
    inDirectory(empty);
    expect(loadContract().operations).toHaveLength(REFERENCE_OPERATIONS);
    expect(createMock({ seed: 1 }).contract.operations).toHaveLength(REFERENCE_OPERATIONS);
  });

  it('createApp() serves it', async () => {
    inDirectory(empty);
    const app = createApp({ adminToken: 'defaults-token' });
    expect(app.mock.contract.operations).toHaveLength(REFERENCE_OPERATIONS);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3/core/users/?page_size=2`, {
        headers: { authorization: 'Bearer defaults-token' },
      });
      expect(res.status).toBe(200);
      expect((await res.json()).results).toHaveLength(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('createHandlers() (the Node build of authentik-mock/msw) answers through MSW', async () => {
    inDirectory(empty);
    const handlers = createHandlers({ origin: 'http://authentik.test', adminToken: 'defaults-token' });
    expect(handlers.mock.contract.operations).toHaveLength(REFERENCE_OPERATIONS);
    const server = setupServer(...handlers);
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const res = await fetch('http://authentik.test/api/v3/core/groups/?page_size=3', {
        headers: { authorization: 'Bearer defaults-token' },
      });
      expect(res.status).toBe(200);
      expect((await res.json()).results).toHaveLength(3);
    } finally {
      server.close();
    }
  });

  it('startMock() and useContract() use it too', async () => {
    inDirectory(empty);
    expect(useContract().operations).toHaveLength(REFERENCE_OPERATIONS);
    const running = await startMock({ seed: 2 });
    try {
      expect(running.mock.contract.operations).toHaveLength(REFERENCE_OPERATIONS);
      const res = await fetch(`${running.apiUrl}oauth2/access_tokens/?page_size=2`, {
        headers: { authorization: `Bearer ${running.token}` },
      });
      expect({ status: res.status, body: await res.json() }).toMatchContract('oauth2_access_tokens_list');
    } finally {
      await running.close();
    }
  });
});

describe('a project with its own schemas/', () => {
  it('gets that folder, not the package’s', () => {
    inDirectory(local);
    const seeds = seedDocument().operations.length;
    expect(loadContract().operations).toHaveLength(seeds);
    expect(createApp().mock.contract.operations).toHaveLength(seeds);
    expect(createHandlers().mock.contract.operations).toHaveLength(seeds);
  });

  it('a named folder wins, and one that is not a schemas folder is an error naming it', () => {
    inDirectory(empty);
    expect(loadContract(join(local, 'schemas')).operations).toHaveLength(seedDocument().operations.length);
    expect(() => loadContract(join(unrelated, 'schemas'))).toThrow(`${join(unrelated, 'schemas')}: no operations/ folder`);
    expect(() => createHandlers({ schemas: join(unrelated, 'schemas') })).toThrow(/no operations\/ folder/);
  });
});

describe('the browser build of authentik-mock/msw', () => {
  it('is what every resolver but Node gets (src/entries/msw.ts, checked by browser-safety.test.ts)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./msw']).toEqual({
      types: './dist/entries/msw.d.ts',
      node: './dist/entries/msw-node.js',
      default: './dist/entries/msw.js',
    });
  });

  it('reads no files: without a contract it says how to give one', () => {
    expect(() => createBrowserHandlers()).toThrow(
      /in a browser, pass the contract — the module `npx authentik-mock bundle --out public\/authentik-contract.js` writes/,
    );
    expect(() => createBrowserHandlers({ schemas: 'schemas' })).toThrow(/in a browser, pass the contract/);
  });

  it('works with a contract, as before', () => {
    const handlers = createBrowserHandlers({ contract: seedDocument() });
    expect(handlers.mock.contract.operations).toHaveLength(seedDocument().operations.length);
    expect(createBrowserHandlers({ mock: handlers.mock }).mock).toBe(handlers.mock);
  });
});
