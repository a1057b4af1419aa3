// startServer (authentik-mock/node), the HTTP server `serve` and `startMock` run, and the Node options of createMock.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../src/adapters/vitest.js';
import { createMock } from '../src/node/create-mock.js';
import { startServer } from '../src/adapters/http-server.js';
import { mixedDocument, referenceDocument } from './support/contracts.js';

let dir: string;
let blueprints: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authentik-mock-node-server-'));
  blueprints = join(dir, 'blueprints');
  mkdirSync(join(blueprints, 'team'), { recursive: true });
  writeFileSync(
    join(blueprints, 'team', 'groups.yaml'),
    'version: 1\nmetadata:\n  name: team groups\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: team-a\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

describe('startServer', () => {
  it('serves the mock on a free loopback port, and close() stops it', async () => {
    const server = await startServer({ contract: mixedDocument(), adminToken: 'k' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.apiUrl).toBe(`${server.url}/api/v3/`);
    expect((await fetch(`${server.apiUrl}widgets/widgets/`, { headers: auth('k') })).status).toBe(200);
    await server.close();
    await expect(fetch(`${server.apiUrl}widgets/widgets/`, { headers: auth('k') })).rejects.toThrow();
  });

  it('keeps the world in dataFile: new at first, saved by close(), loaded at the next start', async () => {
    const dataFile = join(dir, 'world.json');
    const first = await startServer({ contract: mixedDocument(), adminToken: 'k', dataFile, saveDelayMs: 60_000 });
    expect(first.data).toEqual({ file: dataFile, state: 'new' });
    const created = await fetch(`${first.apiUrl}widgets/widgets/`, {
      method: 'POST',
      headers: { ...auth('k'), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept', slug: 'kept' }),
    });
    expect(created.status).toBe(201);
    await first.close(); // long before the save delay: close() saves
    const second = await startServer({ contract: mixedDocument(), adminToken: 'k', dataFile });
    try {
      expect(second.data?.state).toBe('loaded');
      expect((await fetch(`${second.apiUrl}widgets/widgets/kept/`, { headers: auth('k') })).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('rejects with the listen error when the port is taken', async () => {
    const first = await startServer({ contract: mixedDocument() });
    try {
      await expect(startServer({ contract: mixedDocument(), port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});

describe("the Node options of createMock and startMock: a team's blueprints as paths, the passwords", () => {
  it('createMock reads blueprint folders and files, and takes the passwords', async () => {
    const mock = createMock({
      contract: referenceDocument(),
      blueprints: [blueprints],
      adminPassword: 'admin-pass',
      userPassword: 'user-pass',
      adminToken: 'k',
    });
    expect(mock.passwords).toEqual({ admin: 'admin-pass', user: 'user-pass' });
    const groups = await mock.fetch('/api/v3/core/groups/?name=team-a', { headers: auth('k') });
    expect(((await groups.json()) as { results: Array<{ name: string }> }).results.map((g) => g.name)).toEqual(['team-a']);
    expect(() => createMock({ contract: referenceDocument(), blueprints: [join(dir, 'nope')] })).toThrow(
      /nope: cannot read blueprints \(ENOENT\)/,
    );
  });

  it('startMock takes the same options', async () => {
    const running = await startMock({
      contract: referenceDocument(),
      blueprints: [join(blueprints, 'team', 'groups.yaml')],
      adminPassword: 'pw',
    });
    try {
      expect(running.mock.passwords.admin).toBe('pw');
      const groups = await fetch(`${running.apiUrl}core/groups/?name=team-a`, { headers: auth(running.token) });
      expect(((await groups.json()) as { pagination: { count: number } }).pagination.count).toBe(1);
    } finally {
      await running.close();
    }
  });
});
