import type { JsonSchema, OperationSpec } from '../contract/types.js';
import { isPlainObject, requiredOf } from '../contract/types.js';
import { pkOf, properties } from '../contract/entity-model.js';
import type { Principal, World } from '../world/world.js';
import type { WorldRecord } from '../contract/entity-model.js';
import { memberGroups } from './policy-access.js';

/** `GET /core/users/me/`: an action named `me` on the users' collection answers about the caller. */
export function isCallerPath(world: World, operation: OperationSpec): boolean {
  const users = world.userEntity;
  return !!users && operation.method === 'GET' && world.resources.some((r) => r.entity === users.name && operation.path === `${r.path}me/`);
}

/**
 * The answer about the caller (authentik/core/api/users.py, `UserViewSet.user_me` and `UserSelfSerializer`): each
 * object in it that shows a user (it has the user entity's key and `username`) is the caller's record seen through
 * that schema; what the record does not hold is computed as authentik computes it (`groups`, `settings`,
 * `system_permissions`), and anything else keeps the generated value. The impersonator (`original`) is not there:
 * nobody impersonates through an API token.
 */
export function callerAnswer(world: World, principal: Principal, schema: JsonSchema, generated: unknown): unknown {
  const users = world.userEntity!;
  const caller = principal.userPk === undefined ? undefined : world.table(users.name).get(principal.userPk);
  if (!caller || !isPlainObject(generated)) return generated;
  const resolved = world.contract.resolve(schema);
  if (showsUser(world, resolved)) return { ...generated, ...asCaller(world, caller, resolved) };
  const required = requiredOf(resolved);
  for (const [field, fieldSchema] of Object.entries(properties(resolved))) {
    const view = world.contract.resolve(fieldSchema);
    if (!showsUser(world, view)) continue;
    if (!required.has(field)) delete generated[field];
    else generated[field] = { ...(isPlainObject(generated[field]) ? generated[field] : {}), ...asCaller(world, caller, view) };
  }
  return generated;
}

/** The caller's record through a schema that shows a user: its own fields, then the ones authentik computes. */
function asCaller(world: World, caller: WorldRecord, view: JsonSchema): Record<string, unknown> {
  const users = world.userEntity!;
  const shown = world.renderer.render(users.name, caller, view);
  const fields = properties(view);
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(shown)) if (world.contract.check(fields[field]!, value).length === 0) values[field] = value;
  const groups = memberGroups(world, caller).sort((a, b) => String(a['name']).localeCompare(String(b['name'])));
  const computed: Record<string, unknown> = {
    // `all_groups().order_by("name")`: the user's groups and the groups above them.
    groups: groups.map((group) => groupAs(world, group, fields['groups'])),
    // The mock's world assigns no system permission to anyone (a superuser needs none: they hold every one).
    system_permissions: [],
    // `group_attributes()["settings"]`: the groups' `attributes.settings` by name, then the user's own, merged (the
    // brand's come first in authentik: a request's brand is for the brand feature to say, and none sets any).
    settings: Object.assign({}, ...[...groups, caller].map(settingsOf)) as Record<string, unknown>,
  };
  for (const [field, value] of Object.entries(computed))
    if (field in fields && world.contract.check(fields[field]!, value).length === 0) values[field] = value;
  return values;
}

/** A group as an item of the answer's `groups` (`{name, pk}` in UserSelf): the fields the item schema names. */
function groupAs(world: World, group: WorldRecord, groupsSchema: JsonSchema | undefined): Record<string, unknown> {
  const items = groupsSchema ? world.contract.resolve(groupsSchema).items : undefined;
  const itemFields = items ? properties(world.contract.resolve(items)) : {};
  const groupEntity = world.entity(world.userEntity!.references.get('groups')!.target);
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(itemFields)) {
    const value = field === 'pk' ? pkOf(groupEntity, group) : group[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

function settingsOf(record: WorldRecord): Record<string, unknown> {
  const attributes = record['attributes'];
  const settings = isPlainObject(attributes) ? attributes['settings'] : undefined;
  return isPlainObject(settings) ? settings : {};
}

function showsUser(world: World, schema: JsonSchema): boolean {
  const fields = properties(schema);
  return world.userEntity!.pkField in fields && 'username' in fields;
}
