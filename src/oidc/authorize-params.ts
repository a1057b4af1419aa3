import type { WorldRecord } from '../contract/entity-model.js';
import type { Answer } from '../core/http.js';
import { AuthorizeError, badRequestPage, CLIENT_ID_ERROR, REDIRECT_URI_ERROR } from './errors.js';
import type { Params } from './http.js';
import type { OidcModel } from './model.js';
import { fullmatch, pySplit, reEscape } from './python.js';

export type GrantType = 'authorization_code' | 'implicit' | 'hybrid';
export type ResponseMode = 'query' | 'fragment' | 'form_post';

/** authentik's `OAuthAuthorizationParams` (authentik/providers/oauth2/views/authorize.py), checked. */
export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  responseType: string;
  responseMode: ResponseMode;
  grantType: GrantType;
  /** The granted scope, in the order asked. */
  scope: string[];
  state: string | null;
  nonce: string | null;
  prompt: Set<string>;
  maxAge: number | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  provider: WorldRecord;
  /** Every parameter as sent (for the flow page's query and the login's `next`). */
  sent: ReadonlyArray<readonly [string, string]>;
}

const GRANT_OF_RESPONSE_TYPE: Readonly<Record<string, GrantType>> = {
  code: 'authorization_code',
  id_token: 'implicit',
  'id_token token': 'implicit',
  'code token': 'hybrid',
  'code id_token': 'hybrid',
  'code id_token token': 'hybrid',
};

const RESPONSE_MODES: readonly string[] = ['query', 'fragment', 'form_post'];
const PROMPTS = ['none', 'consent', 'login'];
/** Response types that give a code, which `offline_access` needs. */
const WITH_CODE = new Set(['code', 'code token', 'code id_token', 'code id_token token']);

/** The checked parameters, or the answer that refuses them (a 400 page, or a redirect with the error). */
export type ParsedAuthorize = { params: AuthorizeParams } | { refused: Answer };

/**
 * `OAuthAuthorizationParams.from_request` and `__post_init__`, in authentik 2024.8's order: the response type (an
 * unsupported one is sent back to the redirect URI before anything else is checked), the client (a 400 page), the
 * redirect URI (a 400 page), then scope, nonce, PKCE and `request`, each an error sent back to the client.
 */
export function parseAuthorize(model: OidcModel, values: Params, sent: ReadonlyArray<readonly [string, string]>): ParsedAuthorize {
  try {
    return { params: parse(model, values, sent) };
  } catch (error) {
    if (error instanceof AuthorizeError) return { refused: error.answer() };
    if (error instanceof PageError) return { refused: badRequestPage(error.page) };
    throw error;
  }
}

class PageError extends Error {
  constructor(readonly page: { title: string; message: string }) {
    super(page.message);
  }
}

function parse(model: OidcModel, values: Params, sent: ReadonlyArray<readonly [string, string]>): AuthorizeParams {
  const state = values.get('state') ?? null;
  const redirectUri = values.get('redirect_uri') ?? '';
  const responseType = values.get('response_type') ?? '';
  const grantType = Object.hasOwn(GRANT_OF_RESPONSE_TYPE, responseType) ? GRANT_OF_RESPONSE_TYPE[responseType]! : undefined;
  if (!grantType) throw new AuthorizeError(redirectUri, 'unsupported_response_type', '', state);
  const mode = values.get('response_mode') ?? '';
  const responseMode = (RESPONSE_MODES.includes(mode) ? mode : grantType === 'authorization_code' ? 'query' : 'fragment') as ResponseMode;
  const found = model.providerByClientId(values.get('client_id') ?? '');
  if (!found) throw new PageError(CLIENT_ID_ERROR);
  const provider = checkRedirectUri(model, found, redirectUri);
  const error = (code: 'invalid_request' | 'invalid_scope' | 'request_not_supported', description?: string) =>
    new AuthorizeError(redirectUri, code, grantType, state, description);
  if (values.get('request')) throw error('request_not_supported');
  const prompt = new Set((values.get('prompt') ?? '').split(/\s+/).filter((p) => PROMPTS.includes(p)));
  const scope = checkScope(model, provider, values.get('scope') ?? '', responseType, grantType, prompt, error);
  let nonce = values.get('nonce') || null;
  // authentik 2024.8 asks a nonce of implicit requests only, and takes the state for a missing one.
  if (grantType === 'implicit' && !nonce) {
    nonce = state || null;
    if (!nonce && scope.includes('openid')) throw error('invalid_request');
  }
  const codeChallenge = values.get('code_challenge') || null;
  const codeChallengeMethod = values.get('code_challenge_method') ?? null;
  if (codeChallenge && codeChallengeMethod !== 'plain' && codeChallengeMethod !== 'S256') throw error('invalid_request');
  const maxAgeText = values.get('max_age') || null;
  // authentik's int(max_age) raises on a non-number (a 500); the mock says the request is malformed.
  if (maxAgeText !== null && !/^\s*[+-]?\d+\s*$/.test(maxAgeText)) throw error('invalid_request', 'max_age must be an integer');
  return {
    clientId: String(provider['client_id']),
    redirectUri,
    responseType,
    responseMode,
    grantType,
    scope,
    state,
    nonce,
    prompt,
    maxAge: maxAgeText === null ? null : Number(maxAgeText),
    codeChallenge,
    codeChallengeMethod,
    provider,
    sent,
  };
}

/**
 * `check_redirect_uri`: each line of the provider's `redirect_uris` is a regular expression the whole URI must
 * match (`re.fullmatch`); a provider without any saves the first URI it sees (escaped), `*` becomes `.*`. A pattern
 * that does not compile refuses the URI.
 */
function checkRedirectUri(model: OidcModel, found: WorldRecord, redirectUri: string): WorldRecord {
  if (!redirectUri) throw new PageError(REDIRECT_URI_ERROR);
  let provider = found;
  const configured = typeof provider['redirect_uris'] === 'string' ? provider['redirect_uris'] : '';
  if (configured === '' || configured === '*') {
    provider = { ...provider, redirect_uris: configured === '' ? reEscape(redirectUri) : '.*' };
    model.world.save(model.entityName('providers')!, provider);
  }
  const lines = pySplit(String(provider['redirect_uris']));
  let matched = false;
  try {
    matched = lines.some((line) => fullmatch(line, redirectUri));
  } catch {
    matched = false;
  }
  if (!matched) throw new PageError(REDIRECT_URI_ERROR);
  return provider;
}

/**
 * `check_scope`: the scopes asked, of those the provider has mappings for (none asked: all of them); `openid` is
 * required for responses with an id_token; `offline_access` asks for consent and needs a response with a code.
 */
function checkScope(
  model: OidcModel,
  provider: WorldRecord,
  asked: string,
  responseType: string,
  grantType: GrantType,
  prompt: Set<string>,
  error: (code: 'invalid_scope') => AuthorizeError,
): string[] {
  const mapped = model.scopeNames(provider);
  const requested = [...new Set(asked.split(/\s+/).filter(Boolean))];
  let scope = requested.length === 0 ? [...mapped] : requested.filter((s) => mapped.has(s));
  if (!scope.includes('openid') && (grantType === 'hybrid' || responseType === 'id_token' || responseType === 'id_token token'))
    throw error('invalid_scope');
  if (scope.includes('offline_access')) {
    prompt.add('consent');
    if (!WITH_CODE.has(responseType)) scope = scope.filter((s) => s !== 'offline_access');
  }
  return scope;
}
