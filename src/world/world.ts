import type { Contract } from '../contract/contract.js';
import { isPlainObject, type JsonSchema } from '../contract/types.js';
import { FixtureGenerator, createFaker } from '../fixtures/generate.js';
import { properties, storedLinks, type EntityType } from './entity-model.js';
import { RecordRenderer } from './render.js';
import { buildResources, type OperationRole, type Resource } from './resources.js';
import { KeyRing } from './key-ring.js';
import { Table, type Pk, type WorldRecord } from './store.js';

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
    this.renderer = new RecordRenderer(model, (name) => this.table(name), () => this.version);
    const entities = [...model.entities.values()].sort((a, b) => a.name.localeCompare(b.name));
    this.userEntity = entities.find((e) => 'username' in properties(e.schema));
    this.tokenEntity = entities.find((e) => isTokenEntity(contract, e, this.userEntity));
    for (const entity of entities) {
      const faker = createFaker(seedFor(this.seed, entity.name));
      this.tables.set(entity.name, new Table(entity, faker, new FixtureGenerator(faker, contract.components)));
    }
    this.reset();
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
    const count = (this.options.recordsPerEntity ?? DEFAULT_RECORDS) + (table.entity === this.userEntity ? EXTRA_USERS : 0);
    for (let i = 0; i < count; i++) table.put(this.newRecord(table));
    this.makeUnique(table);
    if (table.entity === this.userEntity) seedUsers(table.all());
    return table;
  }

  /** A fresh record of the entity: every field generated, the pk assigned, links still to be made. */
  newRecord(table: Table): WorldRecord {
    const entity = table.entity;
    // Embedded records are links (drawn by linkRecord), so they are not generated here.
    const record = table.generator.record(entity.schema, new Set(entity.embeds.keys()));
    record['pk'] = entity.pk === 'integer' ? table.nextIntegerPk : table.faker.string.uuid();
    if (this.tokenEntity === entity) this.keys.set(entity.name, record['pk'] as Pk, table.faker.string.alphanumeric(60));
    return record;
  }

  /** Points the record's references (and stand-alone embeds) at records that exist, drawn from the table's sequence. */
  linkRecord(table: Table, record: WorldRecord): void {
    const entity = table.entity;
    for (const link of storedLinks(entity)) {
      const target = this.generated(this.tables.get(link.target)!);
      const current = record[link.field];
      const pks = target.pks().filter((pk) => !(link.target === entity.name && pk === record['pk']));
      if (link.many) record[link.field] = table.faker.helpers.arrayElements(pks, { min: 0, max: Math.min(4, pks.length) });
      else if (link.nullable && current === null) record[link.field] = null;
      else record[link.field] = pks.length > 0 ? table.faker.helpers.arrayElement(pks) : link.nullable ? null : current;
    }
    for (const reference of entity.references.values()) if (reference.inverseOf) delete record[reference.field];
  }

  /** Fields that tell an entity's records apart besides the pk: lookup fields of its resources, and usernames. */
  uniqueFields(entity: EntityType): string[] {
    const fields = new Set(this.resources.filter((r) => r.entity === entity.name && r.lookupField !== 'pk').map((r) => r.lookupField));
    if (entity === this.userEntity) fields.add('username');
    return [...fields];
  }

  private makeUnique(table: Table): void {
    for (const field of this.uniqueFields(table.entity)) {
      const seen = new Set<string>();
      const schema = this.contract.resolve(properties(table.entity.schema)[field] ?? {});
      const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
      for (const record of table.all()) {
        let value = String(record[field]);
        for (let n = 2; seen.has(value); n++) value = `${String(record[field]).slice(0, maxLength - String(n).length - 1)}-${n}`;
        seen.add(value);
        record[field] = value;
      }
    }
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
      assignKnown(token, { identifier, intent: 'api', expiring: false, expires: null, user: users[index]?.['pk'], description });
      this.keys.set(table.entity.name, token['pk'] as Pk, key);
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
    return { userPk: (token['user'] as Pk) ?? 0, superuser: user?.['is_superuser'] === true, validUntil: Number.isNaN(expires) ? Infinity : expires };
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
            else this.destroy(other.entity.name, record['pk'] as Pk);
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
      if (!this.tables.has(name)) continue;
      if (!Array.isArray(rows) || rows.some((r) => !isPlainObject(r) || !('pk' in r))) throw new Error(`records of "${name}" must be objects with a pk`);
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
    return token ? this.keys.keyOf(this.tokenEntity.name, token['pk'] as Pk) : undefined;
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
function seedUsers(users: WorldRecord[]): void {
  if (users.length < 2) return;
  assignKnown(users[0]!, { username: 'akadmin', name: 'authentik Default Admin', is_superuser: true, is_active: true, email: 'admin@example.com', type: 'internal', path: 'users' });
  assignKnown(users[1]!, { is_superuser: false, is_active: true });
}

/** Sets only the fields the record's entity has: the same world code serves contracts with fewer fields. */
function assignKnown(record: WorldRecord, values: WorldRecord): void {
  for (const [field, value] of Object.entries(values)) if (field in record && value !== undefined) record[field] = value;
}

/** authentik's Token: an `identifier`, an `intent` that can be "api", and (where users exist) a `user`. */
function isTokenEntity(contract: Contract, entity: EntityType, userEntity: EntityType | undefined): boolean {
  const fields = properties(entity.schema);
  const intent = fields['intent'] ? contract.resolve(fields['intent']) : {};
  const intents = Array.isArray(intent['enum']) ? intent['enum'] : [];
  return 'identifier' in fields && intents.includes('api') && (!userEntity || entity.references.get('user')?.target === userEntity.name);
}
