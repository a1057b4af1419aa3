import type { Answer } from '../core/http.js';
import type { RequestContext } from '../core/request-context.js';
import { parseAuthorize, type AuthorizeParams } from './authorize-params.js';
import { consentPlan, recordConsent } from './consent.js';
import { AuthorizeError } from './errors.js';
import { formParams, queryParams } from './http.js';
import { errorPage, notFoundPage, redirectTo, unhandledMethod } from '../flows/pages.js';
import { flowPagePath, urlencode } from '../flows/query.js';
import { defaultFlow } from '../flows/api.js';
import type { LoggedIn, Oidc } from './service.js';
import { runAuthorizationFlow } from './authorization-flow.js';
import { answerFulfilment, fulfil } from './fulfilment.js';

/**
 * `GET|POST /application/o/authorize/` (authentik/providers/oauth2/views/authorize.py `AuthorizationFlowInitView`):
 * the parameters checked, then — nobody logged in — the login flow's page with `next` back here; logged in, the
 * authorization flow: its page when it has something to show (consent to give, another stage), else the code or
 * tokens at once, sent to the client's redirect URI.
 */
export async function authorizeEndpoint(oidc: Oidc, context: RequestContext): Promise<Answer> {
  // authentik answers a request without a query 404 ("to prevent event spamming"), a POST too.
  if (context.url.searchParams.size === 0) return notFoundPage();
  const values = context.method === 'POST' ? await formParams(context) : queryParams(context);
  const sent = context.method === 'POST' ? [...values] : [...context.url.searchParams];
  const parsed = parseAuthorize(oidc.model, values, sent);
  if ('refused' in parsed) return parsed.refused;
  const { params } = parsed;
  const now = Date.now();
  const caller = oidc.caller(context, now);
  if (!caller && params.prompt.has('none'))
    return new AuthorizeError(params.redirectUri, 'login_required', params.grantType, params.state).answer();
  const application = oidc.model.applicationOf(params.provider);
  if (!application) return errorPage(200, 'Access denied', 'Failed to resolve application');
  if (!caller || needsLogin(oidc, params, caller, now)) return loginRedirect(oidc, context, params);
  // `PolicyAccessView.dispatch` checks all of the above before Django's `View.dispatch` looks at the method.
  const unhandled = unhandledMethod(context.method, ['GET', 'POST']);
  if (unhandled) return unhandled;
  const plan = consentPlan(oidc.model, params, caller.user, application, now);
  if (plan.pageNeeded && !caller.auto && plan.flow) return runAuthorizationFlow(oidc, context, params, application, plan);
  // Auto-login consents as the user would on the flow's consent stage.
  if (caller.auto && plan.pageNeeded)
    for (const stage of plan.consentStages) recordConsent(oidc.model, stage, caller.user, application, plan.permissions, now);
  return answerFulfilment(await fulfil(oidc, context, params, caller));
}

/** Whether `max_age` or `prompt=login` asks for a new login (never of the auto-login user: they log in every time). */
function needsLogin(oidc: Oidc, params: AuthorizeParams, caller: LoggedIn, now: number): boolean {
  if (caller.auto) return false;
  if (params.maxAge !== null && Math.trunc(now / 1000) - caller.authTime > params.maxAge) return true;
  if (!params.prompt.has('login')) return false;
  // authentik 2024.8 asks once per session (`authentik/providers/oauth2/needs_login`); the mock once per user, then
  // lets the next request through.
  const key = String(oidc.model.pkOf('users', caller.user));
  if (oidc.loginAsked.delete(key)) return false;
  oidc.loginAsked.add(key);
  return true;
}

/**
 * Nobody logged in (`PolicyAccessView.handle_no_permission`): the provider's authentication flow, else the one
 * `/flows/-/default/authentication/` goes to (`ToDefaultFlow`: the brand's, else the first whose policies pass), with
 * `next` back to this request.
 */
function loginRedirect(oidc: Oidc, context: RequestContext, params: AuthorizeParams): Answer {
  const flow = oidc.model.flow(params.provider['authentication_flow']) ?? defaultFlow(oidc.host, context, 'authentication');
  if (!flow) return notFoundPage();
  const next = `${context.path}?${context.method === 'GET' ? context.url.search.slice(1) : urlencode(params.sent)}`;
  return redirectTo(flowPagePath(String(flow['slug']), [['next', next]]));
}
