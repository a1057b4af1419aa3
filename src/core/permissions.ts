import { pkOf, type EntityType } from '../contract/entity-model.js';
import type { WorldRecord } from '../contract/entity-model.js';
import type { Principal, World } from '../world/world.js';
import type { Visibility } from './list-query.js';
import type { OperationSpec } from '../contract/types.js';
import { guardOf } from '../contract/authentik-models.js';
import { forbidden } from './http.js';

/**
 * The user a record belongs to: a user record belongs to itself; other records through their owner field.
 * undefined when the model has no owner.
 */
export function ownerOf(world: World, entity: EntityType, record: WorldRecord): unknown {
  if (entity === world.userEntity) return pkOf(entity, record);
  const field = world.profile(entity).ownerField;
  return field ? record[field] : undefined;
}

/**
 * What a user sees, as authentik's filters decide for a user who holds no permissions: superusers everything; others
 * their own records where the model has an owner (tokens, consents, sessions, devices, themselves), nothing elsewhere
 * (ObjectFilter: no object permissions, an empty queryset). What is not seen is not found: 404, not 403.
 */
export function canSee(world: World, principal: Principal, entity: EntityType, record: WorldRecord): boolean {
  if (principal.superuser) return true;
  const owner = ownerOf(world, entity, record);
  return owner !== undefined && String(owner) === String(principal.userPk);
}

/** Every record is seen (a superuser's `canSee`; a list by access, where policies decide): one object for all lists. */
export const SEES_ALL: Visibility = Object.freeze({ sees: () => true });

/**
 * `canSee` for a whole list: the predicate, and where it narrows the records to one owner's, the field an index finds
 * them by (the user's own record; the records whose owner field is the user; none for a model without an owner).
 */
export function visibilityFor(world: World, principal: Principal, entity: EntityType): Visibility {
  if (principal.superuser) return SEES_ALL;
  const sees = (record: WorldRecord) => canSee(world, principal, entity, record);
  const field = entity === world.userEntity ? entity.pkField : (world.profile(entity).ownerField ?? entity.pkField);
  return { sees, only: { field, value: principal.userPk } };
}

/**
 * Whether the caller may change a record (or, without one, create): superusers always; others only records of an
 * owned model that are theirs (OwnerPermissions), and they create such records as themselves. A user may not change
 * their own user record without a permission. Nobody changes a locked record (a demo's printed tokens).
 */
export function canWrite(world: World, principal: Principal, entity: EntityType | undefined, record?: WorldRecord): boolean {
  if (entity && record && world.isLocked(entity, record)) return false;
  if (principal.superuser) return true;
  if (!entity || !world.profile(entity).ownerField) return false;
  return record === undefined || String(ownerOf(world, entity, record)) === String(principal.userPk);
}

/**
 * Refuses a view authentik guards with a global permission (authentik-models.json `guardedViews`: HasPermission,
 * permission_required(None, …), IsAdminUser) to everyone but a superuser, who holds every permission: the mock's
 * world grants no other user a permission (authentik/rbac/permissions.py, HasPermission → `user.has_perms`).
 */
export function checkGuard(principal: Principal, operation: OperationSpec): void {
  if (!principal.superuser && guardOf(operation.method, operation.path)) throw forbidden();
}
