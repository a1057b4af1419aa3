import type { JsonSchema, OperationSpec } from '../contract/types.js';
import { isPlainObject, requiredOf } from '../contract/types.js';
import { properties } from '../contract/entity-model.js';
import type { Principal, World } from '../world/world.js';

/** `GET /core/users/me/`: an action named `me` on the users' collection answers about the caller. */
export function isCallerPath(world: World, operation: OperationSpec): boolean {
  const users = world.userEntity;
  return !!users && operation.method === 'GET' && world.resources.some((r) => r.entity === users.name && operation.path === `${r.path}me/`);
}

/**
 * The generated answer with the caller's own values put in: the answer, or each required object in it, that shows a
 * user (it has the user entity's key and `username`) gets the caller's fields wherever they fit the answer's schema.
 */
export function callerAnswer(world: World, principal: Principal, schema: JsonSchema, generated: unknown): unknown {
  const users = world.userEntity!;
  const caller = world.table(users.name).get(principal.userPk);
  if (!caller || !isPlainObject(generated)) return generated;
  const resolved = world.contract.resolve(schema);
  const shown = world.renderer.render(users.name, caller);
  const fill = (view: JsonSchema, value: Record<string, unknown>) => {
    for (const [field, fieldSchema] of Object.entries(properties(view))) {
      if (field in shown && world.contract.check(fieldSchema, shown[field]).length === 0) value[field] = shown[field];
    }
  };
  if (showsUser(world, resolved)) fill(resolved, generated);
  const required = requiredOf(resolved);
  for (const [field, fieldSchema] of Object.entries(properties(resolved))) {
    const view = world.contract.resolve(fieldSchema);
    if (!showsUser(world, view)) continue;
    // The caller is one user: an optional second one (the impersonator of `original`) is not there.
    if (!required.has(field)) delete generated[field];
    else if (isPlainObject(generated[field])) fill(view, generated[field]);
  }
  return generated;
}

function showsUser(world: World, schema: JsonSchema): boolean {
  const fields = properties(schema);
  return world.userEntity!.pkField in fields && 'username' in fields;
}
