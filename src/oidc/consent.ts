import type { WorldRecord } from '../contract/entity-model.js';
import type { AuthorizeParams } from './authorize-params.js';
import type { OidcModel } from './model.js';
import { durationMs } from '../contract/durations.js';
import { unexpiredConsent } from '../flows/stages/consent.js';

/** A permission the consent stage shows: a granted scope and its mapping's description (`PermissionDict`). */
export interface ConsentPermission {
  id: string;
  name: string;
}

/** What the authorization flow asks of a logged-in user before the code is issued. */
export interface ConsentPlan {
  /** The provider's authorization flow (undefined when the provider names no flow the world holds). */
  flow: WorldRecord | undefined;
  /** Whether the flow's page must be shown: consent to give, or a stage the mock does not run itself. */
  pageNeeded: boolean;
  /** The flow's consent stages that remember a consent (`permanent`, `expiring`). */
  consentStages: WorldRecord[];
  /** The permissions the consent is for (`get_scope_descriptions`). */
  permissions: ConsentPermission[];
  /** The consent stage's header (`PLAN_CONTEXT_CONSENT_HEADER`). */
  header: string;
}

/**
 * The authorization flow as authentik plans it (AuthorizationFlowInitView.get, ConsentStageView.get): a consent
 * stage bound to the flow asks for consent unless its mode remembers one the user gave for exactly these
 * permissions and it has not expired; `prompt=consent` (and `offline_access`, which adds it) adds a consent stage
 * that always asks when the flow has none; any other stage is shown by the flow's page.
 */
export function consentPlan(
  model: OidcModel,
  params: AuthorizeParams,
  user: WorldRecord,
  application: WorldRecord,
  now: number,
): ConsentPlan {
  const flow = model.flow(params.provider['authorization_flow']);
  const stages = flow ? model.boundStages(flow) : [];
  const permissions = consentPermissions(model, params);
  const consents = stages.flatMap((s) => (s.kind === 'consent' ? [s.stage] : []));
  const remembered = consents.filter((s) => s['mode'] === 'permanent' || s['mode'] === 'expiring');
  const given = givenConsent(model, user, application, now);
  const satisfied = (stage: WorldRecord) =>
    stage['mode'] !== 'always_require' && given !== undefined && samePermissions(given, permissions);
  const pageNeeded =
    stages.some((s) => s.kind === 'other') ||
    consents.some((s) => !satisfied(s)) ||
    (params.prompt.has('consent') && consents.length === 0);
  return { flow, pageNeeded, consentStages: remembered, permissions, header: `You're about to sign into ${String(application['name'])}.` };
}

/** `UserInfoView.get_scope_descriptions`: the granted scopes' mappings, by scope name. */
export function consentPermissions(model: OidcModel, params: AuthorizeParams): ConsentPermission[] {
  const granted = new Set(params.scope);
  return model
    .scopeMappings(params.provider)
    .filter((m) => granted.has(String(m['scope_name'])))
    .map((m) => ({ id: String(m['scope_name']), name: String(m['description'] ?? '') }));
}

/**
 * What the consent stage stores when the user consents (ConsentStageView.challenge_valid): the user's consent to
 * the application for these permissions — kept for good (`permanent`) or for the stage's `consent_expire_in`
 * (`expiring`); an `always_require` stage stores none. The flow executor's consent stage may call this.
 */
export function recordConsent(
  model: OidcModel,
  stage: WorldRecord,
  user: WorldRecord,
  application: WorldRecord,
  permissions: readonly ConsentPermission[],
  now = Date.now(),
): void {
  const entity = model.entityName('consents');
  if (!entity || (stage['mode'] !== 'permanent' && stage['mode'] !== 'expiring')) return;
  const expiring = stage['mode'] === 'expiring';
  const values: WorldRecord = {
    permissions: permissions.map((p) => p.id).join(' '),
    expiring,
    expires: expiring ? new Date(now + durationMs(stage['consent_expire_in'])).toISOString() : null,
  };
  const existing = givenConsent(model, user, application, now);
  if (existing) return model.world.save(entity, { ...existing, ...values });
  if (model.world.budgetProblem(entity, values, true)) return;
  model.world.create(entity, { ...values, user: model.pkOf('users', user), application: model.pkOf('applications', application) });
}

function givenConsent(model: OidcModel, user: WorldRecord, application: WorldRecord, now: number): WorldRecord | undefined {
  const consents = model.table('consents')?.all() ?? [];
  return unexpiredConsent(consents, model.pkOf('users', user), model.pkOf('applications', application), now);
}

function samePermissions(consent: WorldRecord, permissions: readonly ConsentPermission[]): boolean {
  const given = new Set(
    typeof consent['permissions'] === 'string' && consent['permissions'] !== '' ? consent['permissions'].split(' ') : [],
  );
  const asked = new Set(permissions.map((p) => p.id));
  return given.size === asked.size && [...asked].every((id) => given.has(id));
}
