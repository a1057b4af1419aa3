/**
 * What other features use of the flows: start a flow for the request's session with a context and stages of their
 * own (authentik's OAuth2 authorize view plans the provider's authorization flow with the application in the context
 * and appends its in-memory `OAuthFulfillmentStage`, then redirects to the flow's page), know who is logged in, send
 * an anonymous visitor to log in, and add stage kinds.
 */
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import type { FeatureHost } from '../core/extensions.js';
import type { Answer } from '../core/http.js';
import type { RequestContext } from '../core/request-context.js';
import { ANONYMOUS } from '../core/callers.js';
import type { Principal } from '../world/world.js';
import { SESSION_KEY_PLAN } from './executor.js';
import { MODEL } from './models.js';
import { redirectTo } from './pages.js';
import { planFlow } from './plan.js';
import { evaluateTarget } from './policies.js';
import type { PlanContext } from './stage.js';
import { flowPagePath } from './query.js';
import { flowRuntime } from './runtime.js';
import type { StageHandler } from './stage.js';

export interface StartFlowOptions {
  /** The plan's initial context (`FlowPlanner.plan(request, default_context)`): `application` (its pk), `consent_header`… */
  planContext?: PlanContext;
  /** Stages run after the flow's own, in memory (`plan.append_stage(in_memory_stage(View))`), in this order. */
  extraStages?: StageHandler[];
  /** The query the flow's page is opened with; the executor's `next` comes from it (authentik passes the request's own on). */
  query?: ReadonlyArray<readonly [string, string]>;
  /** Shortcut for a `next` in the query: where the flow ends (a relative URL; the last stage may redirect elsewhere). */
  next?: string;
}

/**
 * Plans `flowSlug` for the request's session — the flow's authentication requirement and policies checked for the
 * request's user, `planContext` in its context, `extraStages` after its stages — and answers the redirect to the
 * flow's page `/if/flow/{slug}/?{query}` (with the session's cookie when the session is new). The executor then runs
 * this plan. Throws FlowNonApplicable when the flow does not apply (the caller answers its own error, as authentik's
 * views do), and an Error when no flow has that slug.
 */
export function startFlow(host: FeatureHost, context: RequestContext, flowSlug: string, options: StartFlowOptions = {}): Answer {
  const runtime = flowRuntime(host);
  const flow = runtime.models.flowBySlug(flowSlug);
  if (!flow) throw new Error(`no flow with the slug "${flowSlug}"`);
  const session = runtime.sessions.open(context);
  const plan = planFlow(runtime.models, flow, requestPrincipal(host, context), options.planContext);
  for (const handler of options.extraStages ?? []) plan.stages.push({ handler, reevaluate: false });
  session.set(SESSION_KEY_PLAN, plan);
  const query = [...(options.query ?? []), ...(options.next === undefined ? [] : [['next', options.next] as const])];
  const cookie = runtime.sessions.cookieFor(session, context);
  return redirectTo(flowPagePath(flowSlug, query), cookie ? [cookie] : []);
}

/** Who a request outside the API is (a page, an OAuth2 endpoint): its session's user, else anonymous. */
export function requestPrincipal(host: FeatureHost, context: RequestContext): Principal {
  const runtime = flowRuntime(host);
  const session = runtime.sessions.find(context);
  return (session && runtime.sessions.principal(session)) ?? ANONYMOUS;
}

/** The brand's field that names its default flow of each designation. */
const BRAND_FLOW_FIELDS = { authentication: 'flow_authentication', invalidation: 'flow_invalidation' } as const;

/**
 * `ToDefaultFlow.get_flow` (authentik/flows/views/executor.py): the request's brand's flow of the designation, else
 * the first flow of that designation by slug whose policies pass for the request's user.
 */
export function defaultFlow(
  host: FeatureHost,
  context: RequestContext,
  designation: keyof typeof BRAND_FLOW_FIELDS,
): WorldRecord | undefined {
  const { models } = flowRuntime(host);
  const fromBrand = models.get(MODEL.flow, models.brand(context.url.host)[BRAND_FLOW_FIELDS[designation]]);
  if (fromBrand) return fromBrand;
  const userPk = requestPrincipal(host, context).userPk;
  return models
    .records(MODEL.flow)
    .filter((f) => f['designation'] === designation)
    .sort((a, b) => String(a['slug']).localeCompare(String(b['slug'])))
    .find((f) => evaluateTarget(models, f['policybindingmodel_ptr_id'], f['policy_engine_mode'], { userPk, context: undefined }).passing);
}

/** The user logged in with the request's session (an active one), or undefined. */
export function sessionUser(host: FeatureHost, context: RequestContext): WorldRecord | undefined {
  const principal = requestPrincipal(host, context);
  return principal.userPk === undefined ? undefined : flowRuntime(host).models.user(principal.userPk);
}

/**
 * Django's `redirect_to_login(next)` with authentik's LOGIN_URL: a 302 to `/flows/-/default/authentication/?next=…`,
 * the brand's authentication flow, which comes back to `next` once logged in.
 */
export function loginRedirect(next: string): Answer {
  const quoted = encodeURIComponent(next)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return redirectTo(`/flows/-/default/authentication/?next=${quoted}`);
}

/** Runs stages of this model (`app_label.modelname`) with `handler` (replacing the mock's own, if any). */
export function registerStage(host: FeatureHost, modelName: string, handler: StageHandler): void {
  flowRuntime(host).stages.set(modelName, handler);
}

/** Logs a session in as a user at once (`serve --auto-login`): the Set-Cookie values, the session's first. */
export function logInSession(host: FeatureHost, context: RequestContext, userPk: Pk): string[] {
  const runtime = flowRuntime(host);
  const session = runtime.sessions.open(context);
  const csrf = runtime.sessions.login(session, { userPk, durationMs: 0, context });
  const cookie = runtime.sessions.cookieFor(session, context);
  return [...(cookie ? [cookie] : []), csrf];
}
