/**
 * The consent stage (authentik/stages/consent/stage.py `ConsentStageView`; models.py). With an application in the
 * plan and a mode other than `always_require`, an unexpired UserConsent for the user and application whose
 * permissions are the requested ones skips the stage; otherwise the user is asked (with the already granted
 * permissions in `permissions` and the new ones in `additional_permissions`). The answer must carry the token the
 * challenge gave (else the challenge is shown again); `permanent` and `expiring` modes then store the consent.
 */
import type { Pk, WorldRecord } from '../../contract/entity-model.js';
import { randomUuid } from '../ids.js';
import { durationMs } from '../../contract/durations.js';
import { isExpired } from '../../world/expiring.js';
import { MODEL } from '../models.js';
import type { StageHandler, StageOutcome, StageRun } from '../stage.js';

const COMPONENT = 'ak-stage-consent';
const TOKEN = 'authentik/stages/consent/token';
type Permission = { id: string; name: string };

function userPk(run: StageRun): Pk | undefined {
  return run.pendingUser()?.pk ?? run.principal.userPk;
}

/** The user's unexpired consent to the application (`UserConsent.filter_not_expired(user, application).first()`). */
export function unexpiredConsent(consents: readonly WorldRecord[], user: Pk, application: Pk, now = Date.now()): WorldRecord | undefined {
  return consents.find((c) => String(c['user']) === String(user) && String(c['application']) === String(application) && !isExpired(c, now));
}

function consentOf(run: StageRun, application: Pk, user: Pk): WorldRecord | undefined {
  return unexpiredConsent(run.models.records(MODEL.consent), user, application);
}

function ask(run: StageRun): StageOutcome {
  const token = randomUuid();
  run.session.set(TOKEN, token);
  const context = run.plan.context;
  return run.challenge(COMPONENT, {
    header_text: context.consent_header,
    permissions: context.consent_permissions ?? [],
    additional_permissions: (context['consent_additional_permissions'] as Permission[] | undefined) ?? [],
    token,
  });
}

export const consentStage: StageHandler = {
  get(run) {
    const application = run.plan.context.application;
    const user = userPk(run);
    // An in-memory consent stage (no record), `always_require`, or no application: always asked.
    if (!run.stage || run.stage['mode'] === 'always_require' || application === undefined || user === undefined) return ask(run);
    const consent = consentOf(run, application, user);
    if (!consent) return ask(run);
    const requested = run.plan.context.consent_permissions ?? [];
    const allowed = new Set(String(consent['permissions'] ?? '').split(' '));
    const wanted = new Set(requested.map((p) => p.id));
    if (allowed.size === wanted.size && [...wanted].every((id) => allowed.has(id))) return { ok: true };
    run.plan.context.consent_permissions = requested.filter((p) => allowed.has(p.id));
    run.plan.context['consent_additional_permissions'] = requested.filter((p) => !allowed.has(p.id));
    return ask(run);
  },
  post(run, response) {
    const read = run.read(COMPONENT, response);
    if ('errors' in read || read.value['token'] !== run.session.get(TOKEN)) return consentStage.get(run);
    const application = run.plan.context.application;
    const user = run.principal.userPk ?? userPk(run);
    const mode = run.stage?.['mode'];
    const entity = run.models.entity(MODEL.consent);
    if (!run.stage || application === undefined || user === undefined || !entity || (mode !== 'permanent' && mode !== 'expiring'))
      return { ok: true };
    const permissions = [
      ...(run.plan.context.consent_permissions ?? []),
      ...((run.plan.context['consent_additional_permissions'] as Permission[] | undefined) ?? []),
    ];
    const values = {
      user,
      application,
      permissions: permissions.map((p) => p.id).join(' '),
      expiring: mode === 'expiring',
      expires: mode === 'expiring' ? new Date(Date.now() + durationMs(run.stage['consent_expire_in'])).toISOString() : null,
    };
    const existing = consentOf(run, application, user);
    if (existing) run.world.save(entity.name, { ...existing, ...values });
    else run.world.create(entity.name, values);
    return { ok: true };
  },
};
