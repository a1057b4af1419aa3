import type { WorldRecord } from '../contract/entity-model.js';
import type { Answer } from '../core/http.js';
import type { RequestContext } from '../core/request-context.js';
import { sameText } from '../world/identities.js';
import { idTokenPayload, scopeClaims } from './claims.js';
import { BEARER_ERRORS, TokenError } from './errors.js';
import type { Grant } from './grants.js';
import { clientAuth, corsAllow, empty, formParams, queryParams, tokenResponse, type Params } from './http.js';
import { unhandledMethod } from '../flows/pages.js';
import { pySplit } from './python.js';
import type { Oidc } from './service.js';
import { isExpired } from '../world/expiring.js';

/**
 * `GET|POST /application/o/userinfo/` (authentik/providers/oauth2/views/userinfo.py, `protected_resource_view`):
 * the access token from `Authorization: Bearer`, the form's or the query's `access_token`; the `sub` and the scope
 * claims of its user; errors are empty answers with `WWW-Authenticate`.
 */
export async function userinfoEndpoint(oidc: Oidc, context: RequestContext): Promise<Answer> {
  if (context.method === 'OPTIONS') return corsAllow(context, tokenResponse({}), []);
  const form = await formParams(context);
  const raw = bearerOf(context) ?? form.get('access_token') ?? queryParams(context).get('access_token');
  const token = raw ? oidc.grants.find('access', raw) : undefined;
  const user = token && oidc.activeUser(token);
  if (!token || !user || isExpired(token.record, Date.now())) return bearerError('invalid_token');
  if (!(token.record['scope'] as string[]).includes('openid')) return bearerError('insufficient_scope');
  const provider = oidc.model.provider(token.record['provider']);
  if (!provider) return bearerError('invalid_token');
  const origins = pySplit(String(provider['redirect_uris'] ?? ''));
  // `protected_resource_view` checks the token before the view's `dispatch` looks at the method (and adds CORS).
  const unhandled = unhandledMethod(context.method, ['GET', 'POST', 'OPTIONS']);
  if (unhandled) return corsAllow(context, unhandled, origins);
  const claims: Record<string, unknown> = { sub: token.details.idToken?.sub ?? null };
  Object.assign(claims, scopeClaims(oidc.model, provider, user, token.record['scope'] as string[]));
  if (token.details.idToken?.nonce) claims['nonce'] = token.details.idToken.nonce;
  return corsAllow(context, tokenResponse(claims), origins);
}

/** `^[Bb]earer\s{1}.+$` → the token (`extract_access_token`). */
function bearerOf(context: RequestContext): string | undefined {
  const header = context.headers.get('authorization') ?? '';
  return /^[Bb]earer\s.+$/.test(header) ? header.split(/\s+/)[1] : undefined;
}

function bearerError(code: keyof typeof BEARER_ERRORS): Answer {
  const { status, description } = BEARER_ERRORS[code];
  return empty(status, { 'www-authenticate': `error="${code}", error_description="${description}"` });
}

/**
 * The provider the request's client credentials authenticate (`authenticate_provider`): both the id and the secret
 * must be the provider's, whatever its client type.
 */
function authenticatedProvider(oidc: Oidc, context: RequestContext, form: Params): WorldRecord | undefined {
  const { clientId, clientSecret } = clientAuth(context, form);
  const provider = oidc.model.providerByClientId(clientId);
  return provider && sameText(String(provider['client_secret'] ?? ''), clientSecret) ? provider : undefined;
}

/** An access token, else a refresh token, with this text (of this provider, when one is given). */
function findToken(oidc: Oidc, raw: string, provider?: WorldRecord): Grant | undefined {
  const providerPk = provider && String(oidc.model.pkOf('providers', provider));
  for (const kind of ['access', 'refresh'] as const) {
    const grant = oidc.grants.find(kind, raw);
    if (grant && (providerPk === undefined || String(grant.record['provider']) === providerPk)) return grant;
  }
  return undefined;
}

/**
 * `POST /application/o/introspect/` (`TokenIntrospectionView`, RFC 7662): for the client's own access or refresh
 * token, its id_token's claims with `active`, `scope` and `client_id`; anything else is `{"active": false}`.
 */
export async function introspectEndpoint(oidc: Oidc, context: RequestContext): Promise<Answer> {
  const unhandled = unhandledMethod(context.method, ['POST']);
  if (unhandled) return unhandled;
  const form = await formParams(context);
  const provider = authenticatedProvider(oidc, context, form);
  const token = provider && findToken(oidc, form.get('token') ?? '', provider);
  if (!provider || !token || isExpired(token.record, Date.now()) || !token.details.idToken) return tokenResponse({ active: false });
  return tokenResponse({
    ...idTokenPayload(token.details.idToken),
    active: token.record['revoked'] !== true,
    scope: (token.record['scope'] as string[]).join(' '),
    client_id: String(provider['client_id']),
  });
}

/**
 * `POST /application/o/revoke/` (`TokenRevokeView`, RFC 7009): the client authenticates (else 401
 * `invalid_client`); a known access or refresh token is deleted; an unknown one is a 200 all the same.
 */
export async function revokeEndpoint(oidc: Oidc, context: RequestContext): Promise<Answer> {
  const unhandled = unhandledMethod(context.method, ['POST']);
  if (unhandled) return unhandled;
  const form = await formParams(context);
  if (!authenticatedProvider(oidc, context, form)) return new TokenError('invalid_client').answer(401);
  const token = findToken(oidc, form.get('token') ?? '');
  if (token) oidc.grants.remove(token);
  return tokenResponse({});
}
