/**
 * What a stage is to the executor: a handler that, on GET, shows a challenge or decides without asking (skip, log in,
 * deny), and on POST reads the client's answer. authentik's `StageView`/`ChallengeStageView` (authentik/flows/stage.py)
 * with its callbacks `executor.stage_ok()` / `stage_invalid()` as outcomes. A feature appends its own in-memory stage
 * to a plan (authentik's `in_memory_stage`, e.g. OAuth2's `OAuthFulfillmentStage`) by giving a StageHandler. The plan a stage runs in
 * (authentik/flows/planner.py `FlowPlan`) is defined here too: the data the session keeps, which plan.ts makes.
 */
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import type { RequestContext } from '../core/request-context.js';
import type { Principal, World } from '../world/world.js';
import type { Challenge, ResponseErrors } from './challenges.js';
import type { FlowModels } from './models.js';
import type { Session, Sessions } from './sessions.js';

/** The user a flow is about (`pending_user`): a world user, or what identification made up for an unknown name. */
export interface PendingUser {
  /** The user's pk; absent for a name no user has (identification's `pretend_user_exists`). */
  pk?: Pk;
  username: string;
  email: string;
  /** The authentication backend that checked a password (Django sets `user.backend`); absent until one did. */
  backend?: string;
}

/**
 * The plan's context (authentik's PLAN_CONTEXT_* keys). Any other key may be set by a feature; stages read
 * `application` (an Application record's pk), `consent_header`, `consent_permissions`, `redirect`, `deny_message`.
 */
export interface PlanContext {
  pending_user?: PendingUser;
  pending_user_identifier?: string;
  /** The Application record's pk the flow runs for (its name is the title's `%(app)s`). */
  application?: Pk;
  /** Where the flow ends instead of `next` (set by authentik itself, never checked). */
  redirect?: string;
  prompt_data?: Record<string, unknown>;
  consent_header?: string;
  consent_permissions?: Array<{ id: string; name: string }>;
  auth_method?: string;
  auth_method_args?: Record<string, unknown>;
  is_sso?: boolean;
  [key: string]: unknown;
}

/** One stage of a plan: a binding of the world, or a stage a feature added in memory. */
export interface PlannedStage {
  /** The FlowStageBinding record (absent for an in-memory stage). */
  binding?: Pk;
  /** The stage record. */
  stage?: Pk;
  /** Its binding's policies run again when the stage comes up (a ReevaluateMarker). */
  reevaluate: boolean;
  /** An in-memory stage's handler (authentik's `in_memory_stage`). */
  handler?: StageHandler;
}

export interface FlowPlan {
  flowPk: Pk;
  stages: PlannedStage[];
  context: PlanContext;
}

/** What a stage decided. */
export type StageOutcome =
  /** Show this challenge (200). `invalidResponse`: shown again because the client's answer was refused. */
  | { challenge: Challenge; invalidResponse?: boolean }
  /** `executor.stage_ok()`: the stage is done; on to the next (a 302 back to the executor) or the flow's end. */
  | { ok: true }
  /** `executor.stage_invalid(message)`: the flow is cancelled, `ak-stage-access-denied` ("Unknown error" without one). */
  | { denied: true; message?: string }
  /** An HTTP redirect: `xak-flow-redirect` to it (a 302 where it is the executor's own URL). */
  | { redirect: string };

export interface StageHandler {
  /** GET: the challenge, or a decision made without asking. */
  get(run: StageRun): StageOutcome | Promise<StageOutcome>;
  /** POST: the client's challenge response (a JSON object, unread). Without `post`, a POST is answered as a GET. */
  post?(run: StageRun, response: Record<string, unknown>): StageOutcome | Promise<StageOutcome>;
}

/** Everything a stage handler may read and change for one executor request. */
export interface StageRun {
  readonly world: World;
  readonly models: FlowModels;
  /** The request (its headers, cookies, URL). */
  readonly context: RequestContext;
  /** Who the request authenticates as (`request.user`): a session's user, a token's, or anonymous. */
  readonly principal: Principal;
  readonly session: Session;
  /** Every session of the mock (to end a user's others). */
  readonly sessions: Sessions;
  /** The running plan: `plan.context` is the flow's context (pending_user, application, prompt_data…). */
  readonly plan: FlowPlan;
  readonly flow: WorldRecord;
  /** The stage's record; undefined for an in-memory stage. */
  readonly stage: WorldRecord | undefined;
  /**
   * The challenge `component` with `fields`, `flow_info` and (for challenges that show one) the pending user and
   * avatar filled in; `errors` (the response's problems) make it `challenge_invalid`'s answer.
   */
  challenge(component: string, fields?: Record<string, unknown>, errors?: ResponseErrors): StageOutcome;
  /** A challenge response read by its component's schema: the value, or the errors in DRF's words. */
  read(component: string, response: unknown): { value: Record<string, unknown> } | { errors: ResponseErrors };
  /** The plan's pending user, else the request's user; undefined for an anonymous request without one. */
  pendingUser(): PendingUser | undefined;
  /** The pending user's world record (not a placeholder identification made up for an unknown name). */
  pendingRecord(): WorldRecord | undefined;
  /** Logs the session in as `userPk` (the user login stage): new session key, CSRF cookie, AuthenticatedSession record. */
  login(userPk: Pk, durationMs: number): void;
  /** Logs the session out (the user logout stage): its record deleted, its data flushed, a new key. */
  logout(): void;
  /** Puts a stage right after the current one (authenticator validation's `configure` action). */
  insertNext(stagePk: Pk): void;
}
