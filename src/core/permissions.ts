import { pkOf, type EntityType } from '../contract/entity-model.js';
import type { WorldRecord } from '../contract/entity-model.js';
import type { Principal, World } from '../world/world.js';
import type { Visibility } from './list-query.js';

/** Fields through which a record belongs to a user (authentik's OwnerFilter uses `user`). */
export const OWNER_FIELDS = ['user', 'owner'];

/** Owner fields by entity: asked for every record a list shows, fixed per entity. */
const ownerFields = new WeakMap<EntityType, string | null>();

/** The field that names a record's owning user, when the model has one. */
export function ownerField(world: World, entity: EntityType): string | undefined {
  let field = ownerFields.get(entity);
  if (field === undefined) ownerFields.set(entity, (field = findOwnerField(world, entity) ?? null));
  return field ?? undefined;
}

function findOwnerField(world: World, entity: EntityType): string | undefined {
  const users = world.userEntity;
  if (!users || entity === users) return undefined;
  return OWNER_FIELDS.find((field) => {
    const link = entity.references.get(field) ?? entity.embeds.get(field);
    return link !== undefined && link.target === users.name && !link.many;
  });
}

/**
 * The user a record belongs to: a user record belongs to itself; other records through their owner field.
 * undefined when the model has no owner.
 */
export function ownerOf(world: World, entity: EntityType, record: WorldRecord): unknown {
  if (entity === world.userEntity) return pkOf(entity, record);
  const field = ownerField(world, entity);
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

/**
 * `canSee` for a whole list: the predicate, and where it narrows the records to one owner's, the field an index finds
 * them by (the user's own record; the records whose owner field is the user; none for a model without an owner).
 */
export function visibilityFor(world: World, principal: Principal, entity: EntityType): Visibility {
  const sees = (record: WorldRecord) => canSee(world, principal, entity, record);
  if (principal.superuser) return { sees };
  const field = entity === world.userEntity ? entity.pkField : (ownerField(world, entity) ?? entity.pkField);
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
  if (!entity || !ownerField(world, entity)) return false;
  return record === undefined || String(ownerOf(world, entity, record)) === String(principal.userPk);
}
