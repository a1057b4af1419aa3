// Issue 18 item 1: an operation whose `security` lists an empty requirement (`{}`) answers without credentials.
import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { referenceDocument } from './support/contracts.js';
import { coreRequester } from './support/requester.js';

const contract = new Contract(referenceDocument());
const anonymousOperations = contract.operations.filter((o) => o.security.some((r) => Object.keys(r).length === 0));

describe('operations that let anyone in', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 2 });
  const request = coreRequester(mock);

  it('are the eight of authentik 2024.8 whose security lists {}', () => {
    expect(anonymousOperations.map((o) => o.operationId).sort()).toEqual(
      expect.arrayContaining(['core_brands_current_retrieve', 'flows_executor_get', 'root_config_retrieve']),
    );
    expect(anonymousOperations).toHaveLength(8);
  });

  it('answer without credentials, refuse a bad key with authentik’s 403, and still know a caller who sends one', async () => {
    const config = await request('GET', '/api/v3/root/config/', { token: null });
    expect(config.status).toBe(200);
    expect(contract.validateResponse('root_config_retrieve', 200, config.body)).toEqual([]);
    expect((await request('GET', '/api/v3/core/brands/current/', { token: null })).status).toBe(200);
    const bad = await request('GET', '/api/v3/root/config/', { token: 'not-a-key' });
    expect(bad).toMatchObject({ status: 403, body: { detail: 'Token invalid/expired' } });
    expect((await request('GET', '/api/v3/root/config/', { token: mock.world.adminToken })).status).toBe(200);
  });

  it('leave every other operation closed to anonymous callers', async () => {
    const users = await request('GET', '/api/v3/core/users/', { token: null });
    expect(users).toMatchObject({ status: 403, body: { detail: 'Authentication credentials were not provided.' } });
  });
});
