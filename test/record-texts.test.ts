// Issue 20: answers are made of records' kept texts, and lists narrowed by indexes — never stale, never different.
import { describe, expect, it, vi } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { referenceDocument } from './support/contracts.js';
import { coreRequester } from './support/requester.js';

const contract = new Contract(referenceDocument());
const API = '/api/v3';

interface Page {
  pagination: { count: number };
  results: Array<Record<string, unknown>>;
}

describe('kept record texts', () => {
  it('show what changed in a record a list embeds: a renamed user, a new group of that user', async () => {
    const mock = new MockServer({ contract, recordsPerEntity: 5 });
    const request = coreRequester(mock);
    const admin = mock.world.adminToken;
    const tokens = async () => ((await request('GET', `${API}/core/tokens/?page_size=100`, { token: admin })).body as Page).results;
    const first = (await tokens()).find((t) => t['identifier'] === 'authentik-mock-user')!;
    const userPk = (first['user_obj'] as { pk: number }).pk;
    expect((await request('PATCH', `${API}/core/users/${userPk}/`, { token: admin, json: { name: 'Renamed Person' } })).status).toBe(200);
    const renamed = (await tokens()).find((t) => t['identifier'] === 'authentik-mock-user')!;
    expect((renamed['user_obj'] as { name: string }).name).toBe('Renamed Person');
    const group = await request('POST', `${API}/core/groups/`, { token: admin, json: { name: 'joined later', users: [userPk] } });
    expect(group.status).toBe(201);
    const joined = (await request('GET', `${API}/core/users/${userPk}/`, { token: admin })).body as { groups: string[] };
    expect(joined.groups).toContain((group.body as { pk: string }).pk);
  });
});

describe('kept record texts, checked by what they read', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 5 });
  const request = coreRequester(mock);
  const admin = mock.world.adminToken;
  const userTokenOf = async () =>
    ((await request('GET', `${API}/core/tokens/?page_size=100`, { token: admin })).body as Page).results.find(
      (t) => t['identifier'] === 'authentik-mock-user',
    )!['user_obj'] as { pk: number; is_superuser: boolean; groups_obj: Array<{ name: string }> };
  const patchGroup = async (pk: string, json: unknown) =>
    expect((await request('PATCH', `${API}/core/groups/${pk}/`, { token: admin, json })).status).toBe(200);

  it('are not made again for a change to a record they do not show, even in a table they read', async () => {
    const user = await userTokenOf();
    const created = await request('POST', `${API}/core/groups/`, { token: admin, json: { name: 'nobody here' } });
    const group = (created.body as { pk: string }).pk;
    await userTokenOf();
    const renders = vi.spyOn(mock.world.renderer, 'render');
    await patchGroup(group, { name: 'still nobody' });
    renders.mockClear(); // the PATCH's answer shows the group
    expect(await userTokenOf()).toEqual(user);
    expect(renders).not.toHaveBeenCalled();
    // The group the user joins is then part of the user's text: its changes show.
    await patchGroup(group, { users: [user.pk] });
    expect((await userTokenOf()).groups_obj.map((g) => g.name)).toEqual(['still nobody']);
    await patchGroup(group, { name: 'renamed with the user in it', is_superuser: true });
    const joined = await userTokenOf();
    expect(joined.groups_obj.map((g) => g.name)).toEqual(['renamed with the user in it']);
    expect(joined.is_superuser).toBe(true);
    renders.mockRestore();
  });
});

describe('lists narrowed by an index', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 30 });
  const request = coreRequester(mock);
  const admin = mock.world.adminToken;
  const list = async (path: string, token = admin) => ((await request('GET', `${API}${path}`, { token })).body as Page).results;

  it('select what a scan of the world selects: by a link, by a unique field, by the pk, by who owns', async () => {
    const bindings = mock.world.table('FlowStageBinding').all();
    const flowPk = bindings[4]!['target'];
    expect((await list(`/flows/bindings/?target=${String(flowPk)}&page_size=1000`)).map((b) => b['pk']).sort()).toEqual(
      bindings
        .filter((b) => b['target'] === flowPk)
        .map((b) => b['pk'])
        .sort(),
    );
    const groups = mock.world.table('Group').all();
    const name = groups[7]!['name'];
    expect((await list(`/core/groups/?name=${encodeURIComponent(String(name))}`)).map((g) => g['pk']).sort()).toEqual(
      groups
        .filter((g) => g['name'] === name)
        .map((g) => g['pk'])
        .sort(),
    );
    const flow = mock.world.table('Flow').all()[3]!;
    expect((await list(`/flows/instances/?slug=${String(flow['slug'])}`)).map((f) => f['pk'])).toEqual([flow['pk']]);
    const tokens = mock.world.table('Token').all();
    const userPk = mock.world.authenticate(mock.world.userToken)!.userPk;
    expect((await list('/core/tokens/?page_size=1000', mock.world.userToken)).map((t) => t['pk']).sort()).toEqual(
      tokens
        .filter((t) => t['user'] === userPk)
        .map((t) => t['pk'])
        .sort(),
    );
    // An exact filter and another filter together: the index narrows, every filter still applies.
    expect(await list(`/flows/bindings/?target=${String(flowPk)}&order=-999`)).toEqual([]);
  });
});
