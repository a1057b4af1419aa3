/**
 * authentik's flow pages outside the API (authentik/flows/urls.py, views/executor.py): `/flows/-/default/authentication/`
 * and `/flows/-/default/invalidation/` (`ToDefaultFlow`: the brand's flow, else the first of that designation whose
 * policies pass, by slug; a 302 to its page with the query kept) and `/flows/-/cancel/` (`CancelView`: the plan goes;
 * to `next` when relative, else to the default invalidation flow); and `/` (authentik/core/urls.py, 2024.8:
 * `login_required(RedirectView(pattern_name="authentik_core:if-user", query_string=True))`): the login flow with
 * `next=/` for nobody, else `/if/user/` — where the flow executor sends a flow without `next` when it ends.
 */
import type { SiteRoute } from '../core/extensions.js';
import type { RequestContext } from '../core/request-context.js';
import { defaultFlow, loginRedirect, requestPrincipal } from './api.js';
import { CANCEL_URL, SESSION_KEY_PLAN } from './executor.js';
import { MODEL } from './models.js';
import { notFoundPage, redirectTo } from './pages.js';
import type { FlowPlan } from './stage.js';
import { flowPagePath, isUrlAbsolute, QueryDict } from './query.js';
import type { FlowRuntime } from './runtime.js';

const DEFAULT_FLOWS: Record<string, 'authentication' | 'invalidation'> = {
  '/flows/-/default/authentication/': 'authentication',
  '/flows/-/default/invalidation/': 'invalidation',
};

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
      const flow = defaultFlow(runtime.host, context, DEFAULT_FLOWS[context.path]!);
      if (!flow) return notFoundPage();
      // A plan of another flow is dropped now rather than later.
      const plan = session?.get<FlowPlan>(SESSION_KEY_PLAN);
      if (plan && String(plan.flowPk) !== String(runtime.models.pk(MODEL.flow, flow))) session!.delete(SESSION_KEY_PLAN);
      return redirectTo(flowPagePath(String(flow['slug']), sameQuery(context)));
    },
  };
}
