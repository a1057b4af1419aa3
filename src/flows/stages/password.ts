/**
 * The password stage (authentik/stages/password/stage.py `PasswordStageView`, `PasswordChallengeResponse`,
 * `authenticate`; models.py): the pending user's password, checked by the stage's backends. Every refused response
 * counts (session `authentik/stages/password/user_invalid_tries`); at `failed_attempts_before_cancel` the flow is
 * denied — with "Unknown error" in 2024.8 (`stage_invalid()` without a message; 2024.10 says "Invalid password").
 */
import type { Pk } from '../../contract/entity-model.js';
import { fieldError, type ResponseErrors } from '../challenges.js';
import { MODEL, type FlowModels } from '../models.js';
import type { PendingUser } from '../stage.js';
import type { StageHandler, StageOutcome, StageRun } from '../stage.js';
import { flowInterfaceUrl } from './urls.js';

export const INBUILT_BACKEND = 'authentik.core.auth.InbuiltBackend';
export const TOKEN_BACKEND = 'authentik.core.auth.TokenBackend';
export const INVALID_TRIES = 'authentik/stages/password/user_invalid_tries';
const COMPONENT = 'ak-stage-password';

/**
 * `authenticate(request, backends, username=…, password=…)`: the first backend that accepts. The inbuilt backend
 * (Django's ModelBackend) takes the user's password and refuses inactive users; the token backend takes one of the
 * user's app passwords (a token with intent `app_password`). LDAP has no directory here.
 */
export function authenticate(models: FlowModels, username: string, password: string, backends: unknown): PendingUser | undefined {
  const world = models.world;
  const users = world.userEntity;
  const user = users ? world.table(users.name).find('username', username) : undefined;
  if (!users || !user || user['is_active'] === false) return undefined;
  const pk = user[users.pkField] as Pk;
  for (const backend of Array.isArray(backends) ? backends : [INBUILT_BACKEND]) {
    const accepted =
      (backend === INBUILT_BACKEND && world.identities.checkPassword(pk, password)) ||
      (backend === TOKEN_BACKEND && models.world.identities.isAppPassword(pk, password));
    if (accepted) return { pk, username: String(user['username']), email: String(user['email'] ?? ''), backend: String(backend) };
  }
  return undefined;
}

function challengeFields(run: StageRun): Record<string, unknown> {
  const brand = run.models.brand(run.context.url.host);
  const recovery = run.models.get(MODEL.flow, brand['flow_recovery']);
  return {
    // An absolute URL (request.build_absolute_uri) to the brand's recovery flow, with the flow's query.
    recovery_url: recovery ? `${run.context.url.origin}${flowInterfaceUrl(run, String(recovery['slug']))}` : undefined,
    allow_show_password: run.stage?.['allow_show_password'] === true,
  };
}

/** `challenge_invalid`: one more failure; at the limit, the counter goes and the flow is denied. */
function refused(run: StageRun, errors: ResponseErrors): StageOutcome {
  const tries = (run.session.get<number>(INVALID_TRIES) ?? 0) + 1;
  const limit = Number(run.stage?.['failed_attempts_before_cancel'] ?? 5);
  if (tries >= limit) {
    run.session.delete(INVALID_TRIES);
    return { denied: true };
  }
  run.session.set(INVALID_TRIES, tries);
  return run.challenge(COMPONENT, challengeFields(run), errors);
}

export const passwordStage: StageHandler = {
  get: (run) => run.challenge(COMPONENT, challengeFields(run)),
  post(run, response) {
    const read = run.read(COMPONENT, response);
    if ('errors' in read) return refused(run, read.errors);
    const pending = run.pendingUser();
    if (!pending) return { denied: true };
    const user = authenticate(run.models, pending.username, String(read.value['password']), run.stage?.['backends']);
    if (!user) return refused(run, fieldError('password', 'Invalid password'));
    run.plan.context.pending_user = user;
    // authentik/core/auth.py `set_method`: how the user authenticated (the `amr` of tokens issued later).
    run.plan.context.auth_method = user.backend === TOKEN_BACKEND ? 'token' : 'password';
    run.plan.context.auth_method_args = {};
    return { ok: true };
  },
};
