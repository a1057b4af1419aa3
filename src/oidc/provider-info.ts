import type { WorldRecord } from '../contract/entity-model.js';
import type { Answer } from '../core/http.js';
import type { RequestContext } from '../core/request-context.js';
import { ACR_DEFAULT, claimNames } from './claims.js';
import { corsAllow, indentedJson, originOf } from './http.js';
import { notFoundPage, redirectTo, unhandledMethod } from '../flows/pages.js';
import { pyJson, pySplit } from './python.js';
import type { Oidc } from './service.js';
import { flowPagePath } from '../flows/query.js';
import { defaultFlow } from '../flows/api.js';

/** The OAuth2 provider of the application with this slug (404 for an unknown slug or another kind of provider). */
function resolve(oidc: Oidc, slug: string): { application: WorldRecord; provider: WorldRecord } | undefined {
  const application = oidc.model.applicationBySlug(slug);
  const provider = application && oidc.model.providerOf(application);
  return application && provider ? { application, provider } : undefined;
}

/** The claims every id_token may carry (`ProviderInfoView.get_claims`'s defaults, as 2024.8 lists them). */
const DEFAULT_CLAIMS = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr'];

/**
 * `GET /application/o/<slug>/.well-known/openid-configuration` (authentik/providers/oauth2/views/provider.py
 * `ProviderInfoView.get_info`): the provider's endpoints on the request's host, its signing algorithm, its scopes.
 * `claims_supported` adds the claims its scope mappings give the caller, as authentik evaluates them for the
 * request's user (an anonymous request gets the defaults only).
 */
export async function discoveryEndpoint(oidc: Oidc, context: RequestContext, slug: string): Promise<Answer> {
  // Its `dispatch`: the application (a 404), then the method, then `cors_allow` on whatever is answered.
  const found = resolve(oidc, slug);
  if (!found) return notFoundPage();
  const { provider } = found;
  const origins = pySplit(String(provider['redirect_uris'] ?? ''));
  const unhandled = unhandledMethod(context.method, ['GET']);
  if (unhandled) return corsAllow(context, unhandled, origins);
  const origin = originOf(context);
  const at = (path: string) => `${origin}/application/o/${path}`;
  const scopes = [...oidc.model.scopeNames(provider)];
  if (!scopes.includes('openid')) scopes.push('openid');
  const signer = await oidc.keys.signerFor(provider);
  const user = oidc.sessionUser(context);
  const document = {
    issuer: oidc.issuer(provider, context),
    authorization_endpoint: at('authorize/'),
    token_endpoint: at('token/'),
    userinfo_endpoint: at('userinfo/'),
    end_session_endpoint: at(`${slug}/end-session/`),
    introspection_endpoint: at('introspect/'),
    revocation_endpoint: at('revoke/'),
    device_authorization_endpoint: at('device/'),
    response_types_supported: ['code', 'id_token', 'id_token token', 'code token', 'code id_token', 'code id_token token'],
    jwks_uri: at(`${slug}/jwks/`),
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      'implicit',
      'client_credentials',
      'password',
      'urn:ietf:params:oauth:grant-type:device_code',
    ],
    id_token_signing_alg_values_supported: [signer.alg],
    subject_types_supported: ['public'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    acr_values_supported: [ACR_DEFAULT],
    scopes_supported: scopes,
    request_parameter_supported: false,
    claims_supported: [...DEFAULT_CLAIMS, ...(user ? claimNames(oidc.model, provider, user) : [])],
    claims_parameter_supported: false,
  };
  return corsAllow(context, indentedJson(document), origins);
}

/** `GET /application/o/<slug>/jwks/` (`JWKSView`): the signing key's public half; `{}` for HS256. */
export async function jwksEndpoint(oidc: Oidc, context: RequestContext, slug: string): Promise<Answer> {
  const unhandled = unhandledMethod(context.method, ['GET']);
  if (unhandled) return unhandled;
  const found = resolve(oidc, slug);
  if (!found) return notFoundPage();
  const signer = await oidc.keys.signerFor(found.provider);
  const body = signer.publicJwk ? { keys: [signer.publicJwk] } : {};
  return { status: 200, headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' }, body: pyJson(body) };
}

/** `GET /application/o/<slug>/`: a redirect to the discovery document (Django's `RedirectView`, for any slug). */
export function issuerEndpoint(slug: string): Answer {
  return redirectTo(`/application/o/${slug}/.well-known/openid-configuration`);
}

/**
 * `GET /application/o/<slug>/end-session/` (`EndSessionView`, 2024.8): the brand's invalidation flow's page with the
 * request's query (the flow logs the user out); nobody logged in goes to the login flow first, as authentik's
 * `PolicyAccessView` sends them.
 */
export function endSessionEndpoint(oidc: Oidc, context: RequestContext, slug: string): Answer {
  const found = resolve(oidc, slug);
  const flow = found && oidc.model.flow(oidc.model.brandFor(context.url.host)['flow_invalidation']);
  if (!found || !flow) return notFoundPage();
  if (!oidc.caller(context)) {
    const login = oidc.model.flow(found.provider['authentication_flow']) ?? defaultFlow(oidc.host, context, 'authentication');
    if (!login) return notFoundPage();
    return redirectTo(flowPagePath(String(login['slug']), [['next', `${context.path}${context.url.search}`]]));
  }
  // A `PolicyAccessView`: the application and the login come before Django's `View.dispatch` looks at the method.
  const unhandled = unhandledMethod(context.method, ['GET']);
  if (unhandled) return unhandled;
  return redirectTo(flowPagePath(String(flow['slug']), [...context.url.searchParams]));
}
