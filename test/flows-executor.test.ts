// Issue 18: the flow executor runs the world's flows as authentik 2024.8's does (authentik/flows/views/executor.py and
// the stage views): driven here like a browser — cookies kept, 302s followed — through the default authentication
// flow from authentik's own blueprints. Every challenge is checked against the contract (BrowserLike does it).
import { beforeEach, describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { addTotpDevice, totpCode } from '../src/flows/index.js';
import { BrowserLike, executorUrl } from './support/browser-like.js';
import { referenceDocument } from './support/contracts.js';

const contract = new Contract(referenceDocument());
const ADMIN_PASSWORD = 'correct horse battery staple';
const USER_PASSWORD = 'the ordinary one';
const LOGIN = 'default-authentication-flow';

let mock: MockServer;
let browser: BrowserLike;

function newMock(): MockServer {
  return new MockServer({ contract, recordsPerEntity: 0, adminPassword: ADMIN_PASSWORD, userPassword: USER_PASSWORD });
}

beforeEach(() => {
  mock = newMock();
  browser = new BrowserLike(mock.fetch, 'http://authentik.test', contract);
});

const flow = (pageQuery = 'next=%2Fif%2Fuser%2F') => executorUrl(LOGIN, pageQuery);
const solve = (body: Record<string, unknown>, url = flow()) => browser.send('POST', url, { json: body });
const challenge = (reply: { body: unknown }) => reply.body as Record<string, unknown> & { component: string };

async function identify(uid: string, url = flow()) {
  await browser.send('GET', url);
  return solve({ component: 'ak-stage-identification', uid_field: uid }, url);
}

describe('the default authentication flow', () => {
  it('starts with the identification challenge of the blueprint, flow_info from the flow, and a session cookie', async () => {
    const first = await browser.send('GET', flow());
    expect(first.status).toBe(200);
    expect(challenge(first)).toEqual({
      component: 'ak-stage-identification',
      flow_info: {
        title: 'Welcome to authentik!',
        background: '/static/dist/assets/images/flow_background.jpg',
        cancel_url: '/flows/-/cancel/',
        layout: 'stacked',
      },
      user_fields: ['email', 'username'],
      password_fields: false,
      allow_show_password: false,
      flow_designation: 'authentication',
      primary_action: 'Log in',
      sources: [],
      show_source_labels: false,
    });
    expect(first.setCookies).toEqual([expect.stringMatching(/^authentik_session=\w+; HttpOnly; Path=\/; SameSite=Lax$/)]);
  });

  it('a solved stage answers a 302 back to the executor with the same query, then the password challenge', async () => {
    await browser.send('GET', flow());
    const posted = await browser.send('POST', flow(), {
      json: { component: 'ak-stage-identification', uid_field: 'akadmin' },
      follow: false,
    });
    expect(posted.status).toBe(302);
    // The page's query (`next=%2Fif%2Fuser%2F`) is one parameter of the executor's: encoded again, as Python writes it.
    expect(posted.headers.get('location')).toBe('/api/v3/flows/executor/default-authentication-flow/?query=next%3D%252Fif%252Fuser%252F');
    const next = await browser.send('GET', posted.headers.get('location')!);
    expect(challenge(next)).toMatchObject({ component: 'ak-stage-password', pending_user: 'akadmin', allow_show_password: false });
    expect(challenge(next)['pending_user_avatar']).toMatch(/^https:\/\//);
  });

  it('finds the user by email too, case-insensitively', async () => {
    expect(challenge(await identify('ROOT@example.com'))).toMatchObject({ component: 'ak-stage-password', pending_user: 'akadmin' });
  });

  it('an unknown user is let through identification (pretend_user_exists) and refused by the password stage', async () => {
    const password = await identify('nobody-here');
    expect(challenge(password)).toMatchObject({ component: 'ak-stage-password', pending_user: 'nobody-here' });
    const refused = await solve({ component: 'ak-stage-password', password: 'anything' });
    expect(challenge(refused).response_errors).toEqual({ password: [{ string: 'Invalid password', code: 'invalid' }] });
  });

  it('with pretend_user_exists off, an unknown user is "Failed to authenticate." at identification', async () => {
    const stages = await mock.fetch('/api/v3/stages/identification/?name=default-authentication-identification', {
      headers: { authorization: `Bearer ${mock.world.adminToken}` },
    });
    const stage = ((await stages.json()) as { results: Array<{ pk: string }> }).results[0]!;
    const patched = await mock.fetch(`/api/v3/stages/identification/${stage.pk}/`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${mock.world.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pretend_user_exists: false }),
    });
    expect(patched.status).toBe(200);
    const refused = await identify('nobody-here');
    expect(challenge(refused)).toMatchObject({
      component: 'ak-stage-identification',
      response_errors: { non_field_errors: [{ string: 'Failed to authenticate.', code: 'invalid' }] },
    });
  });

  it('a response without its required field gets DRF’s message in response_errors', async () => {
    await browser.send('GET', flow());
    const refused = await solve({ component: 'ak-stage-identification' });
    expect(challenge(refused).response_errors).toEqual({ uid_field: [{ string: 'This field is required.', code: 'required' }] });
  });

  it('a wrong password is "Invalid password"; the fifth refusal ends the flow with ak-stage-access-denied', async () => {
    await identify('akadmin');
    for (let attempt = 1; attempt <= 4; attempt++) {
      const refused = await solve({ component: 'ak-stage-password', password: `wrong ${attempt}` });
      expect(challenge(refused)).toMatchObject({
        component: 'ak-stage-password',
        response_errors: { password: [{ string: 'Invalid password', code: 'invalid' }] },
      });
    }
    const denied = await solve({ component: 'ak-stage-password', password: 'wrong 5' });
    expect(challenge(denied)).toMatchObject({
      component: 'ak-stage-access-denied',
      error_message: 'Unknown error',
      pending_user: 'akadmin',
    });
    // The plan is gone: the flow starts again, and the right password is not taken from the old one.
    expect(challenge(await browser.send('GET', flow())).component).toBe('ak-stage-identification');
    expect(browser.cookies.has('authentik_csrf')).toBe(false);
  });

  it('an inactive user’s right password is "Invalid password" (Django’s ModelBackend refuses inactive users)', async () => {
    const admin = { authorization: `Bearer ${mock.world.adminToken}`, 'content-type': 'application/json' };
    const patched = await mock.fetch('/api/v3/core/users/2/', {
      method: 'PATCH',
      headers: admin,
      body: JSON.stringify({ is_active: false }),
    });
    expect(patched.status).toBe(200);
    await identify('user');
    const refused = await solve({ component: 'ak-stage-password', password: USER_PASSWORD });
    expect(challenge(refused).response_errors).toEqual({ password: [{ string: 'Invalid password', code: 'invalid' }] });
  });

  it('the right password logs in: 302s through the skipped MFA stage and the login, then xak-flow-redirect to next', async () => {
    await identify('akadmin');
    const done = await solve({ component: 'ak-stage-password', password: ADMIN_PASSWORD });
    // Password solved: 302 → GET, MFA skipped (no device): 302 to itself → GET, logged in: the flow is done.
    expect(done.hops).toEqual([302, 302]);
    expect(challenge(done)).toEqual({ component: 'xak-flow-redirect', to: '/if/user/' });
    const [session, csrf] = done.setCookies;
    expect(session).toMatch(/^authentik_session=\w+; HttpOnly; Path=\/; SameSite=Lax$/);
    expect(csrf).toMatch(/^authentik_csrf=[a-zA-Z0-9]{32}; expires=[^;]+ GMT; Max-Age=31449600; Path=\/; SameSite=Lax$/);
    const me = await browser.send('GET', '/api/v3/core/users/me/');
    expect(me.status).toBe(200);
    expect((me.body as { user: { username: string } }).user.username).toBe('akadmin');
  });

  it('without next the flow ends at "/"; an absolute next is refused: "Invalid next URL"', async () => {
    await identify('user', flow(''));
    expect(challenge(await solve({ component: 'ak-stage-password', password: USER_PASSWORD }, flow('')))).toEqual({
      component: 'xak-flow-redirect',
      to: '/',
    });
    const other = new BrowserLike(mock.fetch, 'http://authentik.test', contract);
    const evil = flow('next=https%3A%2F%2Fevil.example%2F');
    await other.send('GET', evil);
    await other.send('POST', evil, { json: { component: 'ak-stage-identification', uid_field: 'user' } });
    const refused = await other.send('POST', evil, { json: { component: 'ak-stage-password', password: USER_PASSWORD } });
    expect(challenge(refused)).toMatchObject({ component: 'ak-stage-access-denied', error_message: 'Invalid next URL' });
  });

  it('asks a user with a TOTP device for a code: a wrong one is "Invalid Token", the right one logs in', async () => {
    const device = addTotpDevice(mock.world, 1);
    await identify('akadmin');
    const mfa = await solve({ component: 'ak-stage-password', password: ADMIN_PASSWORD });
    expect(challenge(mfa)).toMatchObject({
      component: 'ak-stage-authenticator-validate',
      pending_user: 'akadmin',
      device_challenges: [{ device_class: 'totp', device_uid: String(device['pk']), challenge: {} }],
      configuration_stages: [],
    });
    const code = await totpCode(String(device['key']));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const refused = await solve({ component: 'ak-stage-authenticator-validate', code: wrong });
    expect(challenge(refused).response_errors).toEqual({ code: [{ string: 'Invalid Token', code: 'invalid' }] });
    // django-otp throttles a device for 2^(n-1) s after n failures: the next try waits a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const done = await solve({ component: 'ak-stage-authenticator-validate', code: await totpCode(String(device['key'])) });
    expect(challenge(done)).toEqual({ component: 'xak-flow-redirect', to: '/if/user/' });
  });

  it('a TOTP code works once (django-otp’s last_t)', async () => {
    const device = addTotpDevice(mock.world, 1);
    const code = await totpCode(String(device['key']));
    await identify('akadmin');
    await solve({ component: 'ak-stage-password', password: ADMIN_PASSWORD });
    expect(challenge(await solve({ component: 'ak-stage-authenticator-validate', code })).component).toBe('xak-flow-redirect');
    const again = new BrowserLike(mock.fetch, 'http://authentik.test', contract);
    await again.send('GET', flow());
    await again.send('POST', flow(), { json: { component: 'ak-stage-identification', uid_field: 'akadmin' } });
    await again.send('POST', flow(), { json: { component: 'ak-stage-password', password: ADMIN_PASSWORD } });
    const reused = await again.send('POST', flow(), { json: { component: 'ak-stage-authenticator-validate', code } });
    expect(challenge(reused).response_errors).toEqual({ code: [{ string: 'Invalid Token', code: 'invalid' }] });
  });
});

describe('the executor', () => {
  it('answers an unknown flow slug 404 (authentik’s error page)', async () => {
    const missing = await browser.send('GET', executorUrl('no-such-flow'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('accepts a request without `query` (the view defaults it to "")', async () => {
    const reply = await browser.send('GET', `/api/v3/flows/executor/${LOGIN}/`);
    expect(challenge(reply).component).toBe('ak-stage-identification');
  });

  it('denies a flow that requires a logged-in user to an anonymous one: "Flow does not apply to current user."', async () => {
    const denied = await browser.send('GET', executorUrl('default-user-settings-flow'));
    expect(challenge(denied)).toMatchObject({
      component: 'ak-stage-access-denied',
      error_message: 'Flow does not apply to current user.',
      pending_user: '',
      pending_user_avatar: '/static/dist/assets/images/user_default.png',
    });
  });

  it('runs the invalidation flow: the session is logged out and the flow ends at "/"', async () => {
    await identify('akadmin');
    await solve({ component: 'ak-stage-password', password: ADMIN_PASSWORD });
    expect((await browser.send('GET', '/api/v3/core/users/me/')).status).toBe(200);
    const loggedInCookie = browser.cookies.get('authentik_session');
    const logout = await browser.send('GET', executorUrl('default-invalidation-flow', 'next=%2Fsomewhere%2F'));
    // The logout flushes the session, `next` with it: the flow ends at "/" (authentik 2024.8 does the same).
    expect(challenge(logout)).toEqual({ component: 'xak-flow-redirect', to: '/' });
    expect(browser.cookies.get('authentik_session')).not.toBe(loggedInCookie);
    expect((await browser.send('GET', '/api/v3/core/users/me/')).status).toBe(403);
    const old = await mock.fetch('/api/v3/core/users/me/', { headers: { cookie: `authentik_session=${loggedInCookie}` } });
    expect(old.status).toBe(403);
  });

  it('a plan of another flow is dropped when a flow starts (one plan per session)', async () => {
    await identify('akadmin');
    await browser.send('GET', executorUrl('default-invalidation-flow'));
    expect(challenge(await browser.send('GET', flow())).component).toBe('ak-stage-identification');
  });

  it('a body that is not JSON is ak-stage-flow-error, as authentik answers an exception in a stage', async () => {
    await browser.send('GET', flow());
    const broken = await mock.fetch(`http://authentik.test${flow()}`, {
      method: 'POST',
      headers: { cookie: browser.cookieHeader, 'content-type': 'application/json' },
      body: '{nope',
    });
    const body = (await broken.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ component: 'ak-stage-flow-error', request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(contract.validateResponse('flows_executor_solve', 200, body)).toEqual([]);
  });
});

describe('other stages of authentik’s default flows', () => {
  async function logIn(username: string, password: string) {
    await identify(username);
    const done = await solve({ component: 'ak-stage-password', password });
    expect(challenge(done).component).toBe('xak-flow-redirect');
  }

  it('the password change flow: a prompt (two passwords that must match), then the user write stage sets it', async () => {
    await logIn('user', USER_PASSWORD);
    const url = executorUrl('default-password-change');
    const prompt = await browser.send('GET', url);
    expect(challenge(prompt).component).toBe('ak-stage-prompt');
    expect(challenge(prompt)).not.toHaveProperty('pending_user'); // PromptChallenge shows no user
    const keys = (challenge(prompt)['fields'] as Array<{ field_key: string; type: string }>).map((f) => [f.field_key, f.type]);
    expect(keys).toEqual([
      ['password', 'password'],
      ['password_repeat', 'password'],
    ]);
    const mismatch = await browser.send('POST', url, {
      csrf: true,
      json: { component: 'ak-stage-prompt', password: 'a', password_repeat: 'b' },
    });
    expect(challenge(mismatch).response_errors).toEqual({ non_field_errors: [{ string: "Passwords don't match.", code: 'invalid' }] });
    const missing = await browser.send('POST', url, { csrf: true, json: { component: 'ak-stage-prompt', password: 'a' } });
    expect(challenge(missing).response_errors).toEqual({ password_repeat: [{ string: 'This field is required.', code: 'required' }] });
    const done = await browser.send('POST', url, {
      csrf: true,
      json: { component: 'ak-stage-prompt', password: 'new one', password_repeat: 'new one' },
    });
    expect(challenge(done)).toEqual({ component: 'xak-flow-redirect', to: '/' });
    expect(mock.world.identities.checkPassword(2, 'new one')).toBe(true);
    expect((await browser.send('GET', '/api/v3/core/users/me/')).status).toBe(200); // this session stays logged in
  });

  it('the TOTP setup flow: config_url gives the secret, a code from it makes the device, the next login asks for it', async () => {
    await logIn('user', USER_PASSWORD);
    const url = executorUrl('default-authenticator-totp-setup');
    const setup = challenge(await browser.send('GET', url));
    expect(setup).toMatchObject({ component: 'ak-stage-authenticator-totp', pending_user: 'user' });
    const configUrl = String(setup['config_url']);
    expect(configUrl).toMatch(
      /^otpauth:\/\/totp\/authentik%3Auser\?secret=[A-Z2-7]{32}&algorithm=SHA1&digits=6&period=30&issuer=authentik$/,
    );
    const { keyFromConfigUrl } = await import('../src/flows/totp.js');
    const key = keyFromConfigUrl(configUrl);
    const wrong = await browser.send('POST', url, { csrf: true, json: { component: 'ak-stage-authenticator-totp', code: 1 } });
    expect(challenge(wrong).response_errors).toEqual({ code: [{ string: 'Code does not match', code: 'invalid' }] });
    const done = await browser.send('POST', url, {
      csrf: true,
      json: { component: 'ak-stage-authenticator-totp', code: Number(await totpCode(key)) },
    });
    expect(challenge(done).component).toBe('xak-flow-redirect');
    const next = new BrowserLike(mock.fetch, 'http://authentik.test', contract);
    await next.send('GET', flow());
    await next.send('POST', flow(), { json: { component: 'ak-stage-identification', uid_field: 'user' } });
    const mfa = await next.send('POST', flow(), { json: { component: 'ak-stage-password', password: USER_PASSWORD } });
    expect(challenge(mfa).component).toBe('ak-stage-authenticator-validate');
  });
});
