// Issue 18 items 6 and 7, in process: authentik 2024.8's OAuth2 provider endpoints answer as authentik's do —
// discovery, JWKS, the authorization endpoint's checks and redirects (login, consent, the client), the token
// endpoint's grants and errors, userinfo, introspection, revocation, end session — and `autoLogin` skips the login.
import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { oidcOf } from '../src/oidc/index.js';
import { referenceDocument, seedContract } from './support/contracts.js';
import { form, makeOidcApp, type OidcApp } from './support/oidc-app.js';
import { libraryContract, resource } from './support/library.js';

const contract = new Contract(referenceDocument());
const ORIGIN = 'http://authentik.test';

/** Stands in for the sessions of the flow executor (another branch): a cookie naming the logged-in user. */
function withSessions(mock: MockServer): void {
  mock.callers.add((context) => {
    const username = context.cookie('test_session');
    const user = username ? mock.world.table('User').find('username', username) : undefined;
    return user ? { userPk: user['pk'] as number, superuser: false, validUntil: Infinity } : undefined;
  });
}

const get = (mock: MockServer, path: string, headers: Record<string, string> = {}) => mock.fetch(`${ORIGIN}${path}`, { headers });
const post = (mock: MockServer, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
  const init = form(fields);
  return mock.fetch(`${ORIGIN}${path}`, { ...init, headers: { ...init.headers, ...headers } });
};

function authorizeUrl(app: OidcApp, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 's1',
    ...params,
  });
  return `/application/o/authorize/?${query}`;
}

/** Authorizes (as the session user, or the auto-login user) and exchanges the code. */
async function tokensFor(mock: MockServer, app: OidcApp, scope: string, headers: Record<string, string> = {}) {
  const location = (await get(mock, authorizeUrl(app, { scope }), headers)).headers.get('location')!;
  const code = new URL(location).searchParams.get('code')!;
  const response = await post(mock, '/application/o/token/', {
    grant_type: 'authorization_code',
    code,
    redirect_uri: app.redirectUri,
    client_id: app.clientId,
    client_secret: app.clientSecret,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    access_token: string;
    id_token: string;
    refresh_token?: string;
    expires_in: number;
    token_type: string;
  };
}

describe('discovery and keys', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 0 });
  beforeEach(async () => {
    mock.reset();
    await makeOidcApp(mock, { slug: 'my-app', signingKeyPem: 'generated' });
    await makeOidcApp(mock, { slug: 'hs-app', scopes: ['email', 'profile'], issuerMode: 'global' });
  });

  it('serves authentik’s discovery document, field by field, valid for the contract’s OpenIDConnectConfiguration', async () => {
    const response = await get(mock, '/application/o/my-app/.well-known/openid-configuration');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^\{\n {2}"issuer": /); // JsonResponse(indent=2)
    const document = JSON.parse(text) as Record<string, unknown>;
    const at = (path: string) => `${ORIGIN}/application/o/${path}`;
    expect(document).toEqual({
      issuer: at('my-app/'),
      authorization_endpoint: at('authorize/'),
      token_endpoint: at('token/'),
      userinfo_endpoint: at('userinfo/'),
      end_session_endpoint: at('my-app/end-session/'),
      introspection_endpoint: at('introspect/'),
      revocation_endpoint: at('revoke/'),
      device_authorization_endpoint: at('device/'),
      response_types_supported: ['code', 'id_token', 'id_token token', 'code token', 'code id_token', 'code id_token token'],
      jwks_uri: at('my-app/jwks/'),
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'implicit',
        'client_credentials',
        'password',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      acr_values_supported: ['goauthentik.io/providers/oauth2/default'],
      scopes_supported: ['email', 'goauthentik.io/api', 'offline_access', 'openid', 'profile'],
      request_parameter_supported: false,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr'],
      claims_parameter_supported: false,
    });
    expect(contract.check({ $ref: '#/components/schemas/OpenIDConnectConfiguration' }, document)).toEqual([]);
  });

  it('says HS256 for a provider without a signing key, adds openid to its scopes, and a global issuer is the host', async () => {
    const document = (await (await get(mock, '/application/o/hs-app/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(document['id_token_signing_alg_values_supported']).toEqual(['HS256']);
    expect(document['scopes_supported']).toEqual(['email', 'profile', 'openid']);
    expect(document['issuer']).toBe(`${ORIGIN}/`);
  });

  it('uses the request’s host and X-Forwarded-Proto for every URL', async () => {
    const response = await mock.fetch('http://login.example:8443/application/o/my-app/.well-known/openid-configuration', {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(((await response.json()) as { issuer: string }).issuer).toBe('https://login.example:8443/application/o/my-app/');
  });

  it('lists the claims the mappings give a logged-in caller, as authentik evaluates them for the request’s user', async () => {
    withSessions(mock);
    const document = (await (
      await get(mock, '/application/o/my-app/.well-known/openid-configuration', { cookie: 'test_session=akadmin' })
    ).json()) as Record<string, string[]>;
    expect(document['claims_supported']).toEqual(
      expect.arrayContaining(['sub', 'email', 'email_verified', 'name', 'given_name', 'preferred_username', 'nickname', 'groups']),
    );
  });

  it('redirects the issuer URL to its discovery document; an unknown application is a 404', async () => {
    const root = await get(mock, '/application/o/my-app/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/application/o/my-app/.well-known/openid-configuration');
    expect((await get(mock, '/application/o/nothing-here/.well-known/openid-configuration')).status).toBe(404);
    expect((await get(mock, '/application/o/nothing-here/jwks/')).status).toBe(404);
    // APPEND_SLASH = False: authentik's exact paths only.
    expect((await get(mock, '/application/o/my-app/jwks')).status).toBe(404);
    expect((await get(mock, '/application/o/authorize')).status).toBe(404);
  });

  it('publishes the RSA signing key (same key every time, a 32-hex kid, no private part); {} for HS256', async () => {
    const first = await get(mock, '/application/o/my-app/jwks/');
    expect(first.headers.get('access-control-allow-origin')).toBe('*');
    const { keys } = (await first.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(keys[0]!['kid']).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(await (await get(mock, '/application/o/my-app/jwks/')).json()).toEqual({ keys });
    expect(await (await get(mock, '/application/o/hs-app/jwks/')).json()).toEqual({});
  });

  it('keeps the private key apart: no API read and no record holds it; the dump keeps it beside the records', async () => {
    await get(mock, '/application/o/my-app/jwks/');
    const saved = oidcOf(mock)!.save();
    const privateD = Object.values(saved.keys)[0]!.jwk.d!;
    expect(privateD.length).toBeGreaterThan(100);
    const admin = { authorization: `Bearer ${mock.world.adminToken}` };
    const listed = await (await get(mock, '/api/v3/crypto/certificatekeypairs/', admin)).text();
    expect(listed).not.toContain(privateD);
    const dump = mock.world.dump();
    expect(JSON.stringify(dump.records)).not.toContain(privateD);
    expect(JSON.stringify(dump.kept)).toContain(privateD);
  });

  it('are there for any contract that has OAuth2 providers, applications and users; not for one without', async () => {
    const seeds = new MockServer({ contract: seedContract(), recordsPerEntity: 0 });
    expect(await (await seeds.fetch('/application/o/authorize/?client_id=x&response_type=code')).text()).toContain('Client ID Error');
    const shelves = libraryContract(resource('/library/shelves/', 'Shelf'), {
      Shelf: {
        type: 'object',
        properties: { pk: { type: 'integer', readOnly: true }, name: { type: 'string' } },
        required: ['pk', 'name'],
      },
      ShelfRequest: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    });
    const small = new MockServer({ contract: shelves, recordsPerEntity: 0, autoLogin: 'anyone' });
    expect((await small.fetch('/application/o/authorize/?client_id=x&response_type=code')).status).toBe(404);
  });
});

describe('methods the OAuth2 views have no handler for (Django’s View.dispatch)', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 0 });
  beforeEach(async () => {
    mock.reset();
    await makeOidcApp(mock, { slug: 'my-app' });
  });
  const ask = (method: string, path: string, headers: Record<string, string> = {}) => mock.fetch(`${ORIGIN}${path}`, { method, headers });

  it('answers 405 with an empty HTML body and the view’s methods as Django lists them', async () => {
    for (const [method, path, allow] of [
      ['POST', '/application/o/my-app/jwks/', 'GET, HEAD, OPTIONS'],
      ['PUT', '/application/o/my-app/.well-known/openid-configuration', 'GET, HEAD, OPTIONS'],
      ['GET', '/application/o/introspect/', 'POST, OPTIONS'],
    ]) {
      const answer = await ask(method!, path!);
      expect(answer.status, path).toBe(405);
      expect(answer.headers.get('allow'), path).toBe(allow);
      expect(answer.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(await answer.text(), path).toBe('');
    }
  });

  it('answers OPTIONS 200 with Allow where the view keeps Django’s own, with cors_allow where the view adds it', async () => {
    const revoke = await ask('OPTIONS', '/application/o/revoke/');
    expect(revoke.status).toBe(200);
    expect(revoke.headers.get('allow')).toBe('POST, OPTIONS');
    const discovery = await ask('OPTIONS', '/application/o/my-app/.well-known/openid-configuration', { origin: 'https://spa.example' });
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(discovery.headers.get('access-control-allow-origin')).toBe('https://spa.example');
    // What a view checks in its own dispatch comes before the method: the application, the token, the query.
    expect((await ask('POST', '/application/o/nobody/.well-known/openid-configuration')).status).toBe(404);
    const noToken = await ask('DELETE', '/application/o/userinfo/');
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toMatch(/^error="invalid_token"/);
    expect((await ask('PATCH', '/application/o/authorize/')).status).toBe(404);
  });
});

describe('the authorization endpoint', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 0 });
  withSessions(mock);
  const session = { cookie: 'test_session=akadmin' };
  let app: OidcApp;
  beforeEach(async () => {
    mock.reset();
    app = await makeOidcApp(mock, { slug: 'my-app' });
  });

  it('answers a request without parameters 404, an unknown client a 400 page, a bad redirect URI a 400 page', async () => {
    expect((await get(mock, '/application/o/authorize/')).status).toBe(404);
    const badClient = await get(mock, authorizeUrl({ ...app, clientId: 'nobody' }));
    expect(badClient.status).toBe(400);
    expect(badClient.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await badClient.text()).toContain('The client identifier (client_id) is missing or invalid.');
    for (const redirectUri of ['https://evil.example/callback', `${app.redirectUri}/more`, '']) {
      const bad = await get(mock, authorizeUrl({ ...app, redirectUri }));
      expect(bad.status, redirectUri).toBe(400);
      const text = await bad.text();
      expect(text).toContain('<h1>Redirect URI Error</h1>');
      expect(text).toContain('The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).');
    }
  });

  it('matches redirect URIs as regular expressions, line by line, the whole URI', async () => {
    const regex = await makeOidcApp(mock, { slug: 'regex-app', redirectUris: 'https://a\\.example/cb\nhttps://.*\\.b\\.example/cb' });
    const status = async (redirectUri: string) => (await get(mock, authorizeUrl({ ...regex, redirectUri }), session)).status;
    expect(await status('https://a.example/cb')).toBe(302);
    expect(await status('https://x.b.example/cb')).toBe(302);
    expect(await status('https://a.example/cb2')).toBe(400);
    expect(await status('https://b.example/cb')).toBe(400);
    const broken = await makeOidcApp(mock, { slug: 'broken', redirectUris: 'https://a.example/(' });
    expect((await get(mock, authorizeUrl({ ...broken, redirectUri: 'https://a.example/(' }), session)).status).toBe(400);
  });

  it('saves the first redirect URI of a provider that has none (escaped), and turns * into .*', async () => {
    const blank = await makeOidcApp(mock, { slug: 'blank', redirectUris: '' });
    expect((await get(mock, authorizeUrl({ ...blank, redirectUri: 'https://first.example/cb?x=1' }), session)).status).toBe(302);
    expect(mock.world.table('OAuth2Provider').get(blank.providerPk)!['redirect_uris']).toBe('https://first\\.example/cb\\?x=1');
    expect((await get(mock, authorizeUrl({ ...blank, redirectUri: 'https://other.example/cb' }), session)).status).toBe(400);
    const star = await makeOidcApp(mock, { slug: 'star', redirectUris: '*' });
    expect((await get(mock, authorizeUrl({ ...star, redirectUri: 'https://any.example/' }), session)).status).toBe(302);
    expect(mock.world.table('OAuth2Provider').get(star.providerPk)!['redirect_uris']).toBe('.*');
  });

  it('sends errors back to the client in authentik’s words, with the state', async () => {
    const location = async (params: Record<string, string>) =>
      (await get(mock, authorizeUrl(app, params), session)).headers.get('location');
    // An unsupported response type goes back before the client is even looked up.
    expect(await location({ response_type: 'token', client_id: 'unknown' })).toBe(
      `${app.redirectUri}?error=unsupported_response_type&error_description=The%20authorization%20server%20does%20not%20support%20obtaining%20an%20authorization%20code%20using%20this%20method&state=s1`,
    );
    expect(await location({ response_type: 'id_token', scope: 'email', nonce: 'n' })).toBe(
      `${app.redirectUri}#error=invalid_scope&error_description=The%20requested%20scope%20is%20invalid%2C%20unknown%2C%20or%20malformed&state=s1`,
    );
    expect(await location({ code_challenge: 'abc' })).toMatch(
      /\?error=invalid_request&error_description=The%20request%20is%20otherwise%20malformed&state=s1$/,
    );
    expect(await location({ code_challenge: 'abc', code_challenge_method: 'S512' })).toMatch(/error=invalid_request/);
    expect(await location({ request: 'eyJ.x.y' })).toMatch(/error=request_not_supported/);
    expect(await location({ response_type: 'id_token', state: '', nonce: '' })).toMatch(/#error=invalid_request/);
    expect(await location({ max_age: 'soon' })).toMatch(/error=invalid_request&error_description=max_age%20must%20be%20an%20integer/);
  });

  it('sends nobody logged in to the login flow with next back here, or says login_required for prompt=none', async () => {
    const url = authorizeUrl(app);
    const response = await get(mock, url);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!, ORIGIN);
    expect(location.pathname).toBe('/if/flow/default-authentication-flow/');
    expect(location.searchParams.get('next')).toBe(url);
    expect(response.headers.get('location')).toContain('?next=%2Fapplication%2Fo%2Fauthorize%2F%3Fclient_id%3D');
    const none = await get(mock, authorizeUrl(app, { prompt: 'none' }));
    expect(none.headers.get('location')).toBe(
      `${app.redirectUri}?error=login_required&error_description=The%20Authorization%20Server%20requires%20End-User%20authentication&state=s1`,
    );
  });

  it('answers a method it has no handler for 405 only once the request passed its checks and the user is logged in', async () => {
    const patch = await mock.fetch(`${ORIGIN}${authorizeUrl(app)}`, { method: 'PATCH', headers: session });
    expect([patch.status, patch.headers.get('allow')]).toEqual([405, 'GET, POST, HEAD, OPTIONS']);
    const anonymous = await mock.fetch(`${ORIGIN}${authorizeUrl(app)}`, { method: 'PATCH' });
    expect(anonymous.status).toBe(302); // to the login flow first
  });

  it('logs in through the provider’s own authentication flow when it names one', async () => {
    const flow = mock.world
      .table('Flow')
      .all()
      .find((f) => f['slug'] === 'default-source-authentication')!;
    const provider = mock.world.table('OAuth2Provider').get(app.providerPk)!;
    mock.world.save('OAuth2Provider', { ...provider, authentication_flow: flow['pk'] });
    expect((await get(mock, authorizeUrl(app))).headers.get('location')).toMatch(/^\/if\/flow\/default-source-authentication\/\?next=/);
  });

  it('without a flow of the provider or the brand, logs in through the flow ToDefaultFlow picks (policies checked)', async () => {
    const admin = async (method: string, path: string, body?: unknown) => {
      const headers = { authorization: `Bearer ${mock.world.adminToken}`, 'content-type': 'application/json' };
      const response = await mock.fetch(`${ORIGIN}/api/v3${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
      return (await response.json()) as Record<string, unknown>;
    };
    for (const brand of (await admin('GET', '/core/brands/'))['results'] as Array<Record<string, unknown>>)
      await admin('PATCH', `/core/brands/${String(brand['brand_uuid'])}/`, { flow_authentication: null });
    // First by slug, but a policy refuses it: ToDefaultFlow goes on to the next.
    const closed = await admin('POST', '/flows/instances/', {
      name: 'closed',
      slug: 'a-closed',
      title: 'closed',
      designation: 'authentication',
    });
    const never = await admin('POST', '/policies/dummy/', { name: 'never', result: false });
    const bound = await admin('POST', '/policies/bindings/', {
      policy: never['pk'],
      target: closed['policybindingmodel_ptr_id'],
      order: 0,
    });
    expect(bound['target']).toBe(closed['policybindingmodel_ptr_id']);
    const pathOf = async (url: string) => new URL((await get(mock, url)).headers.get('location')!, ORIGIN).pathname;
    expect(await pathOf('/flows/-/default/authentication/')).toBe('/if/flow/default-authentication-flow/');
    expect(await pathOf(authorizeUrl(app))).toBe('/if/flow/default-authentication-flow/');
  });

  it('gives a logged-in user of an implicit-consent flow the code at once, keeping the redirect URI’s query', async () => {
    const withQuery = await makeOidcApp(mock, { slug: 'q', redirectUris: 'https://app\\.example/cb\\?tenant=7' });
    const response = await get(
      mock,
      authorizeUrl({ ...withQuery, redirectUri: 'https://app.example/cb?tenant=7' }, { state: 'a b' }),
      session,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^https:\/\/app\.example\/cb\?tenant=7&code=[0-9a-f]{32}&state=a\+b$/);
  });

  it('asks consent for offline_access even of an implicit flow (it adds prompt=consent), as authentik 2024 does', async () => {
    // For a logged-in user, a consent stage that always asks is appended to the plan (oidc-executor.test.ts).
    // With prompt=none too, the consent page comes first and its end says consent_required (authentik issue #8660).
    const auto = new MockServer({ contract, recordsPerEntity: 0, autoLogin: 'akadmin' });
    const ci = await makeOidcApp(auto, { slug: 'ci' });
    expect((await get(auto, authorizeUrl(ci, { scope: 'openid offline_access', prompt: 'none' }))).headers.get('location')).toBe(
      `${ci.redirectUri}?error=consent_required&error_description=The%20Authorization%20Server%20requires%20End-Userconsent&state=s1`,
    );
  });

  it('asks a new login for max_age older than the login, and once for prompt=login', async () => {
    const admin = mock.world.table('User').find('username', 'akadmin')!;
    mock.world.save('User', { ...admin, last_login: new Date(Date.now() - 3_600_000).toISOString() });
    expect((await get(mock, authorizeUrl(app, { max_age: '60' }), session)).headers.get('location')).toMatch(
      /^\/if\/flow\/default-authentication-flow\//,
    );
    expect((await get(mock, authorizeUrl(app, { max_age: '7200' }), session)).headers.get('location')).toMatch(/\?code=/);
    expect((await get(mock, authorizeUrl(app, { prompt: 'login' }), session)).headers.get('location')).toMatch(/^\/if\/flow\//);
    expect((await get(mock, authorizeUrl(app, { prompt: 'login' }), session)).headers.get('location')).toMatch(/\?code=/);
  });

  it('ignores API credentials: the authorization endpoint is a page that knows the session only', async () => {
    const response = await get(mock, authorizeUrl(app), { authorization: `Bearer ${mock.world.adminToken}` });
    expect(response.headers.get('location')).toMatch(/^\/if\/flow\/default-authentication-flow\//);
  });
});

describe('auto-login (serve --auto-login, for CI)', () => {
  it('answers authorize as that user at once, consenting where the flow asks', async () => {
    const mock = new MockServer({ contract, recordsPerEntity: 0, autoLogin: 'user' });
    const app = await makeOidcApp(mock, { slug: 'ci', flow: 'default-provider-authorization-explicit-consent', subMode: 'user_username' });
    const tokens = await tokensFor(mock, app, 'openid profile offline_access');
    expect(decodeJwt(tokens.id_token)).toMatchObject({ sub: 'user', preferred_username: 'user', name: 'Ordinary User' });
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9]{128}$/);
    const consents = await (await get(mock, '/api/v3/core/user_consent/', { authorization: `Bearer ${mock.world.adminToken}` })).json();
    expect(consents).toMatchObject({ results: [{ permissions: 'offline_access openid profile' }] });
  });

  it('refuses to start with a user the world does not have', () => {
    expect(() => new MockServer({ contract, recordsPerEntity: 0, autoLogin: 'nobody' })).toThrow(/no user named "nobody"/);
  });
});

describe('tokens', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 0, autoLogin: 'akadmin' });
  let app: OidcApp;
  beforeEach(async () => {
    mock.reset();
    app = await makeOidcApp(mock, { slug: 'my-app' });
  });
  afterEach(() => vi.useRealTimers());

  it('signs HS256 with the client secret: authentik’s claims, sub as the provider says, no kid', async () => {
    const tokens = await tokensFor(mock, app, 'openid email profile goauthentik.io/api');
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(tokens.refresh_token).toBeUndefined();
    expect(decodeProtectedHeader(tokens.id_token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(tokens.id_token, new TextEncoder().encode(app.clientSecret), {
      issuer: `${ORIGIN}/application/o/my-app/`,
      audience: app.clientId,
    });
    const admin = mock.world.table('User').find('username', 'akadmin')!;
    expect(Object.keys(payload)).toEqual([
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'email',
      'email_verified',
      'name',
      'given_name',
      'preferred_username',
      'nickname',
      'groups',
    ]);
    expect(payload).toMatchObject({ sub: admin['uid'], email: 'root@example.com', email_verified: true, groups: ['authentik Admins'] });
    expect(payload.exp! - payload.iat!).toBe(3600);
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({ ...payload, azp: app.clientId, uid: expect.stringMatching(/^[A-Za-z0-9]{40}$/) });
  });

  it('puts sub as each sub_mode says', async () => {
    const admin = mock.world.table('User').find('username', 'akadmin')!;
    const expected: Record<string, unknown> = {
      hashed_user_id: admin['uid'],
      user_id: '1',
      user_uuid: admin['uuid'],
      user_username: 'akadmin',
      user_email: 'root@example.com',
      user_upn: admin['uid'],
    };
    for (const [subMode, sub] of Object.entries(expected)) {
      const other = await makeOidcApp(mock, { slug: `sub-${subMode.replace(/_/g, '-')}`, subMode });
      expect(decodeJwt((await tokensFor(mock, other, 'openid')).id_token).sub, subMode).toBe(sub);
    }
  });

  it('leaves the scope claims out of the id_token when the provider says so (userinfo still has them)', async () => {
    const lean = await makeOidcApp(mock, { slug: 'lean', includeClaimsInIdToken: false });
    const tokens = await tokensFor(mock, lean, 'openid email');
    expect(decodeJwt(tokens.id_token)).not.toHaveProperty('email');
    const userinfo = await get(mock, '/application/o/userinfo/', { authorization: `Bearer ${tokens.access_token}` });
    expect(await userinfo.json()).toEqual({ sub: decodeJwt(tokens.id_token).sub, email: 'root@example.com', email_verified: true });
  });

  it('refuses bad clients, bad grants and bad PKCE in authentik’s words', async () => {
    const error = async (response: Response) => ({ status: response.status, body: await response.json() });
    const invalidClient = {
      error: 'invalid_client',
      error_description:
        'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)',
    };
    const invalidGrant = {
      error: 'invalid_grant',
      error_description:
        'The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client',
    };
    const code = async (params: Record<string, string> = {}) =>
      new URL((await get(mock, authorizeUrl(app, params))).headers.get('location')!).searchParams.get('code')!;
    const exchange = (fields: Record<string, string>, headers?: Record<string, string>) =>
      post(
        mock,
        '/application/o/token/',
        {
          grant_type: 'authorization_code',
          redirect_uri: app.redirectUri,
          client_id: app.clientId,
          client_secret: app.clientSecret,
          ...fields,
        },
        headers,
      );
    expect(await error(await exchange({ client_id: 'nobody', code: await code() }))).toEqual({ status: 400, body: invalidClient });
    expect(await error(await exchange({ client_secret: 'wrong', code: await code() }))).toEqual({ status: 400, body: invalidClient });
    expect(await error(await exchange({ redirect_uri: 'https://evil.example/', code: await code() }))).toEqual({
      status: 400,
      body: invalidClient,
    });
    expect(await error(await exchange({ code: 'not-a-code' }))).toEqual({ status: 400, body: invalidGrant });
    expect(await error(await exchange({ grant_type: 'magic' }))).toMatchObject({ body: { error: 'unsupported_grant_type' } });
    // PKCE: the wrong verifier, none, or one for a code issued without a challenge.
    const verifier = 'a-verifier-of-at-least-43-characters-0123456789';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
    expect(await error(await exchange({ code: await code(pkce), code_verifier: 'wrong-verifier' }))).toEqual({
      status: 400,
      body: invalidGrant,
    });
    expect(await error(await exchange({ code: await code(pkce) }))).toEqual({ status: 400, body: invalidGrant });
    expect(await error(await exchange({ code: await code(), code_verifier: verifier }))).toEqual({ status: 400, body: invalidGrant });
    const good = await code(pkce);
    // Basic authentication of the client works as the form does; the code is good once.
    const basic = { authorization: `Basic ${btoa(`${app.clientId}:${app.clientSecret}`)}` };
    expect((await exchange({ code: good, code_verifier: verifier, client_id: '', client_secret: '' }, basic)).status).toBe(200);
    expect(await error(await exchange({ code: good, code_verifier: verifier }))).toEqual({ status: 400, body: invalidGrant });
  });

  it('lets a code expire after the provider’s access_code_validity (one minute)', async () => {
    const issued = new URL((await get(mock, authorizeUrl(app))).headers.get('location')!).searchParams.get('code')!;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const response = await post(mock, '/application/o/token/', {
      grant_type: 'authorization_code',
      code: issued,
      redirect_uri: app.redirectUri,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers token errors as TokenResponse: JSON, never cached; OPTIONS {}; other methods 405', async () => {
    const response = await post(mock, '/application/o/token/', { grant_type: 'authorization_code' });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(await response.text()).toMatch(/^\{"error": "invalid_client", "error_description": /);
    const options = await mock.fetch(`${ORIGIN}/application/o/token/`, { method: 'OPTIONS', headers: { origin: 'https://spa.example' } });
    expect(options.status).toBe(200);
    expect(options.headers.get('access-control-allow-origin')).toBe('https://spa.example');
    expect(await options.json()).toEqual({});
    expect((await get(mock, '/application/o/token/')).status).toBe(405);
  });

  it('answers a page’s preflight on token and userinfo itself (cors_allow), even where the mock’s CORS for pages lists other origins', async () => {
    const listed = new MockServer({ contract, recordsPerEntity: 0, cors: ['http://localhost:5173'] });
    const preflight = (path: string) =>
      listed.fetch(`${ORIGIN}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://127.0.0.1:3000',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    for (const path of ['/application/o/userinfo/', '/application/o/token/']) {
      const answer = await preflight(path);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get('access-control-allow-origin'), path).toBe('http://127.0.0.1:3000');
      expect(answer.headers.get('access-control-allow-headers'), path).toBe('authorization');
    }
    // The API keeps the mock's list: an origin not on it is refused.
    expect((await preflight('/api/v3/core/users/me/')).status).toBe(403);
  });

  it('issues tokens for a provider whose validity is absurdly long (held to a date, not a 500)', async () => {
    const patched = await mock.fetch(`${ORIGIN}/api/v3/providers/oauth2/${app.providerPk}/`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${mock.world.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ access_token_validity: 'weeks=1e300', access_code_validity: 'hours=1e10' }),
    });
    expect(patched.status).toBe(200);
    const tokens = await tokensFor(mock, app, 'openid goauthentik.io/api');
    expect(tokens.expires_in).toBeGreaterThan(3_000 * 365 * 86_400);
  });

  it('keeps credentials in a query string out of the request log', async () => {
    const tokens = await tokensFor(mock, app, 'openid goauthentik.io/api');
    const logged: string[] = [];
    const stop = mock.onRequest((entry) => logged.push(entry.url));
    await get(mock, `/application/o/userinfo/?access_token=${tokens.access_token}&x=1`);
    await get(mock, `/application/o/${app.slug}/end-session/?id_token_hint=${tokens.id_token}`);
    await get(mock, `/application/o/userinfo/?x=1&acc%65ss_token=${tokens.access_token}`); // a name percent-encoded
    stop();
    expect(logged).toEqual([
      '/application/o/userinfo/?access_token=%5Bhidden%5D&x=1',
      `/application/o/${app.slug}/end-session/?id_token_hint=%5Bhidden%5D`,
      '/application/o/userinfo/?x=1&access_token=%5Bhidden%5D',
    ]);
    expect(logged.join(' ')).not.toContain(tokens.access_token.slice(0, 20));
  });

  it('gives discovery no CORS headers for an origin that is none of the provider’s redirect URIs, whatever the mock’s CORS for pages', async () => {
    const open = new MockServer({ contract, recordsPerEntity: 0, cors: '*' });
    await makeOidcApp(open, { slug: 'cors-app' });
    const discovery = (origin: string) =>
      open.fetch(`${ORIGIN}/application/o/cors-app/.well-known/openid-configuration`, { headers: { origin } });
    // authentik's cors_allow: the origin of one of the redirect URIs (makeOidcApp's are on 127.0.0.1:3000) only.
    expect((await discovery('http://127.0.0.1:3000')).headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect((await discovery('https://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();
    // The API answers any origin under cors: '*'.
    const api = await open.fetch(`${ORIGIN}/api/v3/root/config/`, { headers: { origin: 'https://elsewhere.example' } });
    expect(api.headers.get('access-control-allow-origin')).not.toBeNull();
  });

  it('refreshes with rotation, never beyond the granted scope', async () => {
    const tokens = await tokensFor(mock, app, 'openid email offline_access');
    const refresh = (fields: Record<string, string>) =>
      post(mock, '/application/o/token/', {
        grant_type: 'refresh_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        ...fields,
      });
    expect(await (await refresh({ refresh_token: tokens.refresh_token!, scope: 'openid profile' })).json()).toMatchObject({
      error: 'invalid_scope',
    });
    const renewed = (await (await refresh({ refresh_token: tokens.refresh_token! })).json()) as Record<string, string>;
    expect(Object.keys(renewed)).toEqual(['access_token', 'refresh_token', 'token_type', 'expires_in', 'id_token']);
    expect(await (await refresh({ refresh_token: tokens.refresh_token! })).json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh({ refresh_token: renewed['refresh_token']! })).status).toBe(200);
  });

  it('grants client credentials and password with an app password (form or base64 secret), the service account with the secret', async () => {
    const admin = { authorization: `Bearer ${mock.world.adminToken}`, 'content-type': 'application/json' };
    const created = await mock.fetch(`${ORIGIN}/api/v3/core/tokens/`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ identifier: 'ci-app-password', intent: 'app_password', user: 2, expiring: false }),
    });
    expect(created.status).toBe(201);
    const key = ((await (await get(mock, '/api/v3/core/tokens/ci-app-password/view_key/', admin)).json()) as { key: string }).key;
    const grant = (fields: Record<string, string>) =>
      post(mock, '/application/o/token/', { client_id: app.clientId, scope: 'openid profile', ...fields });
    const username = async (response: Response) =>
      decodeJwt(((await response.json()) as { id_token: string }).id_token)['preferred_username'];
    expect(await username(await grant({ grant_type: 'password', username: 'user', password: key }))).toBe('user');
    expect(await username(await grant({ grant_type: 'client_credentials', client_secret: btoa(`user:${key}`) }))).toBe('user');
    expect(await (await grant({ grant_type: 'password', username: 'user', password: 'not-the-key' })).json()).toMatchObject({
      error: 'invalid_grant',
    });
    // The user's own password is not an app password.
    expect(await (await grant({ grant_type: 'password', username: 'user', password: mock.passwords.user })).json()).toMatchObject({
      error: 'invalid_grant',
    });
    expect(await username(await grant({ grant_type: 'client_credentials', client_secret: app.clientSecret }))).toBe(
      'ak-my-app provider-client_credentials',
    );
    const account = mock.world.table('User').find('username', 'ak-my-app provider-client_credentials')!;
    expect(account).toMatchObject({
      type: 'service_account',
      path: 'goauthentik.io/apps/my-app',
      attributes: { 'goauthentik.io/user/generated': true },
    });
  });

  it('keeps grants as records of the contract: listed by the API, their secrets never shown, ended by a delete', async () => {
    const tokens = await tokensFor(mock, app, 'openid goauthentik.io/api offline_access');
    const admin = { authorization: `Bearer ${mock.world.adminToken}` };
    const listed = await (await get(mock, '/api/v3/oauth2/access_tokens/', admin)).text();
    expect(listed).not.toContain(tokens.access_token);
    expect(listed).not.toContain(tokens.refresh_token);
    const page = JSON.parse(listed) as { results: Array<{ pk: number; scope: string[]; id_token: string; user: { username: string } }> };
    expect(page.results.map((r) => r.scope)).toEqual([
      ['openid', 'goauthentik.io/api', 'offline_access'],
      ['openid', 'goauthentik.io/api', 'offline_access'],
    ]);
    expect(JSON.parse(page.results[0]!.id_token)).toMatchObject({ aud: app.clientId, claims: {}, amr: null });
    expect(page.results[0]!.user.username).toBe('akadmin');
    expect(contract.validateResponse('oauth2_access_tokens_list', 200, JSON.parse(listed))).toEqual([]);
    // The access token works on the API until its record is deleted.
    const bearer = { authorization: `Bearer ${tokens.access_token}` };
    expect((await get(mock, '/api/v3/core/users/me/', bearer)).status).toBe(200);
    const accessPk = page.results[0]!.pk;
    expect((await mock.fetch(`${ORIGIN}/api/v3/oauth2/access_tokens/${accessPk}/`, { method: 'DELETE', headers: admin })).status).toBe(204);
    expect(await (await get(mock, '/api/v3/core/users/me/', bearer)).json()).toEqual({ detail: 'Token invalid/expired' });
    // A used code is deleted: the codes list is empty again.
    expect(await (await get(mock, '/api/v3/oauth2/authorization_codes/', admin)).json()).toMatchObject({ pagination: { count: 0 } });
  });

  it('carries its keys and grants across a dump and load, as a restart from --data does', async () => {
    const signed = await makeOidcApp(mock, { slug: 'signed', signingKeyPem: 'generated' });
    const tokens = await tokensFor(mock, signed, 'openid goauthentik.io/api');
    const jwks = await (await get(mock, '/application/o/signed/jwks/')).json();
    const restarted = new MockServer({ contract, data: JSON.parse([...mock.world.dumpText()].join('')) });
    expect(await (await get(restarted, '/application/o/signed/jwks/')).json()).toEqual(jwks);
    expect((await get(restarted, '/api/v3/core/users/me/', { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
    // Without them (a dump from elsewhere), a restart has new keys and the old tokens no longer work.
    const forgetful = new MockServer({ contract, data: { ...mock.world.dump(), kept: {} } });
    expect(await (await get(forgetful, '/application/o/signed/jwks/')).json()).not.toEqual(jwks);
    expect((await get(forgetful, '/api/v3/core/users/me/', { authorization: `Bearer ${tokens.access_token}` })).status).toBe(403);
  });

  it('loads a dump whose kept keys and grants were edited: what it cannot use is left out, nothing crashes later', async () => {
    const signed = await makeOidcApp(mock, { slug: 'edited', signingKeyPem: 'generated' });
    const tokens = await tokensFor(mock, signed, 'openid goauthentik.io/api');
    const dump = JSON.parse([...mock.world.dumpText()].join('')) as {
      kept: { oidc: { keys: Record<string, unknown>; grants: unknown[] } };
    };
    const { keys, grants } = dump.kept.oidc;
    for (const pk of Object.keys(keys)) keys[pk] = { ...(keys[pk] as object), jwk: { kty: 'RSA', d: 'not a key' } };
    grants.push(1, ['a-secret', { kind: 'access', pk: '1', provider: '1', user: '1', details: null }], ['x', { kind: '__proto__' }]);
    const edited = new MockServer({ contract, data: dump, autoLogin: 'akadmin' });
    // The key that does not import is dropped when first used: the certificate gets a new one and tokens are signed.
    const jwks = (await (await get(edited, '/application/o/edited/jwks/')).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
    const again = await tokensFor(edited, signed, 'openid goauthentik.io/api');
    expect((await get(edited, '/api/v3/core/users/me/', { authorization: `Bearer ${again.access_token}` })).status).toBe(200);
    // The grants that were whole still work; the malformed entries are not there to answer 500 for.
    expect((await get(edited, '/application/o/userinfo/', { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
    expect((await get(edited, '/application/o/userinfo/', { authorization: 'Bearer a-secret' })).status).toBe(401);
  });

  it('deletes expired grants as authentik’s cleanup task does, so a long-running mock does not pile them up', async () => {
    const tokens = await tokensFor(mock, app, 'openid goauthentik.io/api');
    const grants = oidcOf(mock)!.grants;
    const oidc = oidcOf(mock)!;
    const values = { provider: oidc.model.provider(app.providerPk)!, user: oidc.model.userByUsername('user')!, scope: [] };
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2 * 3_600_000);
    const before = mock.world.table('TokenModel').size;
    for (let i = 0; i < 1024; i++) grants.issue('code', { ...values, expires: Date.now() + 60_000 }, { authTime: 0 });
    expect(mock.world.table('TokenModel').size).toBe(before - 1);
    expect(grants.find('access', tokens.access_token)).toBeUndefined();
  });

  it('lets an access token without goauthentik.io/api nowhere near the API', async () => {
    const tokens = await tokensFor(mock, app, 'openid');
    expect(await (await get(mock, '/api/v3/core/users/me/', { authorization: `Bearer ${tokens.access_token}` })).json()).toEqual({
      detail: 'Token invalid/expired',
    });
  });
});

describe('implicit and hybrid responses', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 0, autoLogin: 'akadmin' });
  let app: OidcApp;
  beforeEach(async () => {
    mock.reset();
    app = await makeOidcApp(mock, { slug: 'spa', signingKeyPem: 'generated' });
  });

  it('puts access token and id_token (with at_hash, nonce and amr) in the fragment', async () => {
    const location = (
      await get(mock, authorizeUrl(app, { response_type: 'id_token token', nonce: 'n-1', scope: 'openid email' }))
    ).headers.get('location')!;
    const fragment = new URLSearchParams(location.split('#')[1]);
    expect([...fragment.keys()]).toEqual(['access_token', 'id_token', 'token_type', 'expires_in', 'state']);
    expect(fragment.get('token_type')).toBe('bearer');
    expect(fragment.get('expires_in')).toBe('60'); // authentik 2024.8 gives the code's validity here
    const idToken = decodeJwt(fragment.get('id_token')!);
    expect(idToken).toMatchObject({ nonce: 'n-1', amr: ['pwd'], at_hash: expect.any(String), email: 'root@example.com' });
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(fragment.get('access_token')!)));
    expect(idToken['at_hash']).toBe(Buffer.from(digest.slice(0, 16)).toString('base64url'));
  });

  it('gives a hybrid response the code with its c_hash; the nonce falls back to the state for implicit only', async () => {
    const hybrid = new URLSearchParams(
      (await get(mock, authorizeUrl(app, { response_type: 'code id_token', nonce: 'n-2' }))).headers.get('location')!.split('#')[1],
    );
    expect([...hybrid.keys()]).toEqual(['id_token', 'code', 'token_type', 'expires_in', 'state']);
    expect(decodeJwt(hybrid.get('id_token')!)).toMatchObject({ nonce: 'n-2', c_hash: expect.any(String) });
    const implicit = new URLSearchParams(
      (await get(mock, authorizeUrl(app, { response_type: 'id_token' }))).headers.get('location')!.split('#')[1],
    );
    expect(decodeJwt(implicit.get('id_token')!)['nonce']).toBe('s1');
  });

  it('posts the answer to the client for response_mode=form_post', async () => {
    const response = await get(mock, authorizeUrl(app, { response_mode: 'form_post' }));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`<form method="post" action="${app.redirectUri}">`);
    expect(html).toMatch(/<input type="hidden" name="code" value="[0-9a-f]{32}"><input type="hidden" name="state" value="s1">/);
    expect(html).toContain('Redirecting to spa app...');
  });
});

describe('userinfo, introspection, revocation and end session', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 0, autoLogin: 'akadmin' });
  let app: OidcApp;
  beforeEach(async () => {
    mock.reset();
    app = await makeOidcApp(mock, { slug: 'my-app' });
  });

  it('answers userinfo errors empty, with WWW-Authenticate', async () => {
    const none = await get(mock, '/application/o/userinfo/');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(
      'error="invalid_token", error_description="The access token provided is expired, revoked, malformed, or invalid for other reasons"',
    );
    expect(await none.text()).toBe('');
    const client = await post(mock, '/application/o/token/', {
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      scope: 'email',
    });
    const { access_token } = (await client.json()) as { access_token: string };
    const narrow = await get(mock, `/application/o/userinfo/?access_token=${access_token}`);
    expect(narrow.status).toBe(403);
    expect(narrow.headers.get('www-authenticate')).toMatch(/^error="insufficient_scope"/);
  });

  it('introspects only for the authenticated client; revocation refuses a bad client 401', async () => {
    const tokens = await tokensFor(mock, app, 'openid offline_access');
    const introspect = (fields: Record<string, string>) => post(mock, '/application/o/introspect/', fields);
    expect(await (await introspect({ token: tokens.access_token, client_id: app.clientId, client_secret: 'wrong' })).json()).toEqual({
      active: false,
    });
    const refresh = (await (
      await introspect({ token: tokens.refresh_token!, client_id: app.clientId, client_secret: app.clientSecret })
    ).json()) as Record<string, unknown>;
    expect(refresh).toMatchObject({ active: true, scope: 'openid offline_access', client_id: app.clientId, at_hash: expect.any(String) });
    const refused = await post(mock, '/application/o/revoke/', { token: tokens.access_token, client_id: app.clientId });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
    const unknown = await post(mock, '/application/o/revoke/', {
      token: 'no-such-token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({});
  });

  it('ends the session through the brand’s invalidation flow; nobody logged in goes to the login flow first', async () => {
    const out = await get(mock, '/application/o/my-app/end-session/?post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F');
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/if/flow/default-invalidation-flow/?post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F');
    const anonymous = new MockServer({ contract, recordsPerEntity: 0 });
    await makeOidcApp(anonymous, { slug: 'my-app' });
    expect((await get(anonymous, '/application/o/my-app/end-session/')).headers.get('location')).toBe(
      '/if/flow/default-authentication-flow/?next=%2Fapplication%2Fo%2Fmy-app%2Fend-session%2F',
    );
    expect((await get(mock, '/application/o/unknown/end-session/')).status).toBe(404);
  });
});
