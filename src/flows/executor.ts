/**
 * The flow executor (authentik/flows/views/executor.py `FlowExecutorView`): `GET /flows/executor/{slug}/?query=…`
 * answers the current stage's challenge, `POST` solves it. Followed literally: `dispatch` (plan or continue the
 * session's plan, `plan.next`), `stage_ok` (a 302 back to the executor with the same query, or the flow's end),
 * `stage_invalid` (restart, or `ak-stage-access-denied`), `_flow_done` (`xak-flow-redirect` to `next` — a relative one;
 * an absolute one is "Invalid next URL"), `handle_invalid_flow`, `to_stage_response` (a redirect to the request's own
 * URL is the 302 itself, any other becomes `xak-flow-redirect`) and `handle_exception` (`ak-stage-flow-error`).
 */
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import { HttpError, json, type Answer } from '../core/http.js';
import type { OperationCall } from '../core/operations.js';
import type { RequestContext } from '../core/request-context.js';
import type { Principal } from '../world/world.js';
import { randomHex } from '../world/secrets.js';
import type { Challenge, ResponseErrors } from './challenges.js';
import { MODEL, type FlowModels } from './models.js';
import { allowedRedirect, errorPage, notFoundPage } from './pages.js';
import { FlowNonApplicable, nextStage, planFlow } from './plan.js';
import type { FlowPlan, PendingUser, PlannedStage } from './stage.js';
import { isUrlAbsolute, QueryDict, urlencode } from './query.js';
import type { FlowRuntime } from './runtime.js';
import type { Session } from './sessions.js';
import type { StageHandler, StageOutcome, StageRun } from './stage.js';

/** authentik's session keys (executor.py). */
export const SESSION_KEY_PLAN = 'authentik/flows/plan';
export const SESSION_KEY_GET = 'authentik/flows/get';
const SESSION_KEY_HISTORY = 'authentik/flows/history';

/** `reverse("authentik_core:root-redirect")`: where a flow without `next` ends. */
export const ROOT_REDIRECT = '/';
/** `reverse("authentik_flows:cancel")`: every challenge's `flow_info.cancel_url`. */
export const CANCEL_URL = '/flows/-/cancel/';
/** `Flow.background_url` without a background (authentik/flows/models.py). */
const DEFAULT_BACKGROUND = '/static/dist/assets/images/flow_background.jpg';
/** `DEFAULT_AVATAR` (authentik/lib/avatars.py): the anonymous user's avatar. */
export const DEFAULT_AVATAR = '/static/dist/assets/images/user_default.png';

/** What the executor answers before `to_stage_response`: a challenge, or a redirect. */
type Reply = { challenge: Challenge } | { redirect: string };

/** `GET`/`POST /flows/executor/{slug}/`. */
export async function execute(runtime: FlowRuntime, call: OperationCall): Promise<Answer> {
  const slugParam = call.operation.parameters.find((p) => p.in === 'path')?.name ?? '';
  const flow = runtime.models.flowBySlug(call.pathParams[slugParam] ?? '');
  // get_object_or_404 in `setup`, before DRF's handling: Django's (authentik's) 404 page.
  if (!flow) return notFoundPage();
  const exchange = new Exchange(runtime, call.context, call.principal, flow, runtime.sessions.open(call.context));
  const reply = await exchange.dispatch(call.context.method === 'POST' ? call.body : undefined);
  return exchange.respond(reply);
}

/** One executor request: its session, the plan it runs, the cookies its answer sets. */
class Exchange {
  private plan: FlowPlan | undefined;
  private current: PlannedStage | undefined;
  private readonly cookies: string[] = [];
  /** The executor request's own query (`request.GET`: `query=…`). */
  private readonly own: QueryDict;

  constructor(
    private readonly runtime: FlowRuntime,
    private readonly context: RequestContext,
    private readonly principal: Principal,
    private readonly flow: WorldRecord,
    private readonly session: Session,
  ) {
    this.own = QueryDict.parse(context.url.search.slice(1));
  }

  private get models() {
    return this.runtime.models;
  }

  /** `FlowExecutorView.dispatch`. `body` reads a POST's body (absent for a GET). */
  async dispatch(body?: () => Promise<{ value: unknown }>): Promise<Reply> {
    const session = this.session;
    const get = QueryDict.parse(this.own.get('query') ?? '');
    let plan = session.get<FlowPlan>(SESSION_KEY_PLAN);
    if (plan && String(plan.flowPk) !== String(this.models.pk(MODEL.flow, this.flow))) {
      plan = undefined;
      this.cancel();
    }
    session.set(SESSION_KEY_GET, get);
    if (!plan) {
      session.set(SESSION_KEY_HISTORY, []);
      try {
        plan = planFlow(this.models, this.flow, this.principal);
      } catch (error) {
        if (error instanceof FlowNonApplicable) return this.handleInvalidFlow(error);
        throw error;
      }
      session.set(SESSION_KEY_PLAN, plan);
      this.plan = plan;
      // EmptyFlowException: a flow without stages is done at once.
      if (plan.stages.length === 0) return this.flowDone();
    } else this.plan = plan;
    const next = nextStage(this.models, plan, this.principal);
    if (!next) return this.flowDone();
    this.current = next;
    const handler = this.runtime.handlerFor(next);
    if ('missing' in handler) return this.stageInvalid(handler.missing);
    try {
      const run = this.stageRun(next);
      const outcome = body && handler.post ? await handler.post(run, await this.response(body)) : await handler.get(run);
      return this.outcome(outcome);
    } catch (error) {
      return this.flowError(error);
    }
  }

  /** The challenge response: a JSON object (anything else is read as an empty one, as DRF's `request.data`). */
  private async response(body: () => Promise<{ value: unknown }>): Promise<Record<string, unknown>> {
    const { value } = await body();
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }

  private outcome(outcome: StageOutcome): Reply {
    if ('ok' in outcome) return this.stageOk();
    if ('denied' in outcome) return this.stageInvalid(outcome.message);
    if ('redirect' in outcome) return { redirect: outcome.redirect };
    if (outcome.invalidResponse && this.restartAction() !== undefined) return this.restartFlow(this.restartAction()!);
    return { challenge: outcome.challenge };
  }

  /** `stage_ok`: the stage is done; back to the executor for the next one, or the flow is done. */
  private stageOk(): Reply {
    const plan = this.plan!;
    plan.stages.shift();
    this.session.set(SESSION_KEY_PLAN, plan);
    if (plan.stages.length > 0) return { redirect: this.executorUrl() };
    return this.flowDone();
  }

  /** `stage_invalid`: restart when the binding says so, else cancel and deny. */
  private stageInvalid(message?: string): Reply {
    const restart = this.restartAction();
    if (restart !== undefined) return this.restartFlow(restart);
    const challenge = this.accessDenied(message);
    this.cancel();
    return { challenge };
  }

  /** The current binding's `invalid_response_action` when it restarts the flow: whether it keeps the context. */
  private restartAction(): boolean | undefined {
    const binding = this.current?.binding === undefined ? undefined : this.models.get(MODEL.binding, this.current.binding);
    const action = binding?.['invalid_response_action'];
    return action === 'restart' ? false : action === 'restart_with_context' ? true : undefined;
  }

  /** `restart_flow`: a new plan (keeping the context if asked), and back to the executor. */
  private restartFlow(keepContext: boolean): Reply {
    try {
      const plan = planFlow(this.models, this.flow, this.principal, keepContext ? this.plan?.context : undefined);
      this.session.set(SESSION_KEY_PLAN, plan);
    } catch (error) {
      if (error instanceof FlowNonApplicable) return this.handleInvalidFlow(error);
      throw error;
    }
    return { redirect: this.executorUrl() };
  }

  /** `_flow_done`: the plan's `redirect`, else `next` (relative only), else "/". */
  private flowDone(): Reply {
    const redirect = this.plan?.context.redirect;
    if (typeof redirect === 'string') {
      this.cancel();
      return { redirect };
    }
    const next = this.session.get<QueryDict>(SESSION_KEY_GET)?.get('next') ?? ROOT_REDIRECT;
    this.cancel();
    if (next && !isUrlAbsolute(next)) return { redirect: next };
    return this.stageInvalid('Invalid next URL');
  }

  /** `handle_invalid_flow`: the flow's `denied_action`. It reads `next` from the executor's own query, as authentik does. */
  private handleInvalidFlow(error: FlowNonApplicable): Reply {
    const action = this.flow['denied_action'];
    if (action === 'continue' || action === 'message_continue') {
      const next = this.own.get('next');
      if (next && !isUrlAbsolute(next)) return { redirect: next };
    }
    if (action === 'continue') return { redirect: ROOT_REDIRECT };
    return this.stageInvalid(error.message);
  }

  /** `cancel`: the plan and the query go; the history stays. */
  private cancel(): void {
    this.session.delete(SESSION_KEY_PLAN);
    this.session.delete(SESSION_KEY_GET);
  }

  /** `handle_exception`: `ak-stage-flow-error`; the error itself only for a superuser (authentik's FlowErrorChallenge). */
  private flowError(error: unknown): Reply {
    const message = error instanceof HttpError ? JSON.stringify(error.body) : error instanceof Error ? error.message : String(error);
    const details = this.principal.superuser ? { error: message, traceback: '' } : {};
    return {
      challenge: this.runtime.kit.challenge('ak-stage-flow-error', { flow_info: this.flowInfo(), request_id: randomHex(32), ...details }),
    };
  }

  /** `AccessDeniedStage`: `ak-stage-access-denied` with the message, "Unknown error" without one. */
  private accessDenied(message: string | undefined): Challenge {
    return this.runtime.kit.challenge('ak-stage-access-denied', {
      flow_info: this.flowInfo(),
      ...this.userInfo(),
      error_message: message || 'Unknown error',
    });
  }

  /** The executor's URL with the request's own query (`redirect_with_qs("authentik_api:flow-executor", request.GET)`). */
  private executorUrl(): string {
    const items = this.own.items();
    return `${this.context.path}${items.length > 0 ? `?${urlencode(items)}` : ''}`;
  }

  /** `flow_info` (ChallengeStageView._get_challenge): the title formatted with the app and user, background, cancel URL, layout. */
  flowInfo(): Record<string, unknown> {
    const flow = this.flow;
    const app = this.models.get(MODEL.application, this.plan?.context.application);
    const title = pythonFormat(String(flow['title'] ?? ''), { app: String(app?.['name'] ?? ''), user: this.pendingUser()?.username ?? '' });
    const background = typeof flow['background'] === 'string' ? flow['background'] : '';
    return {
      title,
      // Flow.background_url: a stored URL as it is; the mock has no uploaded media, so anything else is the default.
      background: background.startsWith('http') || background.startsWith('/static') ? background : DEFAULT_BACKGROUND,
      cancel_url: CANCEL_URL,
      layout: flow['layout'] ?? 'stacked',
    };
  }

  /** `get_pending_user`: the plan's pending user, else the request's user. */
  pendingUser(): PendingUser | undefined {
    const pending = this.plan?.context.pending_user;
    if (pending) return pending;
    const user = this.models.user(this.principal.userPk);
    return user ? pendingFromRecord(this.models, user) : undefined;
  }

  /** WithUserInfoChallenge's `pending_user` and `pending_user_avatar`. */
  userInfo(): Record<string, string> {
    const identifier = this.plan?.context.pending_user_identifier;
    const pending = this.pendingUser();
    const record = pending?.pk === undefined ? undefined : this.models.user(pending.pk);
    return {
      pending_user: identifier ?? pending?.username ?? '',
      pending_user_avatar:
        typeof record?.['avatar'] === 'string' ? record['avatar'] : pending ? placeholderAvatar(pending.email) : DEFAULT_AVATAR,
    };
  }

  private stageRun(planned: PlannedStage): StageRun {
    const { runtime } = this;
    const flowInfo = () => this.flowInfo();
    const userInfo = () => this.userInfo();
    return {
      world: runtime.models.world,
      models: runtime.models,
      context: this.context,
      principal: this.principal,
      session: this.session,
      sessions: runtime.sessions,
      plan: this.plan!,
      flow: this.flow,
      stage: planned.stage === undefined ? undefined : runtime.models.stage(planned.stage),
      challenge(component, fields = {}, errors?: ResponseErrors) {
        const body = runtime.kit.challenge(component, {
          flow_info: flowInfo(),
          ...userInfo(),
          ...fields,
          ...(errors ? { response_errors: errors } : {}),
        });
        return errors ? { challenge: body, invalidResponse: true } : { challenge: body };
      },
      read: (component, response) => runtime.kit.read(component, response),
      pendingUser: () => this.pendingUser(),
      pendingRecord: () => runtime.models.user(this.pendingUser()?.pk),
      login: (userPk, durationMs) => {
        this.cookies.push(runtime.sessions.login(this.session, { userPk, durationMs, context: this.context }));
      },
      logout: () => runtime.sessions.logout(this.session),
      insertNext: (stagePk) => this.plan!.stages.splice(1, 0, { stage: stagePk, reevaluate: false }),
    };
  }

  /** `to_stage_response`, with the session's cookie when its key is not the one the request carried. */
  respond(reply: Reply): Answer {
    const cookie = this.runtime.sessions.cookieFor(this.session, this.context);
    const cookies = [...(cookie ? [cookie] : []), ...this.cookies];
    const withCookies = (answer: Answer): Answer => (cookies.length > 0 ? { ...answer, cookies } : answer);
    if ('challenge' in reply) return withCookies(json(200, reply.challenge));
    // Django refuses to redirect to a scheme it does not allow (DisallowedRedirect, a 400).
    if (!allowedRedirect(reply.redirect)) return withCookies(errorPage(400, 'Bad Request'));
    if (reply.redirect === `${this.context.path}${this.context.url.search}`)
      return withCookies({ status: 302, headers: { location: reply.redirect, 'content-type': 'text/html; charset=utf-8' }, body: '' });
    return withCookies(json(200, this.runtime.kit.challenge('xak-flow-redirect', { to: reply.redirect })));
  }
}

/** A world user as a flow's pending user. */
export function pendingFromRecord(models: FlowModels, user: WorldRecord): PendingUser {
  const users = models.world.userEntity!;
  return { pk: user[users.pkField] as Pk, username: String(user['username'] ?? ''), email: String(user['email'] ?? '') };
}

/** Python's `title % {"app": …, "user": …}`; a title it cannot format is shown as it is (as authentik does). */
export function pythonFormat(title: string, values: Record<string, string>): string {
  let failed = false;
  const formatted = title.replace(/%(?:\((\w+)\)s|(%)|.?)/g, (match, name: string | undefined, percent: string | undefined) => {
    if (percent) return '%';
    if (name !== undefined && Object.hasOwn(values, name)) return values[name]!;
    failed = true;
    return match;
  });
  return failed ? title : formatted;
}

/**
 * The avatar of a name no user has: a gravatar-style URL from the email, as every user's avatar looks, so the page
 * shows nothing that says the user does not exist (`pretend_user_exists`).
 */
function placeholderAvatar(email: string): string {
  let hex = '';
  for (let round = 0; hex.length < 32; round++) {
    let hash = 0x811c9dc5 ^ round;
    for (let i = 0; i < email.length; i++) hash = Math.imul(hash ^ email.toLowerCase().charCodeAt(i), 0x01000193) >>> 0;
    hex += hash.toString(16).padStart(8, '0');
  }
  return `https://www.gravatar.com/avatar/${hex.slice(0, 32)}?size=158&rating=g&default=identicon`;
}

export type { StageHandler };
