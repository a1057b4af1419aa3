import { isPlainObject } from '../contract/types.js';
import { base64url } from 'jose';
import type { WorldRecord } from '../contract/entity-model.js';
import type { OidcModel } from './model.js';

/** `ACR_AUTHENTIK_DEFAULT` (authentik/providers/oauth2/constants.py). */
export const ACR_DEFAULT = 'goauthentik.io/providers/oauth2/default';

/**
 * authentik's `IDToken` dataclass (authentik/providers/oauth2/id_token.py), its fields in its order; `null` is
 * Python's None (left out of the JWT). `claims` are the scope mappings' claims, merged over the fields.
 */
export interface IdToken {
  iss: string | null;
  sub: string | null;
  aud: string | null;
  exp: number | null;
  iat: number | null;
  auth_time: number | null;
  acr: string | null;
  amr: string[] | null;
  c_hash: string | null;
  nonce: string | null;
  at_hash: string | null;
  claims: Record<string, unknown>;
}

/** `IDToken.to_dict()`: the fields that have a value, then the claims over them. */
export function idTokenPayload(token: IdToken): Record<string, unknown> {
  const { claims, ...fields } = token;
  const payload: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) if (value !== null) payload[field] = value;
  return Object.assign(payload, claims);
}

/** What an IDToken is made from (`IDToken.new(provider, token, request)`). */
export interface IdTokenInput {
  issuer: string | null;
  provider: WorldRecord;
  user: WorldRecord;
  /** The token's expiry (ms since epoch): the id_token's `exp`. */
  expires: number;
  /** When the user logged in (epoch seconds). */
  authTime: number;
  scope: readonly string[];
  /** Login methods, when the request that makes the token carries the login (`get_login_event(request)`). */
  amr?: string[] | undefined;
  now?: number;
}

/** `IDToken.new`: the standard fields, and the scope claims when the provider includes them in the id_token. */
export function newIdToken(model: OidcModel, input: IdTokenInput): IdToken {
  const { provider, user } = input;
  return {
    iss: input.issuer,
    sub: subjectOf(provider, user, model),
    aud: String(provider['client_id'] ?? ''),
    exp: Math.trunc(input.expires / 1000),
    iat: Math.trunc((input.now ?? Date.now()) / 1000),
    auth_time: input.authTime,
    acr: ACR_DEFAULT,
    amr: input.amr && input.amr.length > 0 ? input.amr : null,
    c_hash: null,
    nonce: null,
    at_hash: null,
    claims: provider['include_claims_in_id_token'] === false ? {} : scopeClaims(model, provider, user, input.scope),
  };
}

/** `sub` as the provider's `sub_mode` says (`SubModes`); an unknown mode reads as the default, the hashed user id. */
export function subjectOf(provider: WorldRecord, user: WorldRecord, model: OidcModel): string {
  const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  switch (provider['sub_mode']) {
    case 'user_id':
      return text(model.pkOf('users', user));
    case 'user_uuid':
      return text(user['uuid']);
    case 'user_email':
      return text(user['email']);
    case 'user_username':
      return text(user['username']);
    case 'user_upn': {
      const attributes = user['attributes'];
      const upn = attributes !== null && typeof attributes === 'object' ? (attributes as Record<string, unknown>)['upn'] : undefined;
      return text(upn ?? user['uid']);
    }
    default:
      return text(user['uid']);
  }
}

type ClaimsOf = (user: WorldRecord, model: OidcModel) => Record<string, unknown>;

/**
 * What authentik's default scope mappings return (their Python `expression`s, which the mock cannot run: blueprints
 * system/providers-oauth2.yaml and system/providers-proxy.yaml), by scope name. A mapping of another scope name
 * (a custom expression) contributes no claims.
 */
const CLAIMS_BY_SCOPE: Readonly<Record<string, ClaimsOf>> = {
  openid: () => ({}),
  email: (user) => ({ email: user['email'], email_verified: true }),
  profile: (user, model) => ({
    name: user['name'],
    given_name: user['name'],
    preferred_username: user['username'],
    nickname: user['username'],
    groups: model.groupsOf(user).map((g) => String(g['name'])),
  }),
  offline_access: () => ({}),
  'goauthentik.io/api': () => ({}),
  ak_proxy: (user, model) => ({
    sid: null,
    ak_proxy: { user_attributes: groupAttributes(user, model), is_superuser: model.world.isSuperuser(user) },
  }),
};

/**
 * `UserInfoView.get_claims`: the claims of the provider's scope mappings for the granted scopes, in scope-name
 * order, merged as `deepmerge`'s `always_merger` merges (objects recursively, lists appended).
 */
export function scopeClaims(model: OidcModel, provider: WorldRecord, user: WorldRecord, scope: readonly string[]): Record<string, unknown> {
  const granted = new Set(scope);
  const claims: Record<string, unknown> = {};
  for (const mapping of model.scopeMappings(provider)) {
    const name = String(mapping['scope_name']);
    if (!granted.has(name) || !Object.hasOwn(CLAIMS_BY_SCOPE, name)) continue;
    merge(claims, CLAIMS_BY_SCOPE[name]!(user, model));
  }
  return claims;
}

/** The claim names each of the provider's mappings gives this user (discovery's `claims_supported`). */
export function claimNames(model: OidcModel, provider: WorldRecord, user: WorldRecord): string[] {
  return model
    .scopeMappings(provider)
    .flatMap((m) =>
      Object.hasOwn(CLAIMS_BY_SCOPE, String(m['scope_name'])) ? Object.keys(CLAIMS_BY_SCOPE[String(m['scope_name'])]!(user, model)) : [],
    );
}

/** `User.group_attributes()`: the attributes of the user's groups by name, then the user's own over them. */
function groupAttributes(user: WorldRecord, model: OidcModel): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const groups = model.groupsOf(user).sort((a, b) => String(a['name']).localeCompare(String(b['name'])));
  for (const source of [...groups, user]) if (isPlainObject(source['attributes'])) merge(attributes, source['attributes']);
  return attributes;
}

function merge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (Array.isArray(current) && Array.isArray(value)) target[key] = [...current, ...value];
    else if (isPlainObject(current) && isPlainObject(value)) merge(current, value);
    else target[key] = isPlainObject(value) ? structuredClone(value) : value;
  }
}

/** `at_hash` / `c_hash`: the left half of the SHA-256 of the token (or code), base64url without padding. */
export async function halfHash(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return base64url.encode(digest.slice(0, 16));
}
