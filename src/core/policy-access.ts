/**
 * Access as authentik's policy engine decides it (authentik/policies/engine.py, PolicyEngine; authentik/policies/
 * models.py, PolicyBinding.passes): the bindings whose target is a record — group and user bindings, and bindings of
 * policies — evaluated for a user. Which binding model is the policies' is derived from the contract: the binding
 * model (derived-fields.ts) that links to the users.
 */
import { isPlainObject, type OperationSpec } from '../contract/types.js';
import type { BindingModel } from '../contract/derived-fields.js';
import { pkOf, type EntityType, type Pk, type WorldRecord } from '../contract/entity-model.js';
import type { RawQuery } from '../contract/query-parameters.js';
import type { World } from '../world/world.js';

/**
 * The query parameter by which a superuser asks for every record instead of those they may access: a list that
 * documents it filters by access (authentik/core/api/applications.py, ApplicationViewSet.list).
 */
const FULL_LIST = 'superuser_full_list';

/** Whether the list answers by policy access (it documents `superuser_full_list`). */
export function listsByAccess(operation: OperationSpec): boolean {
  return operation.parameters.some((p) => p.in === 'query' && p.name === FULL_LIST);
}

/** Whether the caller asked for (and may have) the full list: DRF reads `str(value).lower() == "true"`. */
export function fullListAsked(query: RawQuery, superuser: boolean): boolean {
  return superuser && (query[FULL_LIST]?.at(-1) ?? '').toLowerCase() === 'true';
}

/** A binding model's links as the policy engine reads them. */
interface PolicyBindings {
  model: BindingModel;
  user?: string;
  group?: string;
  policy?: string;
}

/** The binding model that binds users (and groups and policies) to targets: authentik's PolicyBinding. */
function policyBindings(world: World): PolicyBindings | undefined {
  const users = world.userEntity;
  if (!users) return undefined;
  const groupEntity = users.references.get('groups')?.target;
  const model = world.renderer.derived.bindings().find((b) => b.links.some((l) => l.target === users.name));
  if (!model) return undefined;
  const bindings: PolicyBindings = { model };
  for (const link of model.links) {
    if (link.target === users.name) bindings.user = link.field;
    else if (link.target === groupEntity) bindings.group = link.field;
    else bindings.policy = link.field;
  }
  return bindings;
}

/**
 * The groups a user is a member of for a group binding: their groups and every group above them through `parent`
 * (authentik's `User.all_groups()`).
 */
export function memberGroups(world: World, user: WorldRecord): WorldRecord[] {
  const users = world.userEntity;
  const groupEntity = users?.references.get('groups')?.target;
  if (!users || !groupEntity) return [];
  const groups = world.table(groupEntity);
  const parent = groups.entity.references.get('parent');
  const found = new Map<string, WorldRecord>();
  const pending = [...((world.renderer.value(users.name, user, 'groups') as Pk[] | undefined) ?? [])];
  while (pending.length > 0 && found.size < 10_000) {
    const key = String(pending.pop());
    const group = found.has(key) ? undefined : groups.get(key);
    if (!group) continue;
    found.set(key, group);
    if (parent?.target === groupEntity && group[parent.field] != null) pending.push(group[parent.field] as Pk);
  }
  return [...found.values()];
}

/**
 * Whether `user` passes the policies bound to a record of `entity` (PolicyEngine.build().passing), as a predicate
 * made once per request (the user's groups and the bindings by target are read once):
 * - no enabled binding: passes (`empty_result = True`);
 * - group and user bindings together are one result: any that matches (`negate` inverts each) passes it;
 * - a binding of a policy is a result of its own. The mock runs no policy code: a policy with a boolean `result`
 *   (authentik's dummy policy) answers that, every other policy passes — so only group and user bindings keep
 *   anyone out, and a `negate`d policy binding always does;
 * - the record's `policy_engine_mode` combines the results: `all` needs every one, `any` (the default) one.
 */
export function policyAccess(world: World, entity: EntityType, user: WorldRecord | undefined): (record: WorldRecord) => boolean {
  const bindings = policyBindings(world);
  if (!bindings) return () => true;
  const groups = new Set(user ? memberGroups(world, user).map(groupKey(world)) : []);
  const userPk = user && world.userEntity ? String(pkOf(world.userEntity, user)) : undefined;
  const matches = (b: WorldRecord) =>
    hasLink(b, bindings.group) ? groups.has(String(b[bindings.group!])) : String(b[bindings.user!]) === userPk;
  return (record) => {
    const bound = world.renderer.boundTo(bindings.model, entity.name, record).filter((b) => b['enabled'] !== false);
    if (bound.length === 0) return true;
    const negated = (binding: WorldRecord, result: boolean) => (binding['negate'] === true ? !result : result);
    const isStatic = (b: WorldRecord) => !hasLink(b, bindings.policy) && (hasLink(b, bindings.group) || hasLink(b, bindings.user));
    const statics = bound.filter(isStatic);
    const results = statics.length > 0 ? [statics.some((b) => negated(b, matches(b)))] : [];
    for (const binding of bound.filter((b) => !isStatic(b))) results.push(negated(binding, policyResult(world, bindings, binding)));
    return record['policy_engine_mode'] === 'all' ? results.every(Boolean) : results.some(Boolean);
  };
}

/** A group record's pk as text. */
function groupKey(world: World): (group: WorldRecord) => string {
  const groups = world.entity(world.userEntity!.references.get('groups')!.target);
  return (group) => String(pkOf(groups, group));
}

function hasLink(binding: WorldRecord, field: string | undefined): boolean {
  return field !== undefined && binding[field] !== null && binding[field] !== undefined;
}

/** A policy binding's own result: a policy's boolean `result` if it has one, else passing; no policy at all fails. */
function policyResult(world: World, bindings: PolicyBindings, binding: WorldRecord): boolean {
  if (!hasLink(binding, bindings.policy)) return false;
  const link = bindings.model.links.find((l) => l.field === bindings.policy)!;
  // A base table holds its subtypes' records whole: a dummy policy's `result` is on the record the base finds.
  const policy = world.table(link.target).get(binding[bindings.policy!]);
  if (!isPlainObject(policy)) return false;
  return typeof policy['result'] === 'boolean' ? policy['result'] : true;
}
