/**
 * The end of an authorization (authentik's `OAuthFulfillmentStage`): once the user is logged in and has consented,
 * the code — or the tokens of an implicit or hybrid response — issued and sent to the client's redirect URI, in the
 * response mode asked (query, fragment, form_post).
 */
import { randomKey } from '../world/secrets.js';
import type { Answer } from '../core/http.js';
import type { RequestContext } from '../core/request-context.js';
import { halfHash, idTokenPayload } from './claims.js';
import type { AuthorizeParams } from './authorize-params.js';
import { AuthorizeError } from './errors.js';
import { escapeHtml, redirectTo } from '../flows/pages.js';
import { durationMs } from '../contract/durations.js';
import { wholeSeconds } from './python.js';
import { urlencode } from '../flows/query.js';
import type { LoggedIn, Oidc } from './service.js';

/** What the authorization ends with: a redirect to the client, or a form the browser posts to it (`form_post`). */
export type Fulfilment =
  { kind: 'redirect'; to: string } | { kind: 'form_post'; url: string; title: string; attrs: Record<string, string> };

/**
 * The hand-off for the flow executor: `OAuthFulfillmentStage` — the end of the authorization flow, once the user is
 * logged in and has consented. Issues the code (or the tokens of an implicit or hybrid response) and says where the
 * browser goes: `xak-flow-redirect` to `to`, or `ak-stage-autosubmit` with `url`, `title` and `attrs`. An error
 * (`consent_required` for `prompt=none consent`, a full world) is a redirect to the client too, as in authentik.
 */
export async function fulfil(
  oidc: Oidc,
  context: RequestContext,
  params: AuthorizeParams,
  login: LoggedIn,
  now = Date.now(),
): Promise<Fulfilment> {
  const fail = (error: 'consent_required' | 'server_error', description?: string): Fulfilment => ({
    kind: 'redirect',
    to: new AuthorizeError(params.redirectUri, error, params.grantType, params.state, description).uri(),
  });
  if (params.prompt.has('none') && params.prompt.has('consent')) return fail('consent_required');
  // A code response (or any response asked in the query) carries the code and the state; the others carry tokens.
  const codeOnly = params.grantType === 'authorization_code' || params.responseMode === 'query';
  const full = oidc.grants.roomFor([
    ...(params.grantType === 'implicit' ? [] : (['code'] as const)),
    ...(codeOnly ? [] : (['access'] as const)),
  ]);
  if (full) return fail('server_error', full);
  const code = params.grantType === 'implicit' ? undefined : issueCode(oidc, params, login, now);
  const answer = codeOnly
    ? [...(code ? [['code', code] as const] : []), ['state', params.state ?? ''] as const]
    : await implicitResponse(oidc, context, params, login, code, now);
  const title = `Redirecting to ${String(oidc.model.applicationOf(params.provider)?.['name'] ?? '')}...`;
  switch (params.responseMode) {
    case 'query':
      return { kind: 'redirect', to: withQuery(params.redirectUri, answer) };
    case 'fragment':
      return { kind: 'redirect', to: withFragment(params.redirectUri, answer) };
    case 'form_post':
      return { kind: 'form_post', url: params.redirectUri, title, attrs: Object.fromEntries(answer) };
  }
}

/** `AuthorizationCode`: `uuid4().hex`, valid for the provider's `access_code_validity`. */
function issueCode(oidc: Oidc, params: AuthorizeParams, login: LoggedIn, now: number): string {
  const expires = now + durationMs(params.provider['access_code_validity']);
  const details = {
    authTime: login.authTime,
    nonce: params.nonce,
    codeChallenge: params.codeChallenge,
    codeChallengeMethod: params.codeChallenge ? params.codeChallengeMethod : null,
  };
  return oidc.grants.issue('code', { provider: params.provider, user: login.user, expires, scope: params.scope }, details).secret;
}

/**
 * `create_implicit_response`: an access token (given for `id_token token`, `code id_token token`, `code token`
 * and — as authentik does — plain `id_token`), the id_token (with `at_hash` beside an access token, `c_hash`
 * beside a code), the code of a hybrid response, then `token_type`, `expires_in` (authentik 2024.8 says the code's
 * validity there) and `state`.
 */
async function implicitResponse(
  oidc: Oidc,
  context: RequestContext,
  params: AuthorizeParams,
  login: LoggedIn,
  code: string | undefined,
  now: number,
): Promise<Array<readonly [string, string]>> {
  const { provider, responseType } = params;
  const withCodeHash = responseType === 'code id_token' || responseType === 'code id_token token';
  const minted = await oidc.mintAccessToken(context, {
    provider,
    user: login.user,
    scope: params.scope,
    authTime: login.authTime,
    now,
    nonce: params.nonce,
    amr: login.amr,
    codeHash: withCodeHash && code ? await halfHash(code) : undefined,
  });
  const pairs: Array<readonly [string, string]> = [];
  const givesAccessToken = ['id_token token', 'code id_token token', 'id_token', 'code token'].includes(responseType);
  if (givesAccessToken) {
    pairs.push(['access_token', minted.grant.secret]);
    minted.idToken.at_hash = await halfHash(minted.grant.secret);
  }
  if (params.scope.includes('openid') && ['id_token', 'id_token token', 'code id_token', 'code id_token token'].includes(responseType)) {
    const signer = await oidc.keys.signerFor(provider);
    pairs.push(['id_token', await signer.sign(idTokenPayload(minted.idToken))]);
  }
  if (params.grantType === 'hybrid' && code) pairs.push(['code', code]);
  pairs.push(['token_type', 'bearer'], ['expires_in', String(wholeSeconds(durationMs(provider['access_code_validity'])))]);
  pairs.push(['state', params.state ?? '']);
  return pairs;
}

/** authentik's redirect: a 302, or for `form_post` a page that posts the answer to the client. */
export function answerFulfilment(fulfilment: Fulfilment): Answer {
  if (fulfilment.kind === 'redirect') return redirectTo(fulfilment.to);
  const inputs = Object.entries(fulfilment.attrs)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const nonce = randomKey(22);
  const body = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(fulfilment.title)}</title></head>
<body><form method="post" action="${escapeHtml(fulfilment.url)}">${inputs}<button type="submit">${escapeHtml(fulfilment.title)}</button></form>
<script nonce="${nonce}">document.forms[0].submit();</script></body>
</html>
`;
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; form-action *`,
    },
    body,
  };
}

/** `urlsplit` without normalising (the client's URI comes back as it sent it). */
function split(uri: string): { base: string; query: string; fragment: string } {
  const hash = uri.indexOf('#');
  const beforeHash = hash < 0 ? uri : uri.slice(0, hash);
  const question = beforeHash.indexOf('?');
  return {
    base: question < 0 ? beforeHash : beforeHash.slice(0, question),
    query: question < 0 ? '' : beforeHash.slice(question + 1),
    fragment: hash < 0 ? '' : uri.slice(hash + 1),
  };
}

const unsplit = ({ base, query, fragment }: { base: string; query: string; fragment: string }) =>
  `${base}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`;

/** The redirect URI's own query (`parse_qs`: blank values dropped), with the answer's values in place of its own. */
function withQuery(uri: string, answer: ReadonlyArray<readonly [string, string]>): string {
  const parts = split(uri);
  const kept = new Map<string, string[]>();
  for (const pair of parts.query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const [key, value] = [decodePlus(pair.slice(0, eq)), decodePlus(pair.slice(eq + 1))];
    if (value !== '') kept.set(key, [...(kept.get(key) ?? []), value]);
  }
  for (const [key, value] of answer) kept.set(key, [value]);
  const pairs = [...kept].flatMap(([key, values]) => values.map((value) => [key, value] as const));
  return unsplit({ ...parts, query: urlencode(pairs) });
}

/** The answer appended to the redirect URI's fragment (`uri.fragment + urlencode(…)`, as authentik writes it). */
function withFragment(uri: string, answer: ReadonlyArray<readonly [string, string]>): string {
  const parts = split(uri);
  return unsplit({ ...parts, fragment: parts.fragment + urlencode(answer) });
}

function decodePlus(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
