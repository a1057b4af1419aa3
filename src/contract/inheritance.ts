import { properties, type EntityModel, type EntityType } from './entity-model.js';

/** What families are read from: each resource's collection path, entity, and item path parameter. */
interface ServedEntity {
  path: string;
  entity: string;
  lookupParam?: string | undefined;
}

/** The path of a base resource that lists every subtype: `/providers/all/`, `/stages/all/`. */
const BASE_SEGMENT = 'all/';

/**
 * Model inheritance, derived from the contract (authentik's polymorphic models: OAuth2Provider is a Provider). A
 * resource at `P/all/` lists the base entity; an entity served under `P/` (and under no deeper `P…/all/`) is a
 * subtype when its records are keyed as the base's: the same key field and kind, and the same item path parameter
 * where the base has item paths (`/providers/all/{id}/`, `/providers/oauth2/{id}/`) — or when one schema holds every
 * field of the other. Records of an invitation (`/stages/invitation/invitations/{invite_uuid}/`) are not stages; an
 * OAuth2 provider's are providers; a TOTP device's are devices (it shows fewer fields than the Device every
 * authenticator list shows: the others are the model's, kept on the record). Sets `base` on each subtype and lists
 * the subtypes on the base.
 */
export function linkFamilies(model: EntityModel, resources: readonly ServedEntity[]): void {
  const bases = resources.filter((r) => r.path.endsWith(`/${BASE_SEGMENT}`) && r.entity);
  for (const resource of resources) {
    const entity = model.entities.get(resource.entity);
    const base = entity && closestBase(resource.path, bases);
    const baseEntity = base && model.entities.get(base.entity);
    if (!entity || !baseEntity || baseEntity === entity || entity.base !== undefined) continue;
    if (!sameKey(entity, baseEntity) || !(keyedAlike(resource, base) || nested(entity, baseEntity))) continue;
    entity.base = baseEntity.name;
    baseEntity.subtypes.push(entity.name);
  }
  for (const entity of model.entities.values()) entity.subtypes.sort();
}

/** The base resource `P/all/` nearest above the path (the longest `P`), if any. */
function closestBase(path: string, bases: readonly ServedEntity[]): ServedEntity | undefined {
  let found: ServedEntity | undefined;
  for (const base of bases) {
    const prefix = base.path.slice(0, -BASE_SEGMENT.length);
    if (base.path !== path && path.startsWith(prefix) && (!found || base.path.length > found.path.length)) found = base;
  }
  return found;
}

/** Items addressed by the same path parameter, or a base without item paths (a plain list of every kind). */
function keyedAlike(resource: ServedEntity, base: ServedEntity): boolean {
  return base.lookupParam === undefined || resource.lookupParam === base.lookupParam;
}

function sameKey(a: EntityType, b: EntityType): boolean {
  return a.pk === b.pk && a.pkField === b.pkField;
}

/** One schema holds every field of the other. */
function nested(a: EntityType, b: EntityType): boolean {
  const fieldsA = properties(a.schema);
  const fieldsB = properties(b.schema);
  return Object.keys(fieldsB).every((f) => f in fieldsA) || Object.keys(fieldsA).every((f) => f in fieldsB);
}

/** The entity and the bases above it, most specific first. */
export function lineage(model: EntityModel, entity: EntityType): EntityType[] {
  const chain = [entity];
  for (let base = entity.base; base !== undefined && chain.length < 8; base = model.entities.get(base)?.base)
    chain.push(model.entities.get(base)!);
  return chain;
}
