// Issue 18: sessions as authentik's. A login through the executor makes an authenticated session: the API takes its
// cookie as DRF's SessionAuthentication does (safe methods with the cookie alone, unsafe ones only with a CSRF header
// that matches the csrf cookie, in Django 5's words otherwise); sessions are AuthenticatedSession records, listed with
// `current`, kept in dumps; set_password sets a password and ends the user's other sessions.
import { beforeEach, describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { BrowserLike, executorUrl } from './support/browser-like.js';
import { referenceDocument } from './support/contracts.js';

const contract = new Contract(referenceDocument());
const PASSWORDS = { admin: 'admin password', user: 'user password' };
const ORIGIN = 'http://authentik.test';

let mock: MockServer;

beforeEach(() => {
  mock = new MockServer({ contract, recordsPerEntity: 0, adminPassword: PASSWORDS.admin, userPassword: PASSWORDS.user });
});

async function loggedIn(username: 'akadmin' | 'user', password?: string): Promise<BrowserLike> {
  const browser = new BrowserLike(mock.fetch, ORIGIN, contract);
  const url = executorUrl('default-authentication-flow');
  await browser.send('GET', url);
  await browser.send('POST', url, { json: { component: 'ak-stage-identification', uid_field: username } });
  const done = await browser.send('POST', url, {
    json: { component: 'ak-stage-password', password: password ?? (username === 'akadmin' ? PASSWORDS.admin : PASSWORDS.user) },
  });
  expect(done.body).toEqual({ component: 'xak-flow-redirect', to: '/' });
  return browser;
}

const admin = () => ({ authorization: `Bearer ${mock.world.adminToken}`, 'content-type': 'application/json' });
const username = (reply: { body: unknown }) => (reply.body as { user: { username: string } }).user.username;

describe('the session on the API', () => {
  it('reads users/me with the cookie alone, and answers the session’s user', async () => {
    const browser = await loggedIn('user');
    const me = await browser.send('GET', '/api/v3/core/users/me/');
    expect(me.status).toBe(200);
    expect(username(me)).toBe('user');
    expect(contract.validateResponse('core_users_me_retrieve', 200, me.body)).toEqual([]);
  });

  it('refuses a write without the CSRF header, in Django 5’s words, and takes it with the header', async () => {
    const browser = await loggedIn('akadmin');
    const write = (headers: Record<string, string> = {}) =>
      browser.send('PATCH', '/api/v3/core/groups/nonexistent/', { json: { name: 'x' }, headers });
    expect((await write()).body).toEqual({ detail: 'CSRF Failed: CSRF token missing.' });
    expect((await write()).status).toBe(403);
    expect((await write({ 'x-authentik-csrf': 'a'.repeat(32) })).body).toEqual({
      detail: "CSRF Failed: CSRF token from the 'X-Authentik-Csrf' HTTP header incorrect.",
    });
    expect((await write({ 'x-authentik-csrf': 'short' })).body).toEqual({
      detail: "CSRF Failed: CSRF token from the 'X-Authentik-Csrf' HTTP header has incorrect length.",
    });
    expect((await write({ 'x-authentik-csrf': '!'.repeat(32) })).body).toEqual({
      detail: "CSRF Failed: CSRF token from the 'X-Authentik-Csrf' HTTP header has invalid characters.",
    });
    const csrf = browser.cookies.get('authentik_csrf')!;
    expect((await write({ 'x-authentik-csrf': csrf, origin: 'https://evil.example' })).body).toEqual({
      detail: 'CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.',
    });
    // Past the check: the group does not exist, which is the API's own answer.
    expect((await write({ 'x-authentik-csrf': csrf, origin: ORIGIN })).body).toEqual({ detail: 'No Group matches the given query.' });
    const created = await browser.send('POST', '/api/v3/core/groups/', { json: { name: 'made with a session' }, csrf: true });
    expect(created.status).toBe(201);
  });

  it('takes a masked 64-character token as Django does, and says when the csrf cookie is missing', async () => {
    const browser = await loggedIn('akadmin');
    const secret = browser.cookies.get('authentik_csrf')!;
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const mask = 'q'.repeat(32);
    const masked = mask + [...secret].map((c, i) => chars[(chars.indexOf(c) + chars.indexOf(mask[i]!)) % chars.length]).join('');
    const write = (headers: Record<string, string>) =>
      mock.fetch(`${ORIGIN}/api/v3/core/groups/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"name":"m"}',
      });
    expect((await write({ cookie: browser.cookieHeader, 'x-authentik-csrf': masked })).status).toBe(201);
    const session = `authentik_session=${browser.cookies.get('authentik_session')}`;
    expect(await (await write({ cookie: session, 'x-authentik-csrf': secret })).json()).toEqual({
      detail: 'CSRF Failed: CSRF cookie not set.',
    });
  });

  it('a session that has not logged in is no caller: no CSRF check, and the API says credentials are missing', async () => {
    const browser = new BrowserLike(mock.fetch, ORIGIN, contract);
    await browser.send('GET', executorUrl('default-authentication-flow'));
    expect(browser.cookies.has('authentik_session')).toBe(true);
    expect((await browser.send('GET', '/api/v3/core/users/me/')).body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('a bearer token wins over the session (DRF tries token authentication first)', async () => {
    const browser = await loggedIn('akadmin');
    const me = await browser.send('GET', '/api/v3/core/users/me/', { headers: { authorization: `Bearer ${mock.world.userToken}` } });
    expect(username(me)).toBe('user');
  });

  it('never serves one session’s cached answer to another', async () => {
    const admin = await loggedIn('akadmin');
    const user = await loggedIn('user');
    for (let i = 0; i < 2; i++) {
      expect(username(await admin.send('GET', '/api/v3/core/users/me/'))).toBe('akadmin');
      expect(username(await user.send('GET', '/api/v3/core/users/me/'))).toBe('user');
    }
  });
});

describe('authenticated sessions', () => {
  it('are AuthenticatedSession records, listed with `current` for the request’s own', async () => {
    const browser = await loggedIn('user');
    await loggedIn('user');
    const listed = await browser.send('GET', '/api/v3/core/authenticated_sessions/');
    expect(contract.validateResponse('core_authenticated_sessions_list', 200, listed.body)).toEqual([]);
    const results = (listed.body as { results: Array<Record<string, unknown>> }).results;
    expect(results).toHaveLength(2);
    expect(results.map((s) => s['current']).sort()).toEqual([false, true]);
    const own = results.find((s) => s['current'])!;
    expect(own).toMatchObject({ user: 2, last_ip: '127.0.0.1', expires: null, geo_ip: null, asn: null });
    const read = await browser.send('GET', `/api/v3/core/authenticated_sessions/${String(own['uuid'])}/`);
    expect(read.body).toMatchObject({ uuid: own['uuid'], current: true });
    // A token holder has no session: none is current.
    const byToken = await mock.fetch('/api/v3/core/authenticated_sessions/', { headers: admin() });
    const all = ((await byToken.json()) as { results: Array<Record<string, unknown>> }).results;
    expect(all.every((s) => s['current'] === false)).toBe(true);
  });

  it('deleting one through the API ends that session', async () => {
    const browser = await loggedIn('user');
    const listed = await browser.send('GET', '/api/v3/core/authenticated_sessions/');
    const own = (listed.body as { results: Array<{ uuid: string; current: boolean }> }).results.find((s) => s.current)!;
    const deleted = await browser.send('DELETE', `/api/v3/core/authenticated_sessions/${own.uuid}/`, { csrf: true });
    expect(deleted.status).toBe(204);
    expect((await browser.send('GET', '/api/v3/core/users/me/')).status).toBe(403);
  });

  it('survive a dump and a restart from it (the key is kept beside the record, as token keys are)', async () => {
    const browser = await loggedIn('user');
    const dump = JSON.parse(JSON.stringify(mock.world.dump())) as { keys: Record<string, string> };
    const key = browser.cookies.get('authentik_session')!;
    expect(Object.values(dump.keys)).toContain(key);
    const restarted = new MockServer({ contract, recordsPerEntity: 0, data: dump });
    const after = new BrowserLike(restarted.fetch, ORIGIN, contract);
    for (const [name, value] of browser.cookies) after.cookies.set(name, value);
    expect(username(await after.send('GET', '/api/v3/core/users/me/'))).toBe('user');
    expect((await after.send('POST', '/api/v3/core/groups/', { json: { name: 'after restart' }, csrf: true })).status).toBe(403);
  });

  it('last as the login stage says: session_duration gives the cookie a Max-Age and the record an expiry', async () => {
    const stages = await mock.fetch('/api/v3/stages/user_login/?name=default-authentication-login', { headers: admin() });
    const stage = ((await stages.json()) as { results: Array<{ pk: string }> }).results[0]!;
    const patched = await mock.fetch(`/api/v3/stages/user_login/${stage.pk}/`, {
      method: 'PATCH',
      headers: admin(),
      body: JSON.stringify({ session_duration: 'hours=2', terminate_other_sessions: true }),
    });
    expect(patched.status).toBe(200);
    const first = await loggedIn('user');
    const browser = await loggedIn('user');
    const listed = await browser.send('GET', '/api/v3/core/authenticated_sessions/');
    const results = (listed.body as { results: Array<{ expires: string | null }> }).results;
    expect(results).toHaveLength(1); // terminate_other_sessions ended the first
    expect(Date.parse(results[0]!.expires!) - Date.now()).toBeGreaterThan(7_000_000);
    expect((await first.send('GET', '/api/v3/core/users/me/')).status).toBe(403);
  });
});

describe('set_password', () => {
  const setPassword = (id: number, body: unknown, headers = admin()) =>
    mock.fetch(`/api/v3/core/users/${id}/set_password/`, { method: 'POST', headers, body: JSON.stringify(body) });

  it('sets a password the login then takes, ends the user’s sessions, and never shows it', async () => {
    const before = await loggedIn('user');
    const response = await setPassword(2, { password: 'brand new' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(contract.validateResponse('core_users_set_password_create', 204, undefined)).toEqual([]);
    expect((await before.send('GET', '/api/v3/core/users/me/')).status).toBe(403);
    expect(username(await (await loggedIn('user', 'brand new')).send('GET', '/api/v3/core/users/me/'))).toBe('user');
    const read = await mock.fetch('/api/v3/core/users/2/', { headers: admin() });
    expect(JSON.stringify(await read.json())).not.toContain('brand new');
  });

  it('keeps the session of a user who sets their own password (update_session_auth_hash)', async () => {
    const browser = await loggedIn('akadmin');
    const set = await browser.send('POST', '/api/v3/core/users/1/set_password/', { json: { password: 'mine' }, csrf: true });
    expect(set.status).toBe(204);
    expect(username(await browser.send('GET', '/api/v3/core/users/me/'))).toBe('akadmin');
  });

  it('refuses a body without a password with the documented 400 (no body), an ordinary user 403, an unknown user 404', async () => {
    const missing = await setPassword(2, {});
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe('');
    expect(mock.world.identities.checkPassword(2, PASSWORDS.user)).toBe(true);
    const ordinary = await setPassword(
      2,
      { password: 'x' },
      { authorization: `Bearer ${mock.world.userToken}`, 'content-type': 'application/json' },
    );
    expect(ordinary.status).toBe(403);
    expect((await setPassword(999_999, { password: 'x' })).status).toBe(404);
  });
});

describe('a contract without AuthenticatedSession (sessions held by the mock alone)', () => {
  const document = referenceDocument();
  const bare = new Contract({
    operations: document.operations.filter((o) => !o.path.includes('authenticated_sessions')),
    components: document.components,
  });

  it('stops answering a logged-out cookie, even an answer it gave that cookie before', async () => {
    const sessionless = new MockServer({ contract: bare, recordsPerEntity: 0, userPassword: PASSWORDS.user });
    const browser = new BrowserLike(sessionless.fetch, ORIGIN, bare);
    const url = executorUrl('default-authentication-flow');
    await browser.send('GET', url);
    await browser.send('POST', url, { json: { component: 'ak-stage-identification', uid_field: 'user' } });
    await browser.send('POST', url, { json: { component: 'ak-stage-password', password: PASSWORDS.user } });
    const cookie = browser.cookieHeader;
    const me = () => sessionless.fetch(`${ORIGIN}/api/v3/core/users/me/`, { headers: { cookie } });
    for (let i = 0; i < 2; i++) expect((await me()).status).toBe(200); // the second from the answer cache
    const saves: number[] = [];
    sessionless.onChange((version) => saves.push(version));
    await browser.send('GET', executorUrl('default-invalidation-flow'));
    expect(await (await me()).json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect(saves).toEqual([]); // nothing a data file keeps changed: no save for a logout
  });
});
