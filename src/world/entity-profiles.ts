/**
 * What the world needs to know of each entity again and again (every create, every list row), worked out once from
 * the contract when the world is built: no per-call lookups, no memo tables scattered over modules.
 */
import type { Contract } from '../contract/contract.js';
import type { DerivedFields } from '../contract/derived-fields.js';
import { properties, type EntityModel, type EntityType } from '../contract/entity-model.js';
import type { Resource } from '../contract/resources.js';
import { lineage } from '../contract/inheritance.js';
import type { JsonSchema } from '../contract/types.js';

export interface EntityProfile {
  readonly type: EntityType;
  /**
   * Fields that tell records apart: lookup fields of its resources (a key must find one record), and the fields
   * authentik's models declare unique whatever the model (`username`, `slug`).
   */
  readonly unique: readonly string[];
  /** Fields unique in pairs: a tree's `name` within its `parent` (authentik's Group has `unique_together` on them). */
  readonly uniqueTogether: readonly (readonly string[])[];
  /** Integer fields named `pk`/`…_pk` besides the primary key: counters a create hands out. */
  readonly counters: readonly string[];
  /** The field that names a record's owning user (authentik's OwnerFilter), when the model has one. */
  readonly ownerField: string | undefined;
  /** Every field a record shows: its own and its bases' (a subtype's record carries its base's fields). */
  readonly fields: Readonly<Record<string, JsonSchema>>;
}

/** Fields through which a record belongs to a user (authentik's OwnerFilter uses `user`). */
const OWNER_FIELDS = ['user', 'owner'];
const UNIQUE_BY_NAME = ['username', 'slug'];
const COUNTER_FIELD = /(^|_)pk$/;

interface ProfileSources {
  contract: Contract;
  model: EntityModel;
  resources: readonly Resource[];
  derived: DerivedFields;
  userEntity: EntityType | undefined;
}

export function buildProfiles(sources: ProfileSources): Map<string, EntityProfile> {
  const profiles = new Map<string, EntityProfile>();
  for (const type of sources.model.entities.values()) {
    profiles.set(type.name, {
      type,
      unique: uniqueFields(sources.resources, type),
      uniqueTogether: uniqueTogether(type),
      counters: counterFields(sources.contract, type),
      ownerField: ownerField(sources, type),
      fields: Object.assign(
        {},
        ...lineage(sources.model, type)
          .map((e) => properties(e.schema))
          .reverse(),
      ) as Record<string, JsonSchema>,
    });
  }
  return profiles;
}

function uniqueFields(resources: readonly Resource[], entity: EntityType): string[] {
  const set = new Set(resources.filter((r) => r.entity === entity.name).map((r) => r.lookupField));
  for (const field of UNIQUE_BY_NAME) if (field in properties(entity.schema)) set.add(field);
  return [...set];
}

function uniqueTogether(entity: EntityType): string[][] {
  const parent = entity.references.get('parent');
  return parent && parent.target === entity.name && 'name' in properties(entity.schema) ? [['name', 'parent']] : [];
}

function counterFields(contract: Contract, entity: EntityType): string[] {
  return Object.entries(properties(entity.schema))
    .filter(([field, schema]) => field !== entity.pkField && COUNTER_FIELD.test(field) && contract.resolve(schema).type === 'integer')
    .map(([field]) => field);
}

function ownerField({ userEntity, derived }: ProfileSources, entity: EntityType): string | undefined {
  if (!userEntity || entity === userEntity) return undefined;
  // A binding's `user` is who it binds to its target (authentik's PolicyBinding), not who owns it.
  if (derived.bindings().some((binding) => binding.entity === entity.name)) return undefined;
  return OWNER_FIELDS.find((field) => {
    const link = entity.references.get(field) ?? entity.embeds.get(field);
    return link !== undefined && link.target === userEntity.name && !link.many;
  });
}
