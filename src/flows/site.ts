/**
 * authentik's flow pages outside the API (authentik/flows/urls.py, views/executor.py): `/flows/-/default/authentication/`
 * and `/flows/-/default/invalidation/` (`ToDefaultFlow`: the brand's flow, else the first of that designation whose
 * policies pass, by slug; a 302 to its page with the query kept) and `/flows/-/cancel/` (`CancelView`: the plan goes;
 * to `next` when relative, else to the default invalidation flow); and `/` (authentik/core/urls.py, 2024.8:
 * `login_required(RedirectView(pattern_name="authentik_core:if-user", query_string=True))`): the login flow with
 * `next=/` for nobody, else `/if/user/` — where the flow executor sends a flow without `next` when it ends.
 */
import type { WorldRecord } from '../contract/entity-model.js';
import type { SiteRoute } from '../core/extensions.js';
import type { RequestContext } from '../core/request-context.js';
import { loginRedirect, requestPrincipal } from './api.js';
import { CANCEL_URL, SESSION_KEY_PLAN } from './executor.js';
import { MODEL } from './models.js';
import { notFoundPage, redirectTo } from './pages.js';
import type { FlowPlan } from './stage.js';
import { evaluateTarget } from './policies.js';
import { flowPagePath, isUrlAbsolute, QueryDict } from './query.js';
import type { FlowRuntime } from './runtime.js';

const DEFAULT_FLOWS: Record<string, { designation: string; brandField: string }> = {
  '/flows/-/default/authentication/': { designation: 'authentication', brandField: 'flow_authentication' },
  '/flows/-/default/invalidation/': { designation: 'invalidation', brandField: 'flow_invalidation' },
};

/** `ToDefaultFlow.get_flow`: the brand's flow of the designation, else the first by slug whose policies pass. */
function defaultFlow(runtime: FlowRuntime, context: RequestContext, designation: string, brandField: string): WorldRecord | undefined {
  const { models } = runtime;
  const fromBrand = models.get(MODEL.flow, models.brand(context.url.host)?.[brandField]);
  if (fromBrand) return fromBrand;
  const userPk = requestPrincipal(runtime.host, context).userPk;
  return models
    .records(MODEL.flow)
    .filter((f) => f['designation'] === designation)
    .sort((a, b) => String(a['slug']).localeCompare(String(b['slug'])))
    .find((f) => evaluateTarget(models, f['policybindingmodel_ptr_id'], f['policy_engine_mode'], { userPk, context: undefined }).passing);
}

/** The request's query as Django writes it back (`redirect_with_qs(view, request.GET)`). */
function sameQuery(context: RequestContext): Array<[string, string]> {
  return QueryDict.parse(context.url.search.slice(1)).items();
}

/** `/`: Django's `login_required` sends nobody to the login with the full path as `next`; a user on to `/if/user/`. */
function rootRedirect(runtime: FlowRuntime, context: RequestContext) {
  if (requestPrincipal(runtime.host, context).userPk === undefined) return loginRedirect(`/${context.url.search}`);
  return redirectTo(`/if/user/${context.url.search}`);
}

export function flowSiteRoutes(runtime: FlowRuntime): SiteRoute {
  return {
    matches: (path) => Object.hasOwn(DEFAULT_FLOWS, path) || path === CANCEL_URL || path === '/',
    handle(context) {
      if (context.path === '/') return rootRedirect(runtime, context);
      const session = runtime.sessions.find(context);
      if (context.path === CANCEL_URL) {
        session?.delete(SESSION_KEY_PLAN);
        const next = QueryDict.parse(context.url.search.slice(1)).get('next');
        return redirectTo(next && !isUrlAbsolute(next) ? next : '/flows/-/default/invalidation/');
      }
      const { designation, brandField } = DEFAULT_FLOWS[context.path]!;
      const flow = defaultFlow(runtime, context, designation, brandField);
      if (!flow) return notFoundPage();
      // A plan of another flow is dropped now rather than later.
      const plan = session?.get<FlowPlan>(SESSION_KEY_PLAN);
      if (plan && String(plan.flowPk) !== String(runtime.models.pk(MODEL.flow, flow))) session!.delete(SESSION_KEY_PLAN);
      return redirectTo(flowPagePath(String(flow['slug']), sameQuery(context)));
    },
  };
}
