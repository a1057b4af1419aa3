import type { EntityType } from '../world/entity-model.js';
import type { WorldRecord } from '../world/store.js';
import type { Principal, World } from '../world/world.js';

const OWNER_FIELDS = ['user', 'owner'];

/**
 * The user a record belongs to: a user record belongs to itself; other records through a `user`/`owner` link to the
 * user entity. undefined when the model has no owner.
 */
export function ownerOf(world: World, entity: EntityType, record: WorldRecord): unknown {
  const users = world.userEntity;
  if (!users) return undefined;
  if (entity === users) return record['pk'];
  for (const field of OWNER_FIELDS) {
    const link = entity.references.get(field) ?? entity.embeds.get(field);
    if (link && link.target === users.name && !link.many) return record[field];
  }
  return undefined;
}

/** Superusers see everything; an ordinary user sees records of owned models only when they are theirs. */
export function canSee(world: World, principal: Principal, entity: EntityType, record: WorldRecord): boolean {
  if (principal.superuser) return true;
  const owner = ownerOf(world, entity, record);
  return owner === undefined || String(owner) === String(principal.userPk);
}

/** Writes are for superusers: an ordinary user has no object permissions in the seeded world. */
export function canWrite(principal: Principal): boolean {
  return principal.superuser;
}
