import { beforeEach, describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { worldFixtures } from '../src/core/world-fixtures.js';
import { referenceDocument } from './support/contracts.js';
import { coreRequester, type Reply } from './support/requester.js';

/** authentik 2024.8's whole reference, as `npm start` serves it: identities, ownership, filters, writes. */
const contract = new Contract(referenceDocument());
const mock = new MockServer({ contract, seed: 1 });
const request = coreRequester(mock);
const admin = () => mock.world.adminToken;
const user = () => mock.world.userToken;
const api = (path: string) => `/api/v3${path}`;
const as = (token: string) => (method: string, path: string, json?: unknown) =>
  request(method, api(path), json === undefined ? { token } : { token, json });
const results = (reply: Reply) => (reply.body as { results: Array<Record<string, unknown>> }).results;

beforeEach(() => mock.reset());

describe('identities on the whole reference', () => {
  it('users are /core/users/ records with akadmin among them, and /core/users/me/ answers the caller', async () => {
    const users = await as(admin())('GET', '/core/users/?username=akadmin');
    expect(results(users)).toHaveLength(1);
    expect(results(users)[0]).toMatchObject({ username: 'akadmin', is_superuser: true });
    const me = await as(admin())('GET', '/core/users/me/');
    expect(me.status).toBe(200);
    expect((me.body as { user: Record<string, unknown> }).user).toMatchObject({ username: 'akadmin', is_superuser: true });
    const them = await as(user())('GET', '/core/users/me/');
    expect(them.status).toBe(200);
    expect((them.body as { user: Record<string, unknown> }).user).toMatchObject({ is_superuser: false });
    expect((them.body as { user: Record<string, unknown> }).user['username']).not.toBe('akadmin');
    expect(contract.validateResponse('core_users_me_retrieve', 200, them.body)).toEqual([]);
  });

  it('a token created through the API authenticates at once, and stops when expired or deleted', async () => {
    const created = await as(admin())('POST', '/core/tokens/', { identifier: 'ci-token', intent: 'api', expiring: false });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ identifier: 'ci-token', user_obj: { username: 'akadmin' } });
    const key = ((await as(admin())('GET', '/core/tokens/ci-token/view_key/')).body as { key: string }).key;
    expect((await as(key)('GET', '/core/groups/')).status).toBe(200);
    await as(admin())('PATCH', '/core/tokens/ci-token/', { expiring: true, expires: '2020-01-01T00:00:00Z' });
    expect((await as(key)('GET', '/core/groups/')).body).toEqual({ detail: 'Token invalid/expired' });
    await as(admin())('PATCH', '/core/tokens/ci-token/', { expiring: false });
    expect((await as(key)('GET', '/core/groups/')).status).toBe(200);
    expect((await as(admin())('DELETE', '/core/tokens/ci-token/')).status).toBe(204);
    expect((await as(key)('GET', '/core/groups/')).body).toEqual({ detail: 'Token invalid/expired' });
  });

  it('deleting every token locks out every key, the admin key included', async () => {
    const tokens = results(await as(admin())('GET', '/core/tokens/?page_size=1000'));
    expect(tokens.length).toBeGreaterThan(2);
    for (const token of tokens.reverse()) await as(admin())('DELETE', `/core/tokens/${String(token['identifier'])}/`);
    expect((await as(admin())('GET', '/core/tokens/')).body).toEqual({ detail: 'Token invalid/expired' });
  });

  it('usernames, slugs and identifiers are unique; a group name is unique within its parent', async () => {
    const taken = await as(admin())('POST', '/core/users/', { username: 'akadmin', name: 'Second' });
    expect(taken).toMatchObject({ status: 400, body: { username: ['User with this username already exists.'] } });
    const slug = String(results(await as(admin())('GET', '/core/applications/?page_size=1'))[0]!['slug']);
    const app = await as(admin())('POST', '/core/applications/', { name: 'x', slug, provider: null });
    expect((app.body as Record<string, unknown>)['slug']).toEqual(['Application with this slug already exists.']);
    expect((await as(admin())('POST', '/core/groups/', { name: 'twins' })).status).toBe(201);
    expect(await as(admin())('POST', '/core/groups/', { name: 'twins' })).toMatchObject({
      status: 400,
      body: { non_field_errors: ['The fields name, parent must make a unique set.'] },
    });
  });
});

describe('an ordinary user, as authentik filters one without permissions', () => {
  it('sees only their own tokens, an empty list of groups, and 404 for what is not theirs', async () => {
    const me = ((await as(user())('GET', '/core/users/me/')).body as { user: { pk: number } }).user.pk;
    const tokens = results(await as(user())('GET', '/core/tokens/?page_size=1000'));
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((t) => t['user'] === me)).toBe(true);
    expect(results(await as(user())('GET', '/core/groups/'))).toEqual([]);
    const group = results(await as(admin())('GET', '/core/groups/?page_size=1'))[0]!;
    expect(await as(user())('GET', `/core/groups/${String(group['pk'])}/`)).toMatchObject({
      status: 404,
      body: { detail: 'No Group matches the given query.' },
    });
    expect(await as(user())('GET', '/core/tokens/authentik-mock-admin/view_key/')).toMatchObject({ status: 404 });
  });

  it('creates tokens as themselves, and gets 403 for a superuser-only create', async () => {
    const me = ((await as(user())('GET', '/core/users/me/')).body as { user: { pk: number } }).user.pk;
    const created = await as(user())('POST', '/core/tokens/', { identifier: 'mine', intent: 'api', user: 1 });
    expect(created).toMatchObject({ status: 201, body: { user: me } });
    expect(await as(user())('POST', '/core/groups/', { name: 'not allowed' })).toMatchObject({
      status: 403,
      body: { detail: 'You do not have permission to perform this action.' },
    });
  });
});

describe('filters as django-filter reads them', () => {
  it('answers each kind of bad value with its message, and ignores a bad boolean', async () => {
    const get = (query: string) => as(admin())('GET', `/core/tokens/${query}`);
    const grants = (query: string) => as(admin())('GET', `/oauth2/access_tokens/${query}`);
    expect((await grants('?user=abc')).body).toEqual({ user: ['Select a valid choice. That choice is not one of the available choices.'] });
    expect((await grants('?user=999999')).body).toEqual({
      user: ['Select a valid choice. That choice is not one of the available choices.'],
    });
    expect((await get('?intent=nope')).body).toEqual({ intent: ['Select a valid choice. nope is not one of the available choices.'] });
    expect((await get('?expires=yesterday')).body).toEqual({ expires: ['Enter a valid date/time.'] });
    expect((await as(admin())('GET', '/core/groups/?members_by_pk=x')).body).toEqual({ members_by_pk: ['“x” is not a valid value.'] });
    expect((await as(admin())('GET', '/core/users/?groups_by_pk=x')).body).toEqual({ groups_by_pk: ['“x” is not a valid UUID.'] });
    expect((await as(admin())('GET', `/core/users/?groups_by_pk=${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`)).body).toEqual({
      groups_by_pk: [`Select a valid choice. ${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)} is not one of the available choices.`],
    });
    expect((await as(admin())('GET', '/core/brands/?brand_uuid=x')).body).toEqual({ brand_uuid: ['Enter a valid UUID.'] });
    const all = results(await get('?page_size=1000'));
    expect(results(await get('?page_size=1000&expiring=maybe'))).toEqual(all);
  });

  it('a valid value filters: by relation, by a related field, and by boolean', async () => {
    const grants = results(await as(admin())('GET', '/oauth2/access_tokens/?page_size=1000'));
    const owner = (grants[0]!['user'] as { pk: number }).pk;
    const byUser = results(await as(admin())('GET', `/oauth2/access_tokens/?page_size=1000&user=${owner}`));
    expect(byUser.length).toBeGreaterThan(0);
    expect(byUser.length).toBeLessThan(grants.length);
    expect(byUser.every((t) => (t['user'] as { pk: number }).pk === owner)).toBe(true);
    const tokens = results(await as(admin())('GET', '/core/tokens/?page_size=1000'));
    const expiring = results(await as(admin())('GET', '/core/tokens/?page_size=1000&expiring=true'));
    expect(expiring.length).toBeGreaterThan(0);
    expect(expiring.length).toBeLessThan(tokens.length);
    expect(expiring.every((t) => t['expiring'] === true)).toBe(true);
    const byUsername = results(await as(admin())('GET', '/core/tokens/?page_size=1000&user__username=akadmin'));
    expect(byUsername.length).toBeGreaterThan(0);
    expect(byUsername.map((t) => t['pk'])).toEqual(tokens.filter((t) => t['user'] === 1).map((t) => t['pk']));
  });

  it("search also matches related records: a token by its user's username", async () => {
    const found = results(await as(admin())('GET', '/core/tokens/?page_size=1000&search=akadmin'));
    expect(found.length).toBeGreaterThan(0);
    expect(
      found.every(
        (t) => (t['user_obj'] as { username: string }).username.includes('akadmin') || JSON.stringify(t).toLowerCase().includes('akadmin'),
      ),
    ).toBe(true);
  });
});

describe('writes on the whole reference', () => {
  it('a create applies model defaults, not random values', async () => {
    const created = await as(admin())('POST', '/core/groups/', { name: 'defaults' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'defaults', is_superuser: false, parent: null, users: [], attributes: {} });
    const other = await as(admin())('POST', '/core/groups/', { name: 'defaults-2' });
    expect((other.body as { num_pk: number }).num_pk).not.toBe((created.body as { num_pk: number }).num_pk);
  });

  it('DRF relation messages for a wrong type and an unknown pk; generated links whose embed must show are set', async () => {
    const wrongType = await as(admin())('POST', '/core/applications/', { name: 'a', slug: 'a-1', provider: 'abc' });
    expect((wrongType.body as Record<string, unknown>)['provider']).toEqual(['Incorrect type. Expected pk value, received str.']);
    const unknown = await as(admin())('POST', '/core/applications/', { name: 'a', slug: 'a-1', provider: 987654 });
    expect((unknown.body as Record<string, unknown>)['provider']).toEqual(['Invalid pk "987654" - object does not exist.']);
    const apps = results(await as(admin())('GET', '/core/applications/?page_size=1000'));
    expect(
      contract
        .validateResponse('core_applications_list', 200, { pagination: {}, results: apps })
        .filter((v) => v.path.includes('provider_obj')),
    ).toEqual([]);
    // A client may unset it, as authentik's nullable ApplicationSerializer.provider allows: the answer then shows no
    // provider, as authentik's does (its 2024.8 document calls that embed required; the contract reads it nullable).
    const key = String(apps[0]!['slug']);
    const nulled = await as(admin())('PATCH', `/core/applications/${key}/`, { provider: null });
    expect(nulled).toMatchObject({ status: 200, body: { provider: null, provider_obj: null } });
    expect(contract.validateResponse('core_applications_partial_update', 200, nulled.body)).toEqual([]);
  });

  it("many-to-many writes keep each related record once, as Django's set() does", async () => {
    const group = results(await as(admin())('GET', '/core/groups/?page_size=1'))[0]!;
    const patched = await as(admin())('PATCH', `/core/groups/${String(group['pk'])}/`, { users: [1, 1, 2, 1] });
    expect((patched.body as { users: number[] }).users).toEqual([1, 2]);
  });

  it('a path without its trailing slash is a 404 for every method, as authentik (APPEND_SLASH = False) answers', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const reply = await request(method, api('/core/users?page=2'), { token: admin() });
      expect(reply.status).toBe(404);
      expect(reply.headers['location']).toBeUndefined();
      expect(reply.body).toEqual({ detail: 'Not found.' });
    }
  });

  it('keeps every generated record valid: no null embed where one must show, no null optional object', async () => {
    for (const id of [
      'core_applications_list',
      'events_rules_list',
      'policies_bindings_list',
      'outposts_instances_list',
      'stages_invitation_invitations_list',
      'events_notifications_list',
    ]) {
      const operation = contract.operation(id)!;
      const reply = await as(admin())('GET', `${operation.path}?page_size=1000`);
      expect(contract.validateResponse(id, reply.status, reply.body), id).toEqual([]);
    }
  });
});

describe('fixtures of a list are a page of the world', () => {
  it('has pagination that adds up and embeds that are the records their ids name', async () => {
    const [page] = (await worldFixtures(mock, 'core_tokens_list', 3))! as Array<{
      pagination: Record<string, number>;
      results: Array<Record<string, unknown>>;
    }>;
    const total = results(await as(admin())('GET', '/core/tokens/?page_size=1000')).length;
    expect(page!.pagination).toEqual({
      next: 2,
      previous: 0,
      count: total,
      current: 1,
      total_pages: Math.ceil(total / 3),
      start_index: 1,
      end_index: 3,
    });
    for (const token of page!.results) {
      const owner = (await as(admin())('GET', `/core/users/${String(token['user'])}/`)).body as Record<string, unknown>;
      expect((token['user_obj'] as Record<string, unknown>)['username']).toBe(owner['username']);
    }
    expect(contract.validateResponse('core_tokens_list', 200, page)).toEqual([]);
  });
});
