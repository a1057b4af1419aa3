/**
 * Blueprints written into the world: authentik's BlueprintTarget over the World, each value checked as the API's
 * create/update would check it (the contract's request schema, DRF's relation and uniqueness rules, the model's
 * defaults), so a blueprint entry makes exactly the record a POST with the same fields would.
 */
import {
  BlueprintValidationError,
  type BlueprintQuery,
  type BlueprintRecord,
  type BlueprintTarget,
  type ParsedBlueprint,
} from '../blueprints/index.js';
import { isPlainObject, type JsonSchema, type OperationSpec } from '../contract/types.js';
import { pkOf, type EntityType, type Pk, type WorldRecord } from '../contract/entity-model.js';
import type { Resource } from '../contract/resources.js';
import type { DrfErrors } from '../contract/drf-errors.js';
import type { World } from '../world/world.js';
import { modelDefaults } from './model-defaults.js';
import { prepareWrite } from './writes.js';

/** What a create or an update of an entity is checked against: the operation and its JSON request schema. */
interface WriteShape {
  resource: Resource;
  operation: OperationSpec | undefined;
  schema: JsonSchema;
}

const same = (a: unknown, b: unknown) =>
  a === b ||
  (a !== null && b !== null && typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b)) ||
  JSON.stringify(a) === JSON.stringify(b);

/** JSON containment, as Postgres' `@>` that Django's `__contains` on a JSONField asks. */
function contains(container: unknown, expected: unknown): boolean {
  if (isPlainObject(expected))
    return isPlainObject(container) && Object.entries(expected).every(([key, value]) => contains(container[key], value));
  if (Array.isArray(expected)) return Array.isArray(container) && expected.every((item) => container.some((held) => contains(held, item)));
  return same(container, expected);
}

export class WorldBlueprintTarget implements BlueprintTarget {
  /** Whether the blueprint being applied is one of the `trusted`: its values skip the schema check (not DRF's rules). */
  private trusts = false;

  constructor(
    private readonly world: World,
    private readonly trusted: ReadonlySet<ParsedBlueprint> = new Set(),
  ) {}

  hasModel(model: string): boolean {
    return this.entityOf(model) !== undefined;
  }

  find(model: string, query: BlueprintQuery): BlueprintRecord | undefined {
    const entity = this.entityOf(model)!;
    const conditions = Object.keys(query.equals).length + Object.keys(query.contains).length;
    for (const record of this.world.table(entity.name).all()) {
      if (query.pk !== undefined && same(pkOf(entity, record), query.pk)) return record;
      if (query.pk !== undefined && conditions === 0) continue;
      const equal = Object.entries(query.equals).every(([lookup, value]) => same(this.lookup(entity, record, lookup), value));
      if (equal && Object.entries(query.contains).every(([field, value]) => contains(record[field], value))) return record;
    }
    return undefined;
  }

  create(model: string, values: Record<string, unknown>, pk?: unknown): BlueprintRecord {
    const entity = this.entityOf(model)!;
    const shape = this.shapeOf(entity, 'create');
    const { body, apart } = this.split(entity, shape, values);
    const errors = this.schemaErrors(shape, body, false);
    const write = prepareWrite(this.world, shape.resource, { [entity.pkField]: null }, body, shape.schema, errors);
    if ('errors' in write) throw new BlueprintValidationError(write.errors);
    const { [entity.pkField]: _blank, ...sent } = write.record;
    const defaults = modelDefaults(this.world, entity, shape.schema, Object.keys(sent));
    const key = pk === undefined || pk === null ? {} : { [entity.pkField]: pk };
    const record = this.world.create(entity.name, { ...defaults, ...sent, ...key }, write.inverse);
    this.keepApart(entity, pkOf(entity, record), apart);
    return record;
  }

  update(model: string, record: BlueprintRecord, values: Record<string, unknown>): BlueprintRecord {
    const entity = this.entityOf(model)!;
    const shape = this.shapeOf(entity, 'partial_update');
    const { body, apart } = this.split(entity, shape, values);
    const errors = this.schemaErrors(shape, body, true);
    const write = prepareWrite(this.world, shape.resource, record as WorldRecord, body, shape.schema, errors);
    if ('errors' in write) throw new BlueprintValidationError(write.errors);
    this.world.save(entity.name, write.record, write.inverse);
    this.keepApart(entity, pkOf(entity, write.record), apart);
    return write.record;
  }

  remove(model: string, record: BlueprintRecord): void {
    const entity = this.entityOf(model)!;
    this.world.remove(entity.name, pkOf(entity, record as WorldRecord));
  }

  keysOf(model: string, record: BlueprintRecord): { pk: unknown; policyBindingModelKey?: unknown } {
    const entity = this.entityOf(model)!;
    const pbm = record['policybindingmodel_ptr_id'];
    return pbm === undefined
      ? { pk: pkOf(entity, record as WorldRecord) }
      : { pk: pkOf(entity, record as WorldRecord), policyBindingModelKey: pbm };
  }

  transaction<T>(work: () => T, blueprint?: ParsedBlueprint): T {
    return this.trusting(blueprint !== undefined && this.trusted.has(blueprint), () => this.world.transaction(work));
  }

  /** Writes the mock's own records (what the start records of itself), trusted as authentik's blueprints are. */
  asTrusted<T>(work: () => T): T {
    return this.trusting(true, work);
  }

  private trusting<T>(trusted: boolean, work: () => T): T {
    const was = this.trusts;
    this.trusts = trusted;
    try {
      return work();
    } finally {
      this.trusts = was;
    }
  }

  /**
   * The body's schema problems (DRF's 400 body): none for a trusted blueprint, whose values are authentik's own —
   * checking them would compile a validator per model at every start — only read as DRF's fields read them (a choice
   * of "6" given 6).
   */
  private schemaErrors(shape: WriteShape, body: Record<string, unknown>, partial: boolean): DrfErrors | undefined {
    if (this.trusts) {
      const read = this.world.contract.fields.read(shape.schema, body);
      if (isPlainObject(read)) Object.assign(body, read);
      return undefined;
    }
    return shape.operation ? this.world.contract.validateRequestBody(shape.operation, 'application/json', body, partial) : undefined;
  }

  private entityOf(model: string): EntityType | undefined {
    const name = this.world.models.entityOf(model);
    return name !== undefined && this.world.hasEntity(name) ? this.world.entity(name) : undefined;
  }

  /** A field of the record, or across a link (`user__username`, as Django's lookups follow relations). */
  private lookup(entity: EntityType, record: WorldRecord, lookup: string): unknown {
    const [field, ...rest] = lookup.split('__');
    if (field === 'pk') return pkOf(entity, record);
    if (!(field! in this.world.profile(entity).fields) && !Object.hasOwn(record, field!))
      throw new Error(`${entity.name} has no field "${field}"`);
    if (rest.length === 0) return this.world.renderer.value(entity.name, record, field!);
    const link = entity.references.get(field!);
    const target = link && !link.many ? this.world.table(link.target).get(record[field!]) : undefined;
    return target ? this.lookup(this.world.entity(link!.target), target, rest.join('__')) : undefined;
  }

  /** The resource that creates (or updates) the entity's records, and what it takes; the entity's schema without one. */
  private shapeOf(entity: EntityType, kind: 'create' | 'partial_update'): WriteShape {
    const resources = this.world.resources.filter((r) => r.entity === entity.name);
    const resource = resources.find((r) => r.operations[kind]) ??
      resources[0] ?? { path: '', entity: entity.name, type: entity, lookupField: entity.pkField, modelName: entity.name, operations: {} };
    const operation = resource.operations[kind];
    const content = operation?.requestBody?.content ?? {};
    const schema = content['application/json']?.schema ?? Object.values(content)[0]?.schema ?? entity.schema;
    return { resource, operation, schema: this.world.contract.resolve(schema) };
  }

  /**
   * The values the API takes, and those only blueprints may set, kept by the world apart from the record (a user's
   * `password`, a token's `key`: authentik's serializers take them from blueprints). Other unknown fields are ignored,
   * as DRF ignores them.
   */
  private split(entity: EntityType, shape: WriteShape, values: Record<string, unknown>) {
    const writable = this.world.contract.writableFields(shape.schema);
    const body: Record<string, unknown> = {};
    const apart: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(values)) {
      if (Object.hasOwn(writable, field)) body[field] = value;
      else if (this.world.managesApart(entity, field) || (entity === this.world.userEntity && field === 'password')) apart[field] = value;
    }
    return { body, apart };
  }

  private keepApart(entity: EntityType, pk: Pk, apart: Record<string, unknown>): void {
    const errors: DrfErrors = {};
    if ('key' in apart && apart['key'] !== null && apart['key'] !== undefined) {
      if (typeof apart['key'] !== 'string' || apart['key'] === '') errors['key'] = ['Not a valid string.'];
      else {
        const refused = this.world.identities.setKey(pk, apart['key']);
        if (refused) errors['key'] = [refused];
      }
    }
    if ('password' in apart) {
      const password = apart['password'];
      if (password !== null && typeof password !== 'string') errors['password'] = ['Not a valid string.'];
      else this.world.identities.setPassword(pk, password);
    }
    if (Object.keys(errors).length > 0) throw new BlueprintValidationError(errors);
  }
}
