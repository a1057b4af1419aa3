import { describe, expect, it } from 'vitest';
import { useMock } from '../src/adapters/vitest.js';
import { mixedDocument } from './support/contracts.js';

describe('useMock() exposes the scenarios, cleared before each test', () => {
  const server = useMock({ contract: mixedDocument(), seed: 1 });
  const get = (path: string) => fetch(`${server.apiUrl}${path}`, { headers: { authorization: `Bearer ${server.token}` } });

  it('forces a state from the test', async () => {
    server.scenarios.add({ match: { operationId: 'core_users_list' }, respond: { status: 503 } });
    expect((await get('core/users/')).status).toBe(503);
    server.scenarios.add({ match: { operationId: 'core_groups_list' }, respond: { network: 'reset' } });
    await expect(get('core/groups/')).rejects.toThrow(TypeError);
  });

  it('starts the next test with no rules', async () => {
    expect(server.scenarios.list()).toEqual([]);
    expect((await get('core/users/')).status).toBe(200);
  });
});
