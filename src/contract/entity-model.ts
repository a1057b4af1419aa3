import type { Contract } from './contract.js';
import { isPlainObject, propertiesOf, refName, requiredOf, type JsonSchema } from './types.js';
import { pascalCase, singular, squash } from './naming.js';
/** A stored record of an entity: its fields as the API shows them, links as pks. */
export type WorldRecord = Record<string, unknown>;
/** A record's identity: an integer, a UUID or a slug. */
export type Pk = string | number;

export type PkKind = 'integer' | 'uuid' | 'string';

/** A field that points at records of another entity. */
export interface Link {
  field: string;
  target: string;
  many: boolean;
  nullable: boolean;
}

/** A field that holds the pk(s) of another entity's records. */
export interface Reference extends Link {
  /** Set when this side of a many-to-many is computed from the other side's field (stored once, shown on both). */
  inverseOf?: { entity: string; field: string };
}

/** A field that shows another entity's record (or records), through `schema` (a projection such as GroupMember of User). */
export interface Embed extends Link {
  schema: JsonSchema;
  /** The scalar field (`users` for `users_obj`) that says which records; absent when the embed stands alone. */
  via?: string;
}

/** A kind of record: one per component that has a `pk` (or per inline object with one), projections merged into it. */
export interface EntityType {
  name: string;
  schema: JsonSchema;
  /** The field that identifies a record: `pk` where the serializer has one, else the item path's key (`brand_uuid`). */
  pkField: string;
  pk: PkKind;
  references: Map<string, Reference>;
  embeds: Map<string, Embed>;
  /** The entity this one is a kind of (OAuth2Provider → Provider): its records are records of the base too. */
  base?: string;
  /** The entities that are kinds of this one (Provider → OAuth2Provider, ProxyProvider, …), by name. */
  subtypes: string[];
}

interface Unwrapped {
  schema: JsonSchema;
  many: boolean;
  nullable: boolean;
}

/**
 * Every entity type the contract implies and how they point at each other: derived from component names, field
 * names (`user`, `users`/`users_obj`, `parent`) and pk types only — no knowledge of particular endpoints.
 */
export class EntityModel {
  readonly entities = new Map<string, EntityType>();
  /** Field names seen embedding an entity anywhere (`provider` → OAuth2Provider): how a bare pk field finds its target. */
  private readonly fieldTargets = new Map<string, string>();

  constructor(private readonly contract: Contract) {}

  /**
   * The entity a record schema describes (registering it and everything it links to). `keyHint` is the item path's
   * key (`brand_uuid`): it identifies records whose serializer has no `pk` field.
   */
  entityFor(schema: JsonSchema, fieldHint = '', keyHint?: string): string | undefined {
    const unwrapped = this.unwrap(schema);
    const resolved = this.contract.resolve(unwrapped.schema);
    const known = refName(unwrapped.schema);
    if (known && this.entities.has(known)) return known;
    const identity = identityOf(resolved, keyHint);
    if (!identity) return undefined;
    const name = this.canonicalName(unwrapped.schema, resolved, fieldHint);
    if (!this.entities.has(name)) {
      const own = refName(unwrapped.schema) === name || !this.componentEntity(name);
      const entitySchema = own ? resolved : this.contract.resolve({ $ref: `#/components/schemas/${name}` });
      const { field, kind } = identityOf(entitySchema, keyHint) ?? identity;
      const entity: EntityType = {
        name,
        schema: entitySchema,
        pkField: field,
        pk: kind,
        references: new Map(),
        embeds: new Map(),
        subtypes: [],
      };
      this.entities.set(name, entity);
      this.collectEmbeds(entity);
    }
    return name;
  }

  /** A schema with its `$ref` resolved against the contract's components. */
  resolve(schema: JsonSchema): JsonSchema {
    return this.contract.resolve(schema);
  }

  /** After all record schemas are registered: bare pk fields are linked, and many-to-many pairs matched up. */
  link(): void {
    // An embed of a record without a `pk` (keyed by its item path, `RequestRule` of `/requests/rules/{uuid}/`) is
    // known only once its resource is registered, which may come after the record that embeds it.
    for (const entity of this.entities.values()) this.collectLateEmbeds(entity);
    for (const entity of this.entities.values()) this.collectReferences(entity);
    this.pairInverses();
  }

  private unwrap(schema: JsonSchema): Unwrapped {
    let current = schema;
    let nullable = false;
    let many = false;
    for (let depth = 0; depth < 8; depth++) {
      if (current.nullable === true) nullable = true;
      const allOf = current.allOf;
      if (Array.isArray(allOf) && allOf.length === 1 && isPlainObject(allOf[0])) {
        current = allOf[0];
        continue;
      }
      if (!many && current.type === 'array' && isPlainObject(current.items)) {
        many = true;
        current = current.items;
        continue;
      }
      break;
    }
    return { schema: current, many, nullable };
  }

  /** A projection (GroupMember, UserGroup) is named after the entity its field points at, when it is a subset of it. */
  private canonicalName(schema: JsonSchema, resolved: JsonSchema, fieldHint: string): string {
    const own = refName(schema);
    const base = fieldHint.replace(/_obj$/, '');
    const hinted = base ? this.componentEntity(pascalCase(singular(base))) : undefined;
    if (hinted && hinted !== own && isProjection(resolved, this.contract.resolve({ $ref: `#/components/schemas/${hinted}` })))
      return hinted;
    return own ?? (typeof resolved['title'] === 'string' ? resolved['title'] : pascalCase(singular(base || 'record')));
  }

  /** A component with a pk whose name matches, ignoring case and separators. */
  private componentEntity(name: string): string | undefined {
    const wanted = squash(name);
    return Object.keys(this.contract.components).find(
      (c) => squash(c) === wanted && (this.entities.has(c) || pkKind(this.contract.resolve({ $ref: `#/components/schemas/${c}` }))),
    );
  }

  private collectEmbeds(entity: EntityType): void {
    for (const [field, property] of Object.entries(properties(entity.schema))) {
      if (field === entity.pkField) continue;
      const unwrapped = this.unwrap(property);
      const target = this.entityFor(property, field);
      if (target) this.addEmbed(entity, field, target, unwrapped);
    }
  }

  private addEmbed(entity: EntityType, field: string, target: string, unwrapped: Unwrapped): void {
    const via = field.endsWith('_obj') && field.slice(0, -4) in properties(entity.schema) ? field.slice(0, -4) : undefined;
    const embed: Embed = {
      field,
      target,
      many: unwrapped.many,
      nullable: unwrapped.nullable,
      schema: this.contract.resolve(unwrapped.schema),
    };
    if (via) embed.via = via;
    entity.embeds.set(field, embed);
    this.fieldTargets.set(singular(field.replace(/_obj$/, '')), target);
  }

  /** Embeds of entities registered after this one (only those: the others were found with it). */
  private collectLateEmbeds(entity: EntityType): void {
    for (const [field, property] of Object.entries(properties(entity.schema))) {
      if (field === entity.pkField || entity.embeds.has(field)) continue;
      const unwrapped = this.unwrap(property);
      const target = refName(unwrapped.schema);
      if (target === undefined || !this.entities.has(target)) continue;
      this.addEmbed(entity, field, target, unwrapped);
    }
  }

  private collectReferences(entity: EntityType): void {
    for (const [field, property] of Object.entries(properties(entity.schema))) {
      if (field === entity.pkField || entity.embeds.has(field)) continue;
      const unwrapped = this.unwrap(property);
      const kind = scalarKind(this.contract.resolve(unwrapped.schema));
      if (!kind) continue;
      const target = this.referenceTarget(entity, field, kind);
      if (!target) continue;
      // A link whose embed must be shown as an object may not be empty, whatever the field itself says.
      const embed = entity.embeds.get(`${field}_obj`);
      const nullable = unwrapped.nullable && !(embed && !embed.nullable && requiredOf(entity.schema).has(embed.field));
      entity.references.set(field, { field, target, many: unwrapped.many, nullable });
    }
  }

  private referenceTarget(entity: EntityType, field: string, kind: PkKind): string | undefined {
    const viaEmbed = entity.embeds.get(`${field}_obj`)?.target;
    const name = singular(field);
    const candidates = [
      viaEmbed,
      this.fieldTargets.get(name),
      this.componentEntity(pascalCase(name)),
      field === 'parent' ? entity.name : undefined,
    ];
    for (const candidate of candidates) {
      if (!candidate) continue;
      const target =
        this.entities.get(candidate) ??
        (this.entityFor({ $ref: `#/components/schemas/${candidate}` }) ? this.entities.get(candidate) : undefined);
      if (target && target.pk === kind) return candidate;
    }
    return undefined;
  }

  private pairInverses(): void {
    for (const a of this.entities.values()) {
      for (const ref of a.references.values()) {
        if (!ref.many || ref.inverseOf || ref.target === a.name) continue;
        const b = this.entities.get(ref.target)!;
        const back = [...b.references.values()].find((r) => r.many && r.target === a.name && !r.inverseOf);
        // The entity named first stores the relation; the other side is computed from it.
        if (back && a.name < b.name) back.inverseOf = { entity: a.name, field: ref.field };
      }
    }
  }
}

/**
 * The links whose pks a record stores itself: references that are not computed from the other side, and embeds
 * that stand alone (an embed with `via` is shown from its reference).
 */
export function storedLinks(entity: EntityType): Link[] {
  return [...[...entity.references.values()].filter((r) => !r.inverseOf), ...[...entity.embeds.values()].filter((e) => !e.via)];
}

export const properties = propertiesOf;

function pkKind(schema: JsonSchema): PkKind | undefined {
  const pk = properties(schema)['pk'];
  return pk ? scalarKind(pk) : undefined;
}

/** `pk` when the serializer shows it; else the item path's key field, which may also be a plain string (a slug). */
function identityOf(schema: JsonSchema, keyHint: string | undefined): { field: string; kind: PkKind } | undefined {
  const kind = pkKind(schema);
  if (kind) return { field: 'pk', kind };
  const key = keyHint ? properties(schema)[keyHint] : undefined;
  if (!key) return undefined;
  const keyKind = scalarKind(key) ?? (key.type === 'string' ? 'string' : undefined);
  return keyKind && { field: keyHint!, kind: keyKind };
}

/** The value that identifies a record of the entity. */
export function pkOf(entity: EntityType, record: WorldRecord): Pk {
  return record[entity.pkField] as Pk;
}

function scalarKind(schema: JsonSchema): PkKind | undefined {
  if (schema.type === 'integer') return 'integer';
  if (schema.type === 'string' && schema.format === 'uuid') return 'uuid';
  return undefined;
}

/** Every field of the projection exists on the entity with the same pk type. */
function isProjection(projection: JsonSchema, entity: JsonSchema): boolean {
  const own = properties(projection);
  const full = properties(entity);
  return pkKind(projection) === pkKind(entity) && Object.keys(own).every((field) => field in full);
}
