// Issue 17 item 2: model inheritance derived from the contract — a subtype's records are records of its base.
import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { buildResources } from '../src/contract/resources.js';
import { MockServer } from '../src/mock-server.js';
import { referenceDocument } from './support/contracts.js';
import { coreRequester, type Requester } from './support/requester.js';

const contract = new Contract(referenceDocument());
const API = '/api/v3';

interface Page {
  pagination: { count: number };
  results: Array<Record<string, unknown>>;
}

function mock(records = 3): { request: Requester; admin: string; server: MockServer } {
  const server = new MockServer({ contract, seed: 5, recordsPerEntity: records });
  return { request: coreRequester(server), admin: server.world.adminToken, server };
}

describe('families read from the contract', () => {
  it('finds every polymorphic family of authentik 2024.8 from its `…/all/` resources', () => {
    const { model } = buildResources(contract);
    const subtypes = (name: string) => model.entities.get(name)!.subtypes;
    expect(subtypes('Provider')).toEqual(expect.arrayContaining(['OAuth2Provider', 'ProxyProvider', 'SAMLProvider', 'SCIMProvider']));
    expect(subtypes('Stage')).toEqual(expect.arrayContaining(['IdentificationStage', 'PasswordStage', 'UserLoginStage']));
    expect(subtypes('Stage')).not.toContain('Invitation'); // served under /stages/ but keyed otherwise
    expect(subtypes('Policy')).toContain('ExpressionPolicy');
    expect(subtypes('Policy')).not.toContain('PolicyBinding');
    expect(subtypes('PropertyMapping')).toContain('ScopeMapping');
    expect(subtypes('Source')).toContain('OAuthSource');
    expect(subtypes('ServiceConnection')).toEqual(['DockerServiceConnection', 'KubernetesServiceConnection']);
    expect(subtypes('Device')).toEqual(['DuoDevice', 'SMSDevice', 'StaticDevice', 'TOTPDevice', 'WebAuthnDevice']);
    expect(model.entities.get('OAuth2Provider')!.base).toBe('Provider');
  });
});

describe('one table per family', () => {
  it('lists every subtype record under the base, and no other', async () => {
    const { request, admin } = mock();
    const count = async (path: string) =>
      ((await request('GET', `${API}${path}?page_size=1`, { token: admin })).body as Page).pagination.count;
    const kinds = ['oauth2', 'proxy', 'saml', 'ldap', 'rac', 'radius', 'scim', 'google_workspace', 'microsoft_entra'];
    let sum = 0;
    for (const kind of kinds) sum += await count(`/providers/${kind}/`);
    expect(sum).toBeGreaterThan(0);
    expect(await count('/providers/all/')).toBe(sum);
  });

  it('gives pks no other kind of the family holds, and a created subtype record is found through the base', async () => {
    const { request, admin } = mock();
    const flow = ((await request('GET', `${API}/flows/instances/?page_size=1`, { token: admin })).body as Page).results[0]!;
    const created = await request('POST', `${API}/providers/oauth2/`, {
      token: admin,
      json: { name: 'new oauth2', authorization_flow: flow['pk'], client_id: 'abc' },
    });
    expect(created.status).toBe(201);
    const pk = (created.body as { pk: number }).pk;
    const all = (await request('GET', `${API}/providers/all/?page_size=1000`, { token: admin })).body as Page;
    const pks = all.results.map((p) => p['pk']);
    expect(new Set(pks).size).toBe(pks.length);
    expect(pks).toContain(pk);
    const viaBase = await request('GET', `${API}/providers/all/${pk}/`, { token: admin });
    expect(viaBase.status).toBe(200);
    expect((viaBase.body as { name: string }).name).toBe('new oauth2');
    // The proxy list does not show it.
    expect((await request('GET', `${API}/providers/proxy/${pk}/`, { token: admin })).status).toBe(404);
  });

  it('takes a subtype pk wherever the base is referenced (an application on a new OAuth2 provider)', async () => {
    const { request, admin } = mock();
    const flow = ((await request('GET', `${API}/flows/instances/?page_size=1`, { token: admin })).body as Page).results[0]!;
    const provider = await request('POST', `${API}/providers/oauth2/`, {
      token: admin,
      json: { name: 'for an app', authorization_flow: flow['pk'] },
    });
    const pk = (provider.body as { pk: number }).pk;
    const app = await request('POST', `${API}/core/applications/`, {
      token: admin,
      json: { name: 'My app', slug: 'my-app', provider: pk },
    });
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    expect((app.body as { provider: number }).provider).toBe(pk);
  });

  it('deletes through either table: the record leaves both, and what points at it follows', async () => {
    const { request, admin } = mock();
    const all = (await request('GET', `${API}/providers/all/?page_size=1000`, { token: admin })).body as Page;
    const oauth = (await request('GET', `${API}/providers/oauth2/?page_size=1000`, { token: admin })).body as Page;
    const [first, second] = oauth.results;
    expect((await request('DELETE', `${API}/providers/all/${String(first!['pk'])}/`, { token: admin })).status).toBe(204);
    expect((await request('GET', `${API}/providers/oauth2/${String(first!['pk'])}/`, { token: admin })).status).toBe(404);
    expect((await request('DELETE', `${API}/providers/oauth2/${String(second!['pk'])}/`, { token: admin })).status).toBe(204);
    expect((await request('GET', `${API}/providers/all/${String(second!['pk'])}/`, { token: admin })).status).toBe(404);
    const after = (await request('GET', `${API}/providers/all/?page_size=1`, { token: admin })).body as Page;
    expect(after.pagination.count).toBe(all.pagination.count - 2);
  });

  it('a subtype that shows fewer fields than its base is listed through the base with the base fields filled', async () => {
    const { request, admin } = mock();
    const devices = await request('GET', `${API}/authenticators/admin/all/`, { token: admin });
    expect(devices.status).toBe(200);
    const totp = ((await request('GET', `${API}/authenticators/admin/totp/?page_size=1000`, { token: admin })).body as Page).results;
    const listed = devices.body as Array<Record<string, unknown>>;
    for (const device of totp) expect(listed.map((d) => d['pk'])).toContain(device['pk']);
    for (const device of listed) expect(typeof device['confirmed']).toBe('boolean');
  });

  it('dumps each record once, in its own table, and loads it back into the family', async () => {
    const { server } = mock();
    const dump = server.world.dump();
    expect(dump.records['Provider']).toEqual([]);
    const total = Object.entries(dump.records)
      .filter(([name]) => server.world.entity(name).base === 'Provider')
      .reduce((n, [, rows]) => n + rows.length, 0);
    const restored = new MockServer({ contract, seed: 5, recordsPerEntity: 3, data: dump });
    expect(restored.world.table('Provider').size).toBe(total);
    const clash = structuredClone(dump);
    clash.records['ProxyProvider']![0]!['pk'] = clash.records['OAuth2Provider']![0]!['pk'];
    expect(() => new MockServer({ contract, seed: 5, data: clash })).toThrow(/is also a Provider/);
  });
});
