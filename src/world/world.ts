import type { Contract } from '../contract/contract.js';
import { isPlainObject, type JsonSchema } from '../contract/types.js';
import { FixtureGenerator, createFaker } from '../fake/generate.js';
import { pkOf, properties, storedLinks, type EntityType } from '../contract/entity-model.js';
import { RecordRenderer } from './render.js';
import { buildResources, type OperationRole, type Resource } from '../contract/resources.js';
import { KeyRing } from './key-ring.js';
import { Table } from './store.js';
import type { Pk, WorldRecord } from '../contract/entity-model.js';

export interface WorldOptions {
  seed?: number;
  /** Records generated per entity (users get a few more). */
  recordsPerEntity?: number;
  /** Bearer key of akadmin's API token; generated from the seed when absent. */
  adminToken?: string;
  /** Bearer key of an ordinary user's API token; generated from the seed when absent. */
  userToken?: string;
}

export interface Principal {
  userPk: Pk;
  superuser: boolean;
  /** When the token stops authenticating (ms since epoch): a cached answer must not outlive it. */
  validUntil: number;
}

export const DUMP_FORMAT = 'authentik-mock-world/1';

export interface WorldDump {
  format: typeof DUMP_FORMAT;
  seed: number;
  records: Record<string, WorldRecord[]>;
  /** Secret keys of token records (`Entity:pk` → key): not part of any serializer, so kept beside the records. */
  keys: Record<string, string>;
}

const DEFAULT_RECORDS = 25;
/** Identifiers of the two API tokens whose keys the server prints. */
const ADMIN_TOKEN = 'authentik-mock-admin';
const USER_TOKEN = 'authentik-mock-user';
const EXTRA_USERS = 15;
/** akadmin and the ordinary user, with a token each, exist in every world, even one of `recordsPerEntity: 0`. */
const PRINCIPALS = 2;
/** Integer fields besides the pk that count records (`num_pk`): a sequence, never a random number. */
const COUNTER_FIELD = /(^|_)pk$/;

/**
 * The in-memory authentik: a table per entity, generated from the seed, consistent across every endpoint that shows
 * a record. Which entity holds users and which holds API tokens is recognised by fields (`username`, `intent` +
 * `identifier`), so any contract that has them gets authentik's authentication model.
 */
export class World {
  readonly resources: Resource[];
  readonly roles: Map<string, OperationRole>;
  private readonly tables = new Map<string, Table>();
  readonly renderer: RecordRenderer;
  /** Bumped by every change: responses computed at one version can be reused until the next. */
  version = 0;
  adminToken = '';
  userToken = '';
  private keys = new KeyRing();
  private readonly uniqueByEntity = new WeakMap<EntityType, string[]>();
  private readonly countersByEntity = new WeakMap<EntityType, string[]>();
  readonly seed: number;
  readonly userEntity: EntityType | undefined;
  readonly tokenEntity: EntityType | undefined;

  constructor(
    readonly contract: Contract,
    private readonly options: WorldOptions = {},
  ) {
    this.seed = options.seed ?? 1;
    const { model, resources, roles } = buildResources(contract);
    this.resources = resources;
    this.roles = roles;
    this.renderer = new RecordRenderer(
      model,
      (name) => this.table(name),
      () => this.version,
    );
    const entities = [...model.entities.values()].sort((a, b) => a.name.localeCompare(b.name));
    this.tokenEntity = entities.find((e) => isTokenEntity(contract, e));
    this.userEntity = userEntityOf(entities, this.tokenEntity);
    for (const entity of entities) {
      const faker = createFaker(seedFor(this.seed, entity.name));
      const table = new Table(entity, faker, new FixtureGenerator(faker, contract.components));
      for (const field of this.uniqueFields(entity)) table.index(field);
      this.tables.set(entity.name, table);
    }
    this.reset();
  }

  hasEntity(name: string): boolean {
    return this.tables.has(name);
  }

  entity(name: string): EntityType {
    return this.tables.get(name)!.entity;
  }

  /** A table ready to use: generated and linked on first use. */
  table(name: string): Table {
    const table = this.tables.get(name)!;
    if (table.state !== 'linked') this.prepare(table);
    return table;
  }

  /** Tables that hold records already (the others will be generated consistent with them when first used). */
  private startedTables(): Table[] {
    return [...this.tables.values()].filter((t) => t.state !== 'empty');
  }

  /** Back to the seeded world: same seed, same records, same keys. */
  reset(): void {
    this.keys = new KeyRing();
    for (const table of this.tables.values()) {
      table.faker.seed(seedFor(this.seed, table.entity.name));
      table.clear();
    }
    const keys = createFaker(seedFor(this.seed, 'bearer keys'));
    this.adminToken = this.options.adminToken ?? keys.string.alphanumeric(60);
    this.userToken = this.options.userToken ?? keys.string.alphanumeric(60);
    this.version++;
  }

  private prepare(table: Table): void {
    this.generated(table);
    if (table.state === 'linked') return;
    table.state = 'linked';
    for (const record of table.all()) this.linkRecord(table, record);
    if (table.entity === this.tokenEntity) this.seedTokens(table);
  }

  private generated(table: Table): Table {
    if (table.state !== 'empty') return table;
    table.state = 'generated';
    const principal = table.entity === this.userEntity || table.entity === this.tokenEntity;
    const requested = this.options.recordsPerEntity ?? DEFAULT_RECORDS;
    const count = principal ? Math.max(PRINCIPALS, requested + (table.entity === this.userEntity ? EXTRA_USERS : 0)) : requested;
    for (let i = 0; i < count; i++) table.put(this.newRecord(table));
    if (table.entity === this.userEntity) seedUsers(table);
    return table;
  }

  /** A fresh record of the entity: every field generated, the pk assigned, unique fields unique, links still to be made. */
  newRecord(table: Table): WorldRecord {
    const entity = table.entity;
    // Embedded records are links (drawn by linkRecord), so they are not generated here.
    const record = table.generator.record(entity.schema, new Set(entity.embeds.keys()));
    if (entity.pk === 'integer') record[entity.pkField] = table.nextIntegerPk;
    else if (entity.pk === 'uuid') record[entity.pkField] = table.faker.string.uuid();
    for (const field of this.counterFields(entity)) record[field] = table.nextCounter(field);
    for (const field of this.uniqueFields(entity))
      if (field !== entity.pkField || entity.pk === 'string') record[field] = this.freeValue(table, field, record[field]);
    if (this.tokenEntity === entity) this.keys.set(entity.name, pkOf(entity, record), table.faker.string.alphanumeric(60));
    return record;
  }

  /** Counter fields of the entity, fixed per entity (worked out once: every create asks). */
  private counterFields(entity: EntityType): string[] {
    let fields = this.countersByEntity.get(entity);
    if (!fields) {
      fields = Object.entries(properties(entity.schema))
        .filter(
          ([field, schema]) => field !== entity.pkField && COUNTER_FIELD.test(field) && this.contract.resolve(schema)['type'] === 'integer',
        )
        .map(([field]) => field);
      this.countersByEntity.set(entity, fields);
    }
    return fields;
  }

  /** `value`, or `value-2`, `value-3`… (within the field's maxLength): the first that no record of the table holds. */
  private freeValue(table: Table, field: string, value: unknown): unknown {
    if (typeof value !== 'string' || !table.find(field, value)) return value;
    const schema = this.contract.resolve(properties(table.entity.schema)[field] ?? {});
    const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
    let candidate = value;
    for (let n = 2; table.find(field, candidate); n++) candidate = `${value.slice(0, maxLength - String(n).length - 1)}-${n}`;
    return candidate;
  }

  /** Points the record's references (and stand-alone embeds) at records that exist, drawn from the table's sequence. */
  linkRecord(table: Table, record: WorldRecord): void {
    const entity = table.entity;
    for (const link of storedLinks(entity)) {
      const target = this.generated(this.tables.get(link.target)!);
      const current = record[link.field];
      const pks = target.pks().filter((pk) => !(link.target === entity.name && pk === pkOf(entity, record)));
      if (link.many) record[link.field] = table.faker.helpers.arrayElements(pks, { min: 0, max: Math.min(4, pks.length) });
      else if (link.nullable && current === null) record[link.field] = null;
      else record[link.field] = pks.length > 0 ? table.faker.helpers.arrayElement(pks) : link.nullable ? null : current;
    }
    for (const reference of entity.references.values()) if (reference.inverseOf) delete record[reference.field];
  }

  /**
   * Fields that tell an entity's records apart: lookup fields of its resources (a key must find one record), and the
   * fields authentik's models declare unique whatever the model (`username`, `slug`). Fixed per entity.
   */
  uniqueFields(entity: EntityType): string[] {
    let fields = this.uniqueByEntity.get(entity);
    if (!fields) {
      const set = new Set(this.resources.filter((r) => r.entity === entity.name).map((r) => r.lookupField));
      for (const field of UNIQUE_BY_NAME) if (field in properties(entity.schema)) set.add(field);
      this.uniqueByEntity.set(entity, (fields = [...set]));
    }
    return fields;
  }

  /** Fields unique in pairs: a tree's `name` within its `parent` (authentik's Group has `unique_together` on them). */
  uniqueTogether(entity: EntityType): string[][] {
    const parent = entity.references.get('parent');
    return parent && parent.target === entity.name && 'name' in properties(entity.schema) ? [['name', 'parent']] : [];
  }

  /** The first two tokens become the API tokens of akadmin and of the ordinary user, with the printed keys. */
  private seedTokens(table: Table): void {
    const users = this.userEntity ? this.generated(this.tables.get(this.userEntity.name)!).all() : [];
    const principals: Array<[number, string, string]> = [
      [0, ADMIN_TOKEN, this.adminToken],
      [1, USER_TOKEN, this.userToken],
    ];
    for (const [index, identifier, key] of principals) {
      const token = table.all()[index];
      if (!token) continue;
      const description = `API token of the mock's ${index === 0 ? 'admin' : 'ordinary user'}`;
      const user = users[index] && this.userEntity ? pkOf(this.userEntity, users[index]) : undefined;
      assignKnown(token, { identifier, intent: 'api', expiring: false, expires: null, user, description });
      table.put(token);
      this.keys.set(table.entity.name, pkOf(table.entity, token), key);
    }
  }

  /** The user a bearer key authenticates, or why not (authentik's "Token invalid/expired" for every failure). */
  authenticate(key: string, now = Date.now()): Principal | undefined {
    if (!this.tokenEntity) {
      if (key === this.adminToken) return { userPk: 1, superuser: true, validUntil: Infinity };
      return key === this.userToken ? { userPk: 2, superuser: false, validUntil: Infinity } : undefined;
    }
    // Using the table first generates it on the first request, and with it the keys this lookup needs.
    const tokens = this.table(this.tokenEntity.name);
    const owner = this.keys.ownerOf(key);
    const token = owner?.entity === this.tokenEntity.name ? tokens.get(owner.pk) : undefined;
    if (!token || ('intent' in token && token['intent'] !== 'api')) return undefined;
    const expires = token['expiring'] !== false && typeof token['expires'] === 'string' ? Date.parse(token['expires']) : Infinity;
    if (expires < now) return undefined;
    const user = this.userEntity ? this.table(this.userEntity.name).get(token['user']) : undefined;
    if (this.userEntity && (!user || user['is_active'] === false)) return undefined;
    return {
      userPk: (token['user'] as Pk) ?? 0,
      superuser: user?.['is_superuser'] === true,
      validUntil: Number.isNaN(expires) ? Infinity : expires,
    };
  }

  /** The secret key of a token record (authentik shows it only through a `view_key` action). */
  keyOf(entity: string, pk: Pk): string | undefined {
    return this.keys.keyOf(entity, pk);
  }

  /** Removes a record and what cannot live without it: Django's CASCADE for required links, SET_NULL for nullable ones. */
  destroy(entityName: string, pk: Pk): void {
    const table = this.table(entityName);
    if (!table.delete(pk)) return;
    this.keys.delete(entityName, pk);
    for (const other of this.startedTables()) {
      const links = storedLinks(other.entity).filter((link) => link.target === entityName);
      if (links.length === 0) continue;
      for (const record of other.all()) {
        for (const link of links) {
          const value = record[link.field];
          if (link.many && Array.isArray(value)) record[link.field] = value.filter((p) => String(p) !== String(pk));
          else if (!link.many && String(value) === String(pk)) {
            if (link.nullable) record[link.field] = null;
            else this.destroy(other.entity.name, pkOf(other.entity, record));
          }
        }
      }
    }
    this.version++;
  }

  /** Records per entity, for the tables that hold any yet (counting never generates a table). */
  recordCounts(): Record<string, number> {
    return Object.fromEntries(this.startedTables().map((t) => [t.entity.name, t.size]));
  }

  touch(): void {
    this.version++;
  }

  dump(): WorldDump {
    const records: Record<string, WorldRecord[]> = {};
    for (const name of this.tables.keys()) records[name] = this.table(name).all();
    return { format: DUMP_FORMAT, seed: this.seed, records, keys: this.keys.toJSON() };
  }

  /** Replaces the world with a dump; throws a plain reason when the dump is not one. */
  load(dump: unknown): void {
    if (!isPlainObject(dump) || dump['format'] !== DUMP_FORMAT || !isPlainObject(dump['records'])) {
      throw new Error(`not a world dump (expected "format": "${DUMP_FORMAT}" and "records")`);
    }
    const records = dump['records'];
    for (const [name, rows] of Object.entries(records)) {
      const pkField = this.tables.get(name)?.entity.pkField;
      if (!pkField) continue;
      if (!Array.isArray(rows) || rows.some((r) => !isPlainObject(r) || !(pkField in r)))
        throw new Error(`records of "${name}" must be objects with a "${pkField}"`);
    }
    for (const [name, table] of this.tables) {
      const rows = records[name];
      if (!Array.isArray(rows)) continue;
      table.clear('linked');
      for (const row of rows as WorldRecord[]) table.put({ ...row });
    }
    if (isPlainObject(dump['keys'])) {
      this.keys = KeyRing.fromJSON(dump['keys']);
      this.adminToken = this.keyOfToken(ADMIN_TOKEN) ?? this.adminToken;
      this.userToken = this.keyOfToken(USER_TOKEN) ?? this.userToken;
    }
    this.version++;
  }

  /** The key of the token with this identifier (after a load, the printed tokens are the dump's). */
  private keyOfToken(identifier: string): string | undefined {
    if (!this.tokenEntity) return undefined;
    const token = this.table(this.tokenEntity.name).find('identifier', identifier);
    return token ? this.keys.keyOf(this.tokenEntity.name, pkOf(this.tokenEntity, token)) : undefined;
  }

  /** Values stable per seed and key, independent of what else happened: for action responses. */
  stableValue(schema: JsonSchema, key: string): unknown {
    return new FixtureGenerator(createFaker(seedFor(this.seed, key)), this.contract.components).value(schema, 'response');
  }
}

/** Each table's sequence depends on the seed and the entity's name only. */
function seedFor(seed: number, name: string): number {
  let hash = seed | 0;
  for (let i = 0; i < name.length; i++) hash = (Math.imul(hash, 31) + name.charCodeAt(i)) | 0;
  return hash >>> 0;
}

/** akadmin (a superuser) first, an ordinary active user second. */
function seedUsers(table: Table): void {
  const [admin, user] = table.all();
  if (!admin || !user) return;
  const taken = table.find('username', 'akadmin');
  if (taken && taken !== admin) assignKnown(taken, { username: `${String(taken['username'])}-2` });
  assignKnown(admin, {
    username: 'akadmin',
    name: 'authentik Default Admin',
    is_superuser: true,
    is_active: true,
    email: 'admin@example.com',
    type: 'internal',
    path: 'users',
  });
  assignKnown(user, { is_superuser: false, is_active: true, type: 'internal' });
  for (const record of [taken, admin, user]) if (record) table.put(record);
}

/** Sets only the fields the record's entity has: the same world code serves contracts with fewer fields. */
function assignKnown(record: WorldRecord, values: WorldRecord): void {
  for (const [field, value] of Object.entries(values)) if (field in record && value !== undefined) record[field] = value;
}

/** Fields unique on every authentik model that has them. */
const UNIQUE_BY_NAME = ['username', 'slug'];

/** authentik's Token: an `identifier`, an `intent` that can be "api", and a `user` it authenticates as. */
function isTokenEntity(contract: Contract, entity: EntityType): boolean {
  const fields = properties(entity.schema);
  const intent = fields['intent'] ? contract.resolve(fields['intent']) : {};
  const intents = Array.isArray(intent['enum']) ? intent['enum'] : [];
  return 'identifier' in fields && intents.includes('api') && entity.references.has('user');
}

/**
 * The users: what API tokens belong to. Without tokens, the entity with `username` and `is_superuser` (an SMTP
 * stage's `username` does not make it a user table).
 */
function userEntityOf(entities: EntityType[], tokenEntity: EntityType | undefined): EntityType | undefined {
  const owner = tokenEntity?.references.get('user')?.target;
  if (owner) return entities.find((e) => e.name === owner);
  const named = entities.filter((e) => 'username' in properties(e.schema));
  return named.find((e) => 'is_superuser' in properties(e.schema)) ?? named[0];
}
