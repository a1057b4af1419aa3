/**
 * Logging in and out. User login (authentik/stages/user_login/stage.py): the pending user is logged in during the
 * GET — unless `remember_me_offset` is set, when `ak-stage-user-login` asks "remember me?" first; no pending user or
 * an inactive one is denied ("Unknown error"); the session lasts `session_duration` (+ the offset when remembered;
 * 0: until the browser closes); `terminate_other_sessions` ends the user's other sessions. User logout
 * (authentik/stages/user_logout/stage.py): the session is logged out and flushed, and the flow goes on.
 */
import type { Pk } from '../../contract/entity-model.js';
import { durationMs } from '../../contract/durations.js';
import { MODEL } from '../models.js';
import type { StageHandler, StageOutcome, StageRun } from '../stage.js';

const LOGIN = 'ak-stage-user-login';

function logIn(run: StageRun, remember: boolean): StageOutcome {
  const user = run.pendingRecord();
  const users = run.world.userEntity;
  if (!user || !users || user['is_active'] === false) return { denied: true };
  const stage = run.stage ?? {};
  const duration = durationMs(stage['session_duration']) + (remember ? durationMs(stage['remember_me_offset']) : 0);
  // A login past the world's record budget would not be kept: said, rather than a session that does not stick.
  const sessions = run.models.entity(MODEL.session);
  const problem = sessions && run.world.budgetProblem(sessions.name, {}, true);
  if (problem) return { denied: true, message: problem };
  const userPk = user[users.pkField] as Pk;
  run.login(userPk, duration);
  if (stage['terminate_other_sessions'] === true) run.sessions.endOthers(userPk, run.session);
  return { ok: true };
}

export const userLoginStage: StageHandler = {
  get: (run) => (durationMs(run.stage?.['remember_me_offset']) > 0 ? run.challenge(LOGIN) : logIn(run, false)),
  post(run, response) {
    if (durationMs(run.stage?.['remember_me_offset']) <= 0) return logIn(run, false);
    const read = run.read(LOGIN, response);
    if ('errors' in read) return run.challenge(LOGIN, {}, read.errors);
    return logIn(run, read.value['remember_me'] === true);
  },
};

export const userLogoutStage: StageHandler = {
  get(run) {
    run.logout();
    return { ok: true };
  },
};
