/**
 * The identification stage (authentik/stages/identification/stage.py `IdentificationStageView`,
 * `IdentificationChallengeResponse.validate`; models.py). The user is found by any of `user_fields` (`email`,
 * `username`, `upn` — case-insensitively when `case_insensitive_matching`; inactive users too). A name no user has
 * continues as a made-up pending user when `pretend_user_exists` and the stage has no password stage of its own (the
 * password stage refuses it later), else "Failed to authenticate."; with a password stage, the password is checked here.
 */
import type { WorldRecord } from '../../contract/entity-model.js';
import { fieldError } from '../challenges.js';
import { pendingFromRecord } from '../executor.js';
import { MODEL } from '../models.js';
import type { PendingUser } from '../stage.js';
import type { StageHandler, StageRun } from '../stage.js';
import { authenticate } from './password.js';
import { flowInterfaceUrl } from './urls.js';

const COMPONENT = 'ak-stage-identification';
const FAILED = 'Failed to authenticate.';

/** What each `user_fields` entry matches on a user (`upn` is an attribute). */
function fieldValue(user: WorldRecord, field: string): unknown {
  if (field === 'upn') {
    const attributes = user['attributes'];
    return attributes !== null && typeof attributes === 'object' ? (attributes as Record<string, unknown>)['upn'] : undefined;
  }
  return user[field];
}

function findUser(run: StageRun, uid: string): WorldRecord | undefined {
  const users = run.world.userEntity;
  if (!users) return undefined;
  const fields = Array.isArray(run.stage?.['user_fields']) ? (run.stage['user_fields'] as string[]) : [];
  const insensitive = run.stage?.['case_insensitive_matching'] !== false;
  const same = (value: unknown) => typeof value === 'string' && (insensitive ? value.toLowerCase() === uid.toLowerCase() : value === uid);
  return run.world
    .table(users.name)
    .all()
    .find((user) => fields.some((field) => same(fieldValue(user, field))));
}

function challengeFields(run: StageRun): Record<string, unknown> {
  const stage = run.stage ?? {};
  const passwordStage = run.models.stage(stage['password_stage']);
  const flowUrl = (field: string) => {
    const flow = run.models.get(MODEL.flow, stage[field]);
    return flow ? flowInterfaceUrl(run, String(flow['slug'])) : undefined;
  };
  const application = run.models.get(MODEL.application, run.plan.context.application);
  return {
    user_fields: Array.isArray(stage['user_fields']) ? stage['user_fields'] : null,
    password_fields: passwordStage !== undefined,
    allow_show_password: passwordStage?.['allow_show_password'] === true,
    application_pre: application ? String(application['name'] ?? '') : undefined,
    flow_designation: run.flow['designation'],
    enroll_url: flowUrl('enrollment_flow'),
    recovery_url: flowUrl('recovery_flow'),
    passwordless_url: flowUrl('passwordless_flow'),
    primary_action: run.flow['designation'] === 'authentication' ? 'Log in' : 'Continue',
    sources: loginSources(run, stage['sources']),
    show_source_labels: stage['show_source_labels'] === true,
  };
}

/** The stage's enabled sources with a login button (`ui_login_button`), by name; OAuth and SAML sources redirect. */
function loginSources(run: StageRun, pks: unknown): unknown[] {
  const sources = (Array.isArray(pks) ? pks : [])
    .map((pk) => run.models.get('authentik_core.source', pk))
    .filter((s): s is WorldRecord => !!s && s['enabled'] !== false)
    .sort((a, b) => String(a['name']).localeCompare(String(b['name'])));
  return sources.flatMap((source) => {
    const model = String(source['meta_model_name'] ?? '');
    const path = model.endsWith('oauthsource')
      ? `/source/oauth/login/${String(source['slug'])}/`
      : model.endsWith('samlsource')
        ? `/source/saml/${String(source['slug'])}/`
        : undefined;
    return path
      ? [{ name: source['name'], icon_url: source['icon'] ?? null, challenge: { component: 'xak-flow-redirect', to: path } }]
      : [];
  });
}

export const identificationStage: StageHandler = {
  get: (run) => run.challenge(COMPONENT, challengeFields(run)),
  post(run, response) {
    const read = run.read(COMPONENT, response);
    if ('errors' in read) return run.challenge(COMPONENT, challengeFields(run), read.errors);
    const uid = String(read.value['uid_field']);
    const stage = run.stage ?? {};
    const passwordStage = run.models.stage(stage['password_stage']);
    const found = findUser(run, uid);
    const refuse = () => run.challenge(COMPONENT, challengeFields(run), fieldError('non_field_errors', FAILED));
    let pending: PendingUser = found ? pendingFromRecord(run.models, found) : { username: uid, email: uid };
    if (!found && !(stage['pretend_user_exists'] !== false && !passwordStage)) return refuse();
    if (found && passwordStage) {
      const password = typeof read.value['password'] === 'string' ? read.value['password'] : '';
      const user = authenticate(run.models, pending.username, password, passwordStage['backends']);
      if (!user) return refuse();
      pending = user;
    }
    run.plan.context.pending_user = pending;
    if (stage['show_matched_user'] === false) run.plan.context.pending_user_identifier = uid;
    return { ok: true };
  },
};
