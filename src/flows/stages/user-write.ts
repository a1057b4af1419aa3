/**
 * The user write stage (authentik/stages/user_write/stage.py `UserWriteStageView`): the plan's `prompt_data` written to
 * the pending user — created first when there is none and `user_creation_mode` allows it. `password` sets the
 * password (the user's other sessions end, as Django's session hash check ends them; this one stays, as
 * `update_session_auth_hash` keeps it); `attributes.<key>` fields go to the attributes; other fields the user model
 * has are set; the rest is ignored. A created user is not put in `create_users_group` (not kept by the mock).
 */
import type { Pk, WorldRecord } from '../../contract/entity-model.js';
import { pendingFromRecord } from '../executor.js';
import type { StageHandler } from '../stage.js';

/** Fields the stage never writes from a prompt (authentik's `disallowed_user_attributes`). */
const NOT_WRITTEN = new Set(['pk', 'id', 'uuid', 'uid', 'is_superuser', 'groups', 'password', 'last_login', 'avatar', 'type']);

export const userWriteStage: StageHandler = {
  get(run) {
    const users = run.world.userEntity;
    if (!users) return { denied: true };
    const data = run.plan.context.prompt_data ?? {};
    const mode = run.stage?.['user_creation_mode'];
    let user = run.pendingRecord();
    if (!user || mode === 'always_create') {
      if (mode === 'never_create') return { denied: true, message: "No user found and can't create new user." };
      if (typeof data['username'] !== 'string' || data['username'] === '') return { denied: true, message: 'No username given.' };
      user = run.world.create(users.name, {
        username: data['username'],
        name: typeof data['name'] === 'string' ? data['name'] : '',
        is_active: run.stage?.['create_users_as_inactive'] !== true,
        attributes: {},
      });
    }
    const shown = run.world.profile(users).fields;
    const next: WorldRecord = { ...user };
    const attributes = { ...((user['attributes'] as Record<string, unknown> | null) ?? {}) };
    for (const [key, value] of Object.entries(data)) {
      if (key.startsWith('attributes.')) attributes[key.slice('attributes.'.length)] = value;
      else if (Object.hasOwn(shown, key) && !NOT_WRITTEN.has(key)) next[key] = value;
    }
    if ('attributes' in next) next['attributes'] = attributes;
    run.world.save(users.name, next);
    const pk = next[users.pkField] as Pk;
    if (typeof data['password'] === 'string') {
      run.world.identities.setPassword(pk, data['password']);
      run.sessions.endOthers(pk, run.session);
    }
    run.plan.context.pending_user = {
      ...pendingFromRecord(run.models, next),
      ...(run.plan.context.pending_user?.backend ? { backend: run.plan.context.pending_user.backend } : {}),
    };
    return { ok: true };
  },
};
