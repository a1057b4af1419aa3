// Issue 16: secrets no one can guess (random, never from the seed) and ids that are never handed out twice.
import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { World } from '../src/world/world.js';
import { referenceDocument } from './support/contracts.js';
import { coreRequester } from './support/requester.js';

const contract = new Contract(referenceDocument());
const API = '/api/v3';

/** Every token key a world holds, by token pk. */
function tokenKeys(world: World): Map<string, string> {
  const tokens = world.tokenEntity!;
  const keys = new Map<string, string>();
  for (const token of world.table(tokens.name).all()) {
    const pk = token[tokens.pkField] as string;
    keys.set(pk, world.identities.keyOf(tokens.name, pk)!);
  }
  return keys;
}

async function createToken(mock: MockServer, identifier: string): Promise<string> {
  const request = coreRequester(mock);
  const created = await request('POST', `${API}/core/tokens/`, {
    token: mock.world.userToken,
    json: { identifier, intent: 'api', expiring: false },
  });
  expect(created.status).toBe(201);
  const key = await request('GET', `${API}/core/tokens/${identifier}/view_key/`, { token: mock.world.userToken });
  expect(key.status).toBe(200);
  return (key.body as { key: string }).key;
}

describe('secrets are random, whatever the seed', () => {
  it('two worlds of the same seed print different keys, and no token key of one authenticates in the other', () => {
    const a = new World(contract, { seed: 1 });
    const b = new World(contract, { seed: 1 });
    expect(a.adminToken).not.toBe(b.adminToken);
    expect(a.userToken).not.toBe(b.userToken);
    expect(a.adminToken).toMatch(/^[A-Za-z0-9]{60}$/);
    const keysOfA = tokenKeys(a);
    expect(keysOfA.size).toBeGreaterThan(2);
    // The same records (same seed), yet none of A's keys — seeded superusers' included — opens B.
    expect([...tokenKeys(b).keys()]).toEqual([...keysOfA.keys()]);
    for (const key of keysOfA.values()) expect(b.authenticate(key)).toBeUndefined();
  });

  it('a token created through the API gets a key no other run gives it', async () => {
    const first = await createToken(new MockServer({ contract, seed: 1 }), 'made-by-a-visitor');
    const second = await createToken(new MockServer({ contract, seed: 1 }), 'made-by-a-visitor');
    expect(first).toMatch(/^[A-Za-z0-9]{60}$/);
    expect(first).not.toBe(second);
  });

  it('keys the operator gives are kept, and survive a reset', () => {
    const mock = new MockServer({ contract, seed: 1, adminToken: 'given-admin', userToken: 'given-user' });
    mock.reset();
    expect(mock.world.authenticate('given-admin')?.superuser).toBe(true);
    expect(mock.world.authenticate('given-user')?.superuser).toBe(false);
  });

  it('random printed keys stay the same across a reset (the banner printed them once)', () => {
    const mock = new MockServer({ contract, seed: 1 });
    const printed = mock.world.adminToken;
    mock.reset();
    expect(mock.world.adminToken).toBe(printed);
    expect(mock.world.authenticate(printed)?.superuser).toBe(true);
  });

  it('a key given on the command line wins over the one in the data file: a restart rotates a leaked key', () => {
    const saved = new MockServer({ contract, seed: 1 }).world.dump();
    const leaked = new MockServer({ contract, seed: 1, data: saved }).world.adminToken;
    const rotated = new MockServer({ contract, seed: 1, data: saved, adminToken: 'rotated-key' });
    expect(rotated.world.adminToken).toBe('rotated-key');
    expect(rotated.world.authenticate('rotated-key')?.superuser).toBe(true);
    expect(rotated.world.authenticate(leaked)).toBeUndefined();
    // Without a flag, the file's keys are kept.
    expect(new MockServer({ contract, seed: 1, data: saved }).world.adminToken).toBe(leaked);
  });

  it('a token loaded without a key gets a random one, not a blank or seeded one', () => {
    const dump = new MockServer({ contract, seed: 1 }).world.dump();
    const tokens = new World(contract, { seed: 1 }).tokenEntity!;
    const pk = dump.records[tokens.name]![2]![tokens.pkField] as string;
    const id = `${tokens.name}:${pk}`;
    expect(dump.keys[id]).toBeDefined();
    delete dump.keys[id];
    const one = new MockServer({ contract, seed: 1, data: dump }).world.identities.keyOf(tokens.name, pk);
    const two = new MockServer({ contract, seed: 1, data: dump }).world.identities.keyOf(tokens.name, pk);
    expect(one).toMatch(/^[A-Za-z0-9]{60}$/);
    expect(one).not.toBe(two);
  });
});

describe('ids are never handed out twice, and a create never replaces a record', () => {
  const createGroup = async (mock: MockServer, name: string) => {
    const reply = await coreRequester(mock)('POST', `${API}/core/groups/`, { token: mock.world.adminToken, json: { name } });
    expect(reply.status).toBe(201);
    return (reply.body as { pk: string }).pk;
  };
  const createStage = async (mock: MockServer, name: string) => {
    const reply = await coreRequester(mock)('POST', `${API}/stages/deny/`, { token: mock.world.adminToken, json: { name } });
    expect(reply.status).toBe(201);
    return (reply.body as { pk: string }).pk;
  };
  /** Users have integer pks. */
  const createUser = async (mock: MockServer, username: string) => {
    const reply = await coreRequester(mock)('POST', `${API}/core/users/`, {
      token: mock.world.adminToken,
      json: { username, name: username },
    });
    expect(reply.status).toBe(201);
    return (reply.body as { pk: number }).pk;
  };
  const count = (mock: MockServer, entity: string) => mock.world.table(entity).size;

  it('after restarts from the saved world: new ids, and everything created before is still there', async () => {
    let data: unknown;
    const ids = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const mock = new MockServer({ contract, seed: 1, ...(data === undefined ? {} : { data }) });
      const before = count(mock, 'Group');
      ids.add(await createGroup(mock, `group of round ${round}`));
      expect(count(mock, 'Group')).toBe(before + 1);
      data = JSON.parse([...mock.world.dumpText()].join(''));
    }
    expect(ids.size).toBe(5);
    const last = new MockServer({ contract, seed: 1, data });
    for (const id of ids) expect(last.world.table('Group').get(id)).toBeDefined();
  });

  it('after a reset, whether the mock started from its seed or from a file: created ids go on', async () => {
    for (const start of [undefined, new MockServer({ contract, seed: 1 }).world.dump()]) {
      const mock = new MockServer({ contract, seed: 1, ...(start === undefined ? {} : { data: start }) });
      const first = await createGroup(mock, 'before the reset');
      const firstStage = await createStage(mock, 'deny before the reset');
      const firstUser = await createUser(mock, 'before-the-reset');
      mock.reset();
      expect(mock.world.table('Group').get(first)).toBeUndefined();
      expect(await createGroup(mock, 'after the reset')).not.toBe(first);
      expect(await createStage(mock, 'deny after the reset')).not.toBe(firstStage);
      expect(await createUser(mock, 'after-the-reset')).not.toBe(firstUser);
    }
  });

  it('an integer pk deleted before a restart is not handed out again after it', async () => {
    const mock = new MockServer({ contract, seed: 1 });
    const pk = await createUser(mock, 'short-lived');
    expect(pk).toBe(
      Math.max(
        ...mock.world
          .table('User')
          .all()
          .map((u) => u['pk'] as number),
      ),
    );
    const request = coreRequester(mock);
    // The highest pk goes, then the world is saved and started again.
    const deleted = await request('DELETE', `${API}/core/users/${pk}/`, { token: mock.world.adminToken });
    expect(deleted.status).toBe(204);
    const restarted = new MockServer({ contract, seed: 1, data: mock.world.dump() });
    expect(await createUser(restarted, 'next')).toBeGreaterThan(pk);
  });

  it('the store refuses to create a record over one that exists (an internal error, never an overwrite)', () => {
    const world = new World(contract, { seed: 1, recordsPerEntity: 2 });
    const existing = world.table('Group').all()[0]!;
    expect(() => world.create('Group', { ...existing, name: 'impostor' })).toThrow(/exists already/);
    expect(world.table('Group').get(existing['pk'])!['name']).toBe(existing['name']);
  });
});

describe('lockPrintedTokens (serve --demo)', () => {
  it('no visitor can expire, delete or re-key the printed tokens, while their own tokens stay theirs to change', async () => {
    const mock = new MockServer({ contract, seed: 1, lockPrintedTokens: true });
    const request = coreRequester(mock);
    const user = mock.world.userToken;
    const expire = await request('PATCH', `${API}/core/tokens/authentik-mock-user/`, {
      token: user,
      json: { expiring: true, expires: '2000-01-01T00:00:00Z' },
    });
    expect(expire.status).toBe(403);
    expect((await request('DELETE', `${API}/core/tokens/authentik-mock-user/`, { token: user })).status).toBe(403);
    expect((await request('DELETE', `${API}/core/tokens/authentik-mock-admin/`, { token: mock.world.adminToken })).status).toBe(403);
    const rekey = { token: mock.world.adminToken, json: { key: 'taken-over' } };
    expect((await request('POST', `${API}/core/tokens/authentik-mock-user/set_key/`, rekey)).status).toBe(403);
    expect(mock.world.authenticate('taken-over')).toBeUndefined();
    expect(mock.world.authenticate(user)).toBeDefined();
    await createToken(mock, 'a-visitors-own');
    expect((await request('DELETE', `${API}/core/tokens/a-visitors-own/`, { token: user })).status).toBe(204);
    // Without the lock (the default), the owner may delete it as in authentik.
    const open = new MockServer({ contract, seed: 1 });
    expect((await coreRequester(open)('DELETE', `${API}/core/tokens/authentik-mock-user/`, { token: open.world.userToken })).status).toBe(
      204,
    );
  });
});

describe('the printed identities stay what they are', () => {
  it('whatever the seed, the ordinary user is in no generated group and is never a superuser', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const mock = new MockServer({ contract, seed, recordsPerEntity: 40 });
      const principal = mock.world.authenticate(mock.world.userToken)!;
      expect(principal.superuser, `seed ${seed}`).toBe(false);
      const me = await coreRequester(mock)('GET', `${API}/core/users/${String(principal.userPk)}/`, { token: mock.world.adminToken });
      expect((me.body as { groups: unknown[] }).groups, `seed ${seed}`).toEqual([]);
    }
  });
});
