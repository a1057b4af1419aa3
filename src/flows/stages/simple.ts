/**
 * Stages that decide at once. Deny (authentik/stages/deny/stage.py): the flow is denied with the plan's
 * `deny_message`, else the stage's, else "Unknown error". Dummy (authentik/stages/dummy/stage.py): a challenge any
 * answer passes (`throw_error` fails the stage, as authentik raises then). Redirect: 2024.8 has no redirect stage model
 * (it came in 2024.12), only the executor's in-memory `RedirectStage` (authentik/flows/stage.py), which
 * `redirectStage(to)` is: it answers `xak-flow-redirect` to its destination.
 */
import type { StageHandler } from '../stage.js';

export const denyStage: StageHandler = {
  get(run) {
    const message = run.plan.context['deny_message'] ?? run.stage?.['deny_message'];
    return { denied: true, ...(typeof message === 'string' && message !== '' ? { message } : {}) };
  },
};

export const dummyStage: StageHandler = {
  get(run) {
    if (run.stage?.['throw_error'] === true) throw new Error('Test error');
    return run.challenge('ak-stage-dummy', { name: run.stage?.['name'] });
  },
  post(run, response) {
    const read = run.read('ak-stage-dummy', response);
    return 'errors' in read ? run.challenge('ak-stage-dummy', { name: run.stage?.['name'] }, read.errors) : { ok: true };
  },
};

/** authentik's in-memory RedirectStage: the flow goes to `to` (any URL: authentik itself set it). */
export function redirectStage(to: string): StageHandler {
  return { get: () => ({ redirect: to }) };
}
