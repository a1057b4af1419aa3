import { isPlainObject } from '../contract/types.js';
import { base64url } from 'jose';
import type { WorldRecord } from '../contract/entity-model.js';
import type { Answer } from '../core/http.js';
import type { RequestContext } from '../core/request-context.js';
import { sameText } from '../world/identities.js';
import { TokenError } from './errors.js';
import type { Grant } from './grants.js';
import { clientAuth, corsAllow, formParams, tokenResponse, type Params } from './http.js';
import { unhandledMethod } from '../flows/pages.js';
import { durationMs } from '../contract/durations.js';
import { b64decodeUtf8, fullmatch, pySplit, wholeSeconds } from './python.js';
import type { Oidc } from './service.js';
import { isExpired } from '../world/expiring.js';

/** `TOKEN_TYPE` (authentik/providers/oauth2/constants.py). */
const TOKEN_TYPE = 'Bearer';
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/** What one token request is about (`TokenParams`). */
interface TokenRequest {
  oidc: Oidc;
  context: RequestContext;
  form: Params;
  provider: WorldRecord;
  clientSecret: string;
  grantType: string;
  scope: string[];
  now: number;
}

/**
 * `POST /application/o/token/` (authentik/providers/oauth2/views/token.py `TokenView`): the client by Basic auth or
 * the form, then the grant — `authorization_code` (PKCE `S256` or `plain`), `refresh_token` (rotated),
 * `client_credentials` and `password` (a user's app password, or the provider's own secret for its service
 * account). Errors are RFC 6749 bodies in authentik's words, 400.
 */
export async function tokenEndpoint(oidc: Oidc, context: RequestContext): Promise<Answer> {
  if (context.method === 'OPTIONS') return corsAllow(context, tokenResponse({}), []);
  const unhandled = unhandledMethod(context.method, ['POST', 'OPTIONS']);
  if (unhandled) return unhandled;
  const form = await formParams(context);
  const { clientId, clientSecret } = clientAuth(context, form);
  const provider = oidc.model.providerByClientId(clientId);
  const cors = (answer: Answer) => corsAllow(context, answer, provider ? pySplit(String(provider['redirect_uris'] ?? '')) : []);
  try {
    if (!provider) throw new TokenError('invalid_client');
    const grantType = form.get('grant_type') ?? '';
    const mapped = oidc.model.scopeNames(provider);
    const scope = [...new Set((form.get('scope') ?? '').split(/\s+/).filter((s) => s && mapped.has(s)))];
    const request: TokenRequest = { oidc, context, form, provider, clientSecret, grantType, scope, now: Date.now() };
    return cors(tokenResponse(await answerGrant(request)));
  } catch (error) {
    if (error instanceof TokenError) return cors(error.answer());
    throw error;
  }
}

async function answerGrant(request: TokenRequest): Promise<Record<string, unknown>> {
  const { grantType, provider, clientSecret } = request;
  // The secret is checked for these two grants of confidential clients only, as authentik checks it.
  if ((grantType === 'authorization_code' || grantType === 'refresh_token') && provider['client_type'] === 'confidential')
    if (!sameText(String(provider['client_secret'] ?? ''), clientSecret)) throw new TokenError('invalid_client');
  switch (grantType) {
    case 'authorization_code':
      return codeGrant(request);
    case 'refresh_token':
      return refreshGrant(request);
    case 'client_credentials':
    case 'password':
      return clientCredentialsGrant(request);
    case DEVICE_CODE:
      // The mock issues no device codes (the device flow is not simulated): none is known.
      throw new TokenError('invalid_grant');
    default:
      throw new TokenError('unsupported_grant_type');
  }
}

/** `__post_init_code` and `create_code_response`. */
async function codeGrant(request: TokenRequest): Promise<Record<string, unknown>> {
  const { oidc, form, provider, now } = request;
  const raw = form.get('code') ?? '';
  if (!raw) throw new TokenError('invalid_grant');
  checkRedirectUri(provider, form.get('redirect_uri') ?? '');
  const code = oidc.grants.find('code', raw);
  if (!code || isExpired(code.record, now) || String(code.record['provider']) !== String(oidc.model.pkOf('providers', provider)))
    throw new TokenError('invalid_grant');
  await checkPkce(code, form.get('code_verifier'));
  const user = oidc.activeUser(code);
  if (!user) throw new TokenError('invalid_grant');
  const scope = code.record['scope'] as string[];
  const offline = scope.includes('offline_access');
  const full = oidc.grants.roomFor(offline ? ['access', 'refresh'] : ['access']);
  if (full) throw new TokenError('invalid_request', full);
  const { authTime, nonce } = code.details;
  const access = await oidc.mintAccessToken(request.context, { provider, user, scope, authTime, now, nonce });
  const body: Record<string, unknown> = {
    access_token: access.grant.secret,
    token_type: TOKEN_TYPE,
    expires_in: wholeSeconds(durationMs(provider['access_token_validity'])),
    id_token: await oidc.idTokenJwt(provider, access.idToken),
  };
  if (offline) {
    const refresh = await oidc.mintRefreshToken(request.context, {
      provider,
      user,
      scope,
      authTime,
      now,
      nonce,
      accessToken: access.grant.secret,
    });
    body['refresh_token'] = refresh.grant.secret;
  }
  oidc.grants.remove(code);
  return body;
}

/** The token request's `redirect_uri` must match one of the provider's lines (else `invalid_client`). */
function checkRedirectUri(provider: WorldRecord, redirectUri: string): void {
  const matches = pySplit(String(provider['redirect_uris'] ?? '')).some((line) => {
    try {
      return fullmatch(line, redirectUri);
    } catch {
      return false;
    }
  });
  if (!matches) throw new TokenError('invalid_client');
}

/**
 * PKCE: a code issued with a challenge needs the verifier (`S256`: base64url of its SHA-256, `plain`: itself), and
 * a verifier for a code issued without one is refused (no downgrade).
 */
async function checkPkce(code: Grant, verifier: string | undefined): Promise<void> {
  const { codeChallenge, codeChallengeMethod } = code.details;
  if (!codeChallenge) {
    if (verifier) throw new TokenError('invalid_grant');
    return;
  }
  // authentik encodes the verifier as ASCII (a 500 for anything else); the mock refuses it.
  if (!verifier || /[^\p{ASCII}]/u.test(verifier)) throw new TokenError('invalid_grant');
  const expected =
    codeChallengeMethod === 'S256'
      ? base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
      : verifier;
  if (!sameText(expected, codeChallenge)) throw new TokenError('invalid_grant');
}

/** `__post_init_refresh` and `create_refresh_response`: a new access and refresh token; the old one is revoked. */
async function refreshGrant(request: TokenRequest): Promise<Record<string, unknown>> {
  const { oidc, form, provider, now } = request;
  const raw = form.get('refresh_token') ?? '';
  if (!raw) throw new TokenError('invalid_grant');
  const old = oidc.grants.find('refresh', raw);
  if (!old || String(old.record['provider']) !== String(oidc.model.pkOf('providers', provider)) || isExpired(old.record, now))
    throw new TokenError('invalid_grant');
  const granted = old.record['scope'] as string[];
  const scope = request.scope.length > 0 ? request.scope : granted;
  // A used (revoked) refresh token is a replay: authentik records a suspicious request and refuses it.
  if (old.record['revoked'] === true) throw new TokenError('invalid_grant');
  if (scope.some((s) => !granted.includes(s)) || !scope.includes('offline_access')) throw new TokenError('invalid_scope');
  const user = oidc.activeUser(old);
  if (!user) throw new TokenError('invalid_grant');
  const full = oidc.grants.roomFor(['access', 'refresh']);
  if (full) throw new TokenError('invalid_request', full);
  const { authTime } = old.details;
  const access = await oidc.mintAccessToken(request.context, { provider, user, scope: granted, authTime, now });
  const refresh = await oidc.mintRefreshToken(request.context, {
    provider,
    user,
    scope: granted,
    authTime,
    now,
    nonce: old.details.idToken?.nonce ?? null,
    accessToken: access.grant.secret,
  });
  oidc.grants.revoke(old);
  return {
    access_token: access.grant.secret,
    refresh_token: refresh.grant.secret,
    token_type: TOKEN_TYPE,
    expires_in: wholeSeconds(durationMs(provider['access_token_validity'])),
    id_token: await oidc.idTokenJwt(provider, access.idToken),
  };
}

/**
 * `__post_init_client_credentials`: a form `username` with an app password; the provider's own secret, for its
 * service account `ak-<provider name>-client_credentials` (made or updated); else a secret that is
 * base64(`username:app password`). A JWT client assertion needs federation sources the mock does not verify.
 */
async function clientCredentialsGrant(request: TokenRequest): Promise<Record<string, unknown>> {
  const { oidc, form, provider, clientSecret, now, scope } = request;
  const application = oidc.model.applicationOf(provider);
  let user: WorldRecord | undefined;
  if ((form.get('client_assertion_type') ?? '') !== '') throw new TokenError('invalid_grant');
  else if ((form.get('username') ?? '') !== '') user = appPasswordUser(request, form.get('username')!, form.get('password') ?? '');
  else if (sameText(String(provider['client_secret'] ?? ''), clientSecret)) user = application && serviceAccount(request, application);
  else {
    const decoded = b64decodeUtf8(clientSecret);
    if (decoded === undefined) throw new TokenError('invalid_grant');
    const colon = decoded.indexOf(':');
    user = appPasswordUser(request, colon < 0 ? decoded : decoded.slice(0, colon), colon < 0 ? '' : decoded.slice(colon + 1));
  }
  if (!user || !application) throw new TokenError('invalid_grant');
  const full = oidc.grants.roomFor(['access']);
  if (full) throw new TokenError('invalid_request', full);
  const access = await oidc.mintAccessToken(request.context, { provider, user, scope, authTime: Math.trunc(now / 1000), now });
  return {
    access_token: access.grant.secret,
    token_type: TOKEN_TYPE,
    expires_in: wholeSeconds(durationMs(provider['access_token_validity'])),
    id_token: await oidc.idTokenJwt(provider, access.idToken),
  };
}

/** The user whose unexpired app-password token (intent `app_password`) has this key. */
function appPasswordUser(request: TokenRequest, username: string, password: string): WorldRecord | undefined {
  const { oidc, now } = request;
  const user = oidc.model.userByUsername(username);
  return user && oidc.model.world.identities.isAppPassword(oidc.model.pkOf('users', user), password, now) ? user : undefined;
}

/** `__post_init_client_credentials_generated`: the provider's service account, made or updated. */
function serviceAccount(request: TokenRequest, application: WorldRecord): WorldRecord | undefined {
  const { oidc, provider, now } = request;
  const entity = oidc.model.entityName('users')!;
  const username = `ak-${String(provider['name'] ?? '').slice(0, 150 - 22)}-client_credentials`;
  const existing = oidc.model.userByUsername(username);
  const attributes = { ...(isPlainObject(existing?.['attributes']) ? existing['attributes'] : {}), 'goauthentik.io/user/generated': true };
  const fields = oidc.model.world.profile(entity).fields;
  const values: WorldRecord = Object.fromEntries(
    Object.entries({
      username,
      last_login: new Date(now).toISOString(),
      name: `Autogenerated user from application ${String(application['name'])} (client credentials)`,
      path: `goauthentik.io/apps/${String(application['slug'])}`,
      type: 'service_account',
      attributes,
    }).filter(([field]) => field in fields),
  );
  if (existing) {
    oidc.model.world.save(entity, { ...existing, ...values });
    return oidc.model.userByUsername(username);
  }
  if (oidc.model.world.budgetProblem(entity, values, true)) return undefined;
  const fresh = { is_active: true, is_superuser: false, email: '', ...values };
  return oidc.model.world.create(entity, Object.fromEntries(Object.entries(fresh).filter(([field]) => field in fields)));
}
