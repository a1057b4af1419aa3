// Issue 18 item 6: an independent OIDC client library (openid-client 6) logs in to an application of the mock over
// HTTP — discovery, authorization code + PKCE (the login step taken by `autoLogin`), the ID token verified with the
// JWKS, userinfo, refresh, introspection, revocation, client credentials — and the token calls the API.
import * as client from 'openid-client';
import { createRemoteJWKSet, exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../src/adapters/vitest.js';
import { Contract } from '../src/contract/contract.js';
import { referenceDocument } from './support/contracts.js';
import { makeOidcApp, type OidcApp } from './support/oidc-app.js';

const contract = new Contract(referenceDocument());
let running: RunningMock;
let rsaApp: OidcApp;
let ecApp: OidcApp;

beforeAll(async () => {
  running = await startMock({ contract, recordsPerEntity: 0, autoLogin: 'akadmin' });
  rsaApp = await makeOidcApp(running.mock, { slug: 'rsa-app', signingKeyPem: 'generated' });
  const ec = await generateKeyPair('ES256', { extractable: true });
  ecApp = await makeOidcApp(running.mock, { slug: 'ec-app', signingKeyPem: await exportPKCS8(ec.privateKey), clientType: 'public' });
});
afterAll(() => running.close());

const issuerOf = (app: OidcApp) => new URL(`${running.origin}/application/o/${app.slug}/`);

async function configure(app: OidcApp, auth?: client.ClientAuth): Promise<client.Configuration> {
  const config = await client.discovery(issuerOf(app), app.clientId, app.clientSecret, auth, { execute: [client.allowInsecureRequests] });
  // Verify every ID token's signature with the provider's JWKS (openid-client skips it for TLS-borne tokens otherwise).
  client.enableNonRepudiationChecks(config);
  return config;
}

/** The browser's part: open the authorization URL, take the redirect back to the client. */
async function authorize(url: URL): Promise<URL> {
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

describe('openid-client against the mock', () => {
  it('discovers the provider: authentik’s issuer, endpoints and signing algorithm', async () => {
    const config = await configure(rsaApp);
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(`${running.origin}/application/o/rsa-app/`);
    expect(metadata.token_endpoint).toBe(`${running.origin}/application/o/token/`);
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect((await configure(ecApp)).serverMetadata().id_token_signing_alg_values_supported).toEqual(['ES256']);
  });

  it('completes authorization code + PKCE, verifies the ID token with the JWKS, reads userinfo and refreshes', async () => {
    const config = await configure(rsaApp);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rsaApp.redirectUri,
      scope: 'openid email profile offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await authorize(url);
    expect(callback.origin + callback.pathname).toBe(rsaApp.redirectUri);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: `${running.origin}/application/o/rsa-app/`,
      aud: rsaApp.clientId,
      nonce,
      acr: 'goauthentik.io/providers/oauth2/default',
      email: 'root@example.com',
      preferred_username: 'akadmin',
      groups: ['authentik Admins'],
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(3500);

    // The same ID token, verified by jose against the JWKS the discovery document names.
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: claims.iss, audience: rsaApp.clientId });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(protectedHeader.kid).toMatch(/^[0-9a-f]{32}$/);
    expect(payload.sub).toBe(claims.sub);

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, email: 'root@example.com', name: 'authentik Default Admin', nickname: 'akadmin' });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()!.sub).toBe(claims.sub);
    // Refresh tokens rotate: the used one is refused.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('introspects and revokes tokens (client authenticated by Basic)', async () => {
    const config = await configure(rsaApp, client.ClientSecretBasic(rsaApp.clientSecret));
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rsaApp.redirectUri,
      scope: 'openid goauthentik.io/api',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const tokens = await client.authorizationCodeGrant(config, await authorize(url), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toBeUndefined(); // no offline_access, no refresh token (authentik 2024)
    const active = await client.tokenIntrospection(config, tokens.access_token);
    expect(active).toMatchObject({
      active: true,
      scope: 'openid goauthentik.io/api',
      client_id: rsaApp.clientId,
      sub: tokens.claims()!.sub,
    });

    // The token with goauthentik.io/api calls the API as its user.
    const me = await fetch(`${running.origin}/api/v3/core/users/me/`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe('akadmin');

    await client.tokenRevocation(config, tokens.access_token);
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    const after = await fetch(`${running.origin}/api/v3/core/users/me/`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(after.status).toBe(403);
  });

  it('answers `state` always, empty when the client sent none — as authentik does (openid-client refuses that)', async () => {
    const config = await configure(rsaApp);
    const url = client.buildAuthorizationUrl(config, { redirect_uri: rsaApp.redirectUri, scope: 'openid' });
    const callback = await authorize(url);
    expect(callback.searchParams.get('state')).toBe('');
    await expect(client.authorizationCodeGrant(config, callback)).rejects.toThrow(/invalid response/);
  });

  it('logs a public client in with an EC key (ES256) and plain PKCE', async () => {
    const config = await client.discovery(issuerOf(ecApp), ecApp.clientId, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    client.enableNonRepudiationChecks(config);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: ecApp.redirectUri,
      scope: 'openid profile',
      code_challenge: verifier,
      code_challenge_method: 'plain',
      state: 'ec-state',
    });
    const tokens = await client.authorizationCodeGrant(config, await authorize(url), {
      pkceCodeVerifier: verifier,
      expectedState: 'ec-state',
    });
    expect(tokens.claims()).toMatchObject({ preferred_username: 'akadmin', iss: `${running.origin}/application/o/ec-app/` });
    const { protectedHeader } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)));
    expect(protectedHeader.alg).toBe('ES256');
  });

  it('gets a token by client credentials: the provider’s service account', async () => {
    const config = await configure(rsaApp);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'openid profile' });
    expect(tokens.claims()).toMatchObject({ preferred_username: 'ak-rsa-app provider-client_credentials' });
    expect(tokens.refresh_token).toBeUndefined();
  });
});
