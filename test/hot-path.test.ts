/**
 * What every request does, made cheaper (issue 20): who a key is, kept until the world or its keys change; routes
 * kept by path; the path and query read off the URL's text where the URL parser would keep them. Each must answer
 * exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { createMock } from '../src/entries/node.js';
import { RequestContext } from '../src/core/request-context.js';
import type { WorldRecord } from '../src/contract/entity-model.js';

const ADMIN = 'hot-path-admin';
const USER = 'hot-path-user';

describe('a key that authenticated is known until something about it changes', () => {
  const mock = createMock({ seed: 3, adminToken: ADMIN, userToken: USER, recordsPerEntity: 3 });
  const ask = (method: string, path: string, key: string, body?: unknown) =>
    mock.fetch(`/api/v3${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const me = async (key: string) => {
    const response = await ask('GET', '/core/users/me/', key);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const userToken = () =>
    (mock.world.table('Token').all() as WorldRecord[]).find((t) => mock.world.identities.keyOf('Token', t['pk'] as number) === USER)!;
  const refused = { status: 403, body: { detail: 'Token invalid/expired' } };

  it('its user made inactive, then active again', async () => {
    expect((await me(USER)).status).toBe(200);
    const user = (await me(USER)).body['user'] as Record<string, unknown>;
    expect((await ask('PATCH', `/core/users/${String(user['pk'])}/`, ADMIN, { is_active: false })).status).toBe(200);
    expect(await me(USER)).toEqual(refused);
    expect((await ask('PATCH', `/core/users/${String(user['pk'])}/`, ADMIN, { is_active: true })).status).toBe(200);
    expect((await me(USER)).status).toBe(200);
  });

  it('its key replaced without any record changing', async () => {
    const token = userToken();
    mock.world.identities.setKey(token['pk'] as number, 'hot-path-rotated');
    expect(await me(USER)).toEqual(refused);
    expect((await me('hot-path-rotated')).status).toBe(200);
    mock.world.identities.setKey(token['pk'] as number, USER);
    expect(await me('hot-path-rotated')).toEqual(refused);
    expect((await me(USER)).status).toBe(200);
  });

  it('its key set through the API (set_key): the old key is refused at once, even where an answer was cached', async () => {
    const identifier = String(userToken()['identifier']);
    expect((await me(USER)).status).toBe(200);
    expect((await me(USER)).status).toBe(200); // the second read is served from the answer cache
    const set = await ask('POST', `/core/tokens/${identifier}/set_key/`, ADMIN, { key: 'hot-path-set' });
    expect(set.status).toBe(204);
    expect(await me(USER)).toEqual(refused);
    expect((await me('hot-path-set')).status).toBe(200);
    const view = await ask('GET', `/core/tokens/${identifier}/view_key/`, ADMIN);
    expect(await view.json()).toEqual({ key: 'hot-path-set' });
    expect((await ask('POST', `/core/tokens/${identifier}/set_key/`, ADMIN, { key: '' })).status).toBe(400);
    expect((await ask('POST', `/core/tokens/${identifier}/set_key/`, ADMIN, { key: USER })).status).toBe(204);
    expect((await me(USER)).status).toBe(200);
  });

  it('set_key refuses a key another token holds, a key too long to send, and anyone but a superuser', async () => {
    const identifier = String(userToken()['identifier']);
    const setKey = (key: string, caller = ADMIN) => ask('POST', `/core/tokens/${identifier}/set_key/`, caller, { key });
    const taken = await setKey(ADMIN);
    expect(taken.status).toBe(400);
    expect(await taken.json()).toEqual({ key: ['token with this key already exists.'] });
    expect((await me(ADMIN)).body['user']).toMatchObject({ username: 'akadmin' });
    expect((await setKey('k'.repeat(5000))).status).toBe(400);
    expect((await setKey('hot-path-by-owner', USER)).status).toBe(403); // the owner has view_token_key only
    expect((await me(USER)).status).toBe(200);
    expect((await setKey(USER)).status).toBe(204); // its own key again: no other token holds it
  });

  it('the printed admin key rotated through set_key is the key the control API takes', async () => {
    const control = async (key: string) => (await mock.fetch('/_mock/', { headers: { authorization: `Bearer ${key}` } })).status;
    expect(await control(ADMIN)).toBe(200);
    const set = await ask('POST', '/core/tokens/authentik-mock-admin/set_key/', ADMIN, { key: 'hot-path-admin-rotated' });
    expect(set.status).toBe(204);
    expect(await control(ADMIN)).not.toBe(200);
    expect(await control('hot-path-admin-rotated')).toBe(200);
    expect((await ask('POST', '/core/tokens/authentik-mock-admin/set_key/', 'hot-path-admin-rotated', { key: ADMIN })).status).toBe(204);
    expect(await control(ADMIN)).toBe(200);
  });

  it('its token expired, then deleted', async () => {
    const identifier = String(userToken()['identifier']);
    const past = new Date(Date.now() - 60_000).toISOString();
    expect((await ask('PATCH', `/core/tokens/${identifier}/`, ADMIN, { expiring: true, expires: past })).status).toBe(200);
    expect(await me(USER)).toEqual(refused);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await ask('PATCH', `/core/tokens/${identifier}/`, ADMIN, { expires: future })).status).toBe(200);
    expect((await me(USER)).status).toBe(200);
    expect((await ask('DELETE', `/core/tokens/${identifier}/`, ADMIN)).status).toBe(204);
    expect(await me(USER)).toEqual(refused);
  });
});

describe('routes kept by path answer as routing them again would', () => {
  const mock = createMock({ seed: 4, adminToken: ADMIN, recordsPerEntity: 3 });
  const get = (path: string, method = 'GET') => mock.fetch(`/api/v3${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });

  it('a key sent percent-encoded names the same record, each time', async () => {
    const group = String((mock.world.table('Group').all()[0] as WorldRecord)['pk']);
    const encoded = group.replace(/-/g, '%2D');
    for (let i = 0; i < 3; i++) {
      const [plain, escaped] = await Promise.all([get(`/core/groups/${group}/`), get(`/core/groups/${encoded}/`)]);
      expect(plain.status).toBe(200);
      expect(await escaped.text()).toBe(await plain.text());
    }
  });

  it('a method the path does not take is a 405 with the same Allow each time; a path without its slash a 404', async () => {
    for (let i = 0; i < 3; i++) {
      const refused = await get('/core/groups/', 'PUT');
      expect(refused.status).toBe(405);
      expect(refused.headers.get('allow')).toBe('POST, GET');
      expect((await get('/core/groups')).status).toBe(404);
    }
  });
});

describe('routes are kept within a bound, and the same after it is reached', () => {
  const { contract } = createMock({ seed: 4, adminToken: ADMIN, recordsPerEntity: 1 });
  const groupPath = (i: number) => `/api/v3/core/groups/00000000-0000-4000-8000-${String(i).padStart(12, '0')}/`;

  it('more paths than are kept (4,096) each route to their operation and key, by method', () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        for (const [method, operationId] of [
          ['GET', 'core_groups_retrieve'],
          ['PATCH', 'core_groups_partial_update'],
        ] as const) {
          const match = contract.match(method, groupPath(i));
          expect(match.kind === 'operation' && match.operation.operationId).toBe(operationId);
          expect(match.kind === 'operation' && match.pathParams).toEqual({ group_uuid: groupPath(i).split('/').at(-2) });
        }
      }
    }
    expect(contract.match('GET', groupPath(1))).toBe(contract.match('GET', groupPath(1))); // kept: the same match
  });
});

describe('the path and query of a request are what the URL parser reads', () => {
  const headers = new Headers();
  const urls = [
    'http://h/api/v3/core/users/',
    'http://h/api/v3/core/users/?',
    'http://h/api/v3/core/users/??a=1',
    'http://h/api/v3/core/users/?page=2&page_size=5&ordering=-username',
    'http://h/api/v3/core/users/?a=1&a=2&&b=&c',
    'http://h/api/v3/core/users/?search=a+b%20c&x=%zz',
    'http://h/api/v3/core/users/?q=ä&r=\'"<>`',
    'http://h/api/v3/core/users/#fragment',
    'http://h/api/v3/core/users/?a=1#fragment',
    'http://h/api/v3/./core/users/',
    'http://h/api/v3/x/../core/users/',
    'http://h/api/v3/%2e/core/%2E%2E/users/',
    'http://h/api/v3/core/users/.hidden/',
    'http://h/api/v3/core/us ers/',
    'http://h/api/v3/core/üsers/',
    'http://h/api/v3/core/users/{pk}/',
    'http://h/api/v3/core\\users/',
    'http://h',
    'http://h:9000/.well-known/openid-configuration',
    'http://h/api/v3/core/users/%7Bpk%7D/',
    'http://h?x=/y',
    'http://h#/y',
    'http://h\\a/b',
    'http:/h/p',
  ];

  it.each(urls)('%s', (url) => {
    const context = new RequestContext({ method: 'get', url, headers, signal: new AbortController().signal, body: null });
    const parsed = new URL(url);
    const query: Record<string, string[]> = {};
    for (const [key, value] of parsed.searchParams) (query[key] ??= []).push(value);
    expect(context.path).toBe(parsed.pathname);
    expect({ ...context.query }).toEqual(query);
    expect(context.url.href).toBe(parsed.href);
  });
});
