import type { Contract } from '../contract/contract.js';
import type { JsonSchema } from '../contract/types.js';
import { FixtureGenerator, createFaker } from '../fake/generate.js';
import {
  pkOf,
  properties,
  storedLinks,
  type EntityModel,
  type EntityType,
  type Link,
  type Pk,
  type WorldRecord,
} from '../contract/entity-model.js';
import { lineage } from '../contract/inheritance.js';
import { ModelNames } from '../contract/authentik-models.js';
import { ModelValues } from './model-values.js';
import { RecordRenderer } from './render.js';
import { RecordTexts } from './record-texts.js';
import { buildResources, type OperationRole, type Resource } from '../contract/resources.js';
import { Identities, isPrintedToken, type Principal } from './identities.js';
import { CreatedIds } from './created-ids.js';
import { sizeOf, Store, Table, type InverseWrite, type ReadonlyTable } from './store.js';
import { checkDump, contractFingerprint, DUMP_FORMAT, type WorldDump } from './dump.js';
import { buildProfiles, type EntityProfile } from './entity-profiles.js';

export type { Principal } from './identities.js';
export { DUMP_FORMAT, type WorldDump } from './dump.js';

export interface WorldOptions {
  seed?: number;
  /** Records generated per entity (users get a few more). */
  recordsPerEntity?: number;
  /** Bearer key of akadmin's API token; random when absent (never derived from the seed). */
  adminToken?: string;
  /** Bearer key of an ordinary user's API token; random when absent. */
  userToken?: string;
  /** How much the API may add to the world (generated and loaded records are not refused). */
  limits?: RecordLimits;
  /**
   * Ids of records the API creates, apart from the seeded sequence: created integer pks start at `integerFloor`,
   * created UUIDs come from a sequence salted with `uuidSalt`. A page that reloads without keeping its world (a new
   * world from the same seed) passes what it used before, so ids it created never collide with ids an app kept.
   */
  createdIds?: { integerFloor?: number; uuidSalt?: string };
  /**
   * The two printed tokens (akadmin's and the ordinary user's) cannot be changed or deleted through the API: on a
   * shared demo, one visitor must not break the key every visitor was given.
   */
  lockPrintedTokens?: boolean;
}

/** A feature's state kept with the world (see `World.keepWith`). */
export interface KeptState {
  save(): unknown;
  /** What `save` gave (from a dump: checked by the feature, which ignores what it cannot read). */
  load(saved: unknown): void;
  clear(): void;
}

/** The record budget: creates and updates past it are refused with a 400 that says so. */
export interface RecordLimits {
  /** Records one table may hold for a create to be taken (default 100,000). */
  maxRecordsPerTable?: number;
  /** Records the whole world may hold for a create to be taken (default 1,000,000). */
  maxRecords?: number;
  /** Size as JSON of everything written through the API and held now (default 256 MiB). */
  maxStoredBytes?: number;
}

export const DEFAULT_LIMITS: Required<RecordLimits> = {
  maxRecordsPerTable: 100_000,
  maxRecords: 1_000_000,
  maxStoredBytes: 256 * 1024 * 1024,
};

export const DEFAULT_RECORDS = 25;
/** A world has more people than most other things. */
const EXTRA_USERS = 15;
/** How many records a generated many-to-many link lists at most. */
const MAX_GENERATED_LINKS = 4;

/** Bearer keys whose principal is kept at most (then forgotten all at once). */
const KNOWN_KEYS = 1024;

/**
 * The in-memory authentik: a table per entity, generated from the seed on first use, consistent across every
 * endpoint that shows a record. Writes go through `create`/`save`/`remove` (the store owns them, their indexes and
 * the version); authentication through `identities`.
 */
export class World {
  readonly resources: Resource[];
  readonly roles: Map<string, OperationRole>;
  readonly renderer: RecordRenderer;
  /** Records as JSON text, kept while what they show is unchanged (list pages are made of these). */
  readonly texts: RecordTexts;
  readonly identities: Identities;
  readonly seed: number;
  readonly userEntity: EntityType | undefined;
  readonly tokenEntity: EntityType | undefined;
  /** Identifies the contract a dump was made for. */
  readonly fingerprint: string;
  /** Entities ↔ authentik's model names (`authentik_core.group` ↔ Group). */
  readonly models: ModelNames;
  /** What authentik's models give that the schema does not: a record's type fields, create defaults, random secrets. */
  readonly modelValues: ModelValues;
  private readonly model: EntityModel;
  private readonly store: Store;
  /**
   * Tables fill with generated records on first use; not while the world's start is being written (blueprints), so
   * that generated records are made around what a fresh install has, and can point at it.
   */
  private generating = true;
  /** Where created ids stand: saved with the world, kept across resets and loads. */
  private readonly createdIds: CreatedIds;
  private readonly limits: Required<RecordLimits>;
  private readonly profiles: Map<string, EntityProfile>;

  constructor(
    readonly contract: Contract,
    private readonly options: WorldOptions = {},
  ) {
    this.seed = options.seed ?? 1;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const { model, resources, roles } = buildResources(contract);
    this.model = model;
    this.models = new ModelNames(contract, model);
    this.modelValues = new ModelValues(model, this.models);
    this.resources = resources;
    this.roles = roles;
    const entities = [...model.entities.values()];
    this.tokenEntity = entities.sort((a, b) => a.name.localeCompare(b.name)).find((e) => isTokenEntity(contract, e));
    this.userEntity = userEntityOf(entities, this.tokenEntity);
    this.renderer = new RecordRenderer(model, (name) => this.table(name));
    this.profiles = buildProfiles({ contract, model, resources, derived: this.renderer.derived, userEntity: this.userEntity });
    // Tables are made now: each indexes its entity's unique fields (the profiles).
    this.store = new Store(model, (entity) => this.newTable(entity));
    this.texts = new RecordTexts((entity, record, view) => this.renderer.render(entity, record, view));
    this.identities = new Identities(
      this.tokenEntity,
      this.userEntity,
      {
        tokens: () => this.tokenEntity && this.preparedTable(this.tokenEntity.name),
        users: () => this.userEntity && this.preparedTable(this.userEntity.name),
      },
      options,
    );
    this.createdIds = new CreatedIds(`${this.seed}:${options.createdIds?.uuidSalt ?? ''}`);
    this.fingerprint = contractFingerprint(entities);
    this.clear();
  }

  /** Bumped by every change to what the world keeps, its records or their keys: what a data file saves. */
  get version(): number {
    return this.store.version + this.identities.keyChanges;
  }

  /**
   * What answers are worked out at: the version, and what answers depend on beyond the world (`noteOutsideChange`).
   * An answer computed at one can be reused until the next.
   */
  get answerVersion(): number {
    return this.version + this.outsideChanges;
  }

  private outsideChanges = 0;

  /**
   * Something answers depend on changed outside the records and keys (a login the mock holds by itself ended, where
   * the contract has no session model): answers worked out before, one cached for that cookie, are stale. Nothing to
   * save changed.
   */
  noteOutsideChange(): void {
    this.outsideChanges++;
  }

  get adminToken(): string {
    return this.identities.adminToken;
  }

  get userToken(): string {
    return this.identities.userToken;
  }

  hasEntity(name: string): boolean {
    return this.store.has(name);
  }

  entity(name: string): EntityType {
    return this.store.rawTable(name).entity;
  }

  /** A table ready to read: generated and linked on first use. Records change only through create/save/remove. */
  table(name: string): ReadonlyTable {
    // A record's kept text depends on what is read while it is rendered (RecordTexts).
    return this.texts.view(this.preparedTable(name));
  }

  private preparedTable(name: string): Table {
    const table = this.store.rawTable(name);
    if (table.state !== 'linked') this.prepare(table);
    return table;
  }

  /** What features keep beside the records (a signing key's private half): in dumps, cleared with the world. */
  private readonly kept = new Map<string, KeptState>();

  /**
   * Keeps a feature's secrets with the world, as token keys and passwords are: dumped (under `kept`), loaded back,
   * and gone when the world starts again.
   */
  keepWith(name: string, state: KeptState): void {
    this.kept.set(name, state);
  }

  private keptJSON(): Record<string, unknown> {
    return Object.fromEntries([...this.kept].map(([name, state]) => [name, state.save()]));
  }

  /** The users of the printed tokens, by pk: no generated group takes them in (see `keptOutOf`). */
  private readonly principals = new Set<string>();

  /**
   * The printed tokens' users keep the rights the start gave them: generated groups — those a user's `is_superuser`
   * comes from — never take them as members, so the ordinary user never becomes a superuser by chance. (They own
   * generated tokens, consents and sessions like anyone.)
   */
  keepPrincipalsApart(): void {
    this.principals.clear();
    for (const key of [this.adminToken, this.userToken]) {
      const pk = this.identities.authenticate(key)?.userPk;
      if (pk !== undefined) this.principals.add(String(pk));
    }
  }

  /** The pks a generated link may not draw: the principals, for a link into users from the entity that grants rights. */
  private keptOutOf(entity: EntityType, link: Link): ReadonlySet<string> | undefined {
    const users = this.userEntity;
    if (!users || link.target !== users.name) return undefined;
    return this.renderer.flagSource(users.name, 'is_superuser')?.target === entity.name ? this.principals : undefined;
  }

  /** Whether the API may not change or delete this record (`lockPrintedTokens`). */
  isLocked(entity: EntityType, record: WorldRecord): boolean {
    return this.options.lockPrintedTokens === true && entity === this.tokenEntity && isPrintedToken(record);
  }

  /**
   * Who a bearer key authenticates as. Asked on every request, and the same until the world changes (its keys
   * included) or the token expires: kept for the keys that authenticated.
   */
  authenticate(key: string, now = Date.now()): Principal | undefined {
    const known = this.knownKeys;
    if (known.version !== this.version) {
      known.version = this.version;
      known.byKey.clear();
    }
    const kept = known.byKey.get(key);
    if (kept && now < kept.validUntil) return kept;
    const principal = this.identities.authenticate(key, now, (user) => this.isSuperuser(user));
    if (principal) {
      if (known.byKey.size >= KNOWN_KEYS) known.byKey.clear();
      known.byKey.set(key, Object.freeze(principal));
    }
    return principal;
  }

  /** Principals of keys that authenticated, at a version of the world (at most KNOWN_KEYS). */
  private readonly knownKeys = { version: -1, byKey: new Map<string, Principal>() };

  /** A user's `is_superuser` as authentik computes it (from their groups, when the contract derives it so). */
  isSuperuser(user: WorldRecord): boolean {
    const users = this.userEntity;
    const via = users && this.renderer.flagSource(users.name, 'is_superuser');
    return via ? this.renderer.linkedFlag(via, user, pkOf(users, user), 'is_superuser') : user['is_superuser'] === true;
  }

  /**
   * Empty again, to be started again (the mock applies its start, then tables generate from the seed as before): the
   * same printed keys. Created ids go on from where they were: an id handed out before is never handed out again.
   */
  clear(): void {
    for (const table of this.store.tableList()) {
      table.faker.seed(seedFor(this.seed, table.entity.name));
      table.clear();
    }
    this.identities.reset();
    for (const state of this.kept.values()) state.clear();
    this.unlinked.clear();
    this.store.forgetWrites();
    this.store.touch();
  }

  /**
   * Stores a new record: a generated one (pk, unique values, links drawn from the world) with `values` over it.
   * A token gets its key. Returns the stored record. While the world's start is written (`writingStart`), the record
   * is part of the start: its pk comes from the seeded sequence and it does not count as written through the API.
   */
  create(entityName: string, values: WorldRecord, inverse: readonly InverseWrite[] = []): WorldRecord {
    const table = this.preparedTable(entityName);
    const fresh = this.newRecord(table, this.generating);
    this.linkRecord(table, fresh);
    const record = { ...fresh, ...values };
    this.store.insert(entityName, record, inverse, this.generating ? undefined : 0);
    return record;
  }

  /**
   * Writes the world's start (a fresh install's blueprints) with `work`: tables are not generated meanwhile, so the
   * generated records come after, around what the start holds, and may point at it.
   */
  writingStart<T>(work: () => T): T {
    const was = this.generating;
    this.generating = false;
    try {
      return work();
    } finally {
      this.generating = was;
    }
  }

  /** Runs `work`; if it throws, every record, key and password is as before (a blueprint applies whole or not at all). */
  transaction<T>(work: () => T): T {
    const records = this.store.snapshot();
    const identities = this.identities.toJSON();
    try {
      return work();
    } catch (error) {
      this.store.restore(records);
      this.identities.restore(identities);
      throw error;
    }
  }

  /** Stores a changed record (and the other side of any many-to-many it sets). */
  save(entityName: string, record: WorldRecord, inverse: readonly InverseWrite[] = []): void {
    const table = this.table(entityName);
    // A save changes a stored record; it never brings back one a delete removed (create makes new ones).
    if (!table.get(pkOf(table.entity, record))) throw new Error(`no ${entityName} ${String(pkOf(table.entity, record))} to save`);
    // What the start writes is not written through the API: it does not count against the byte budget.
    this.store.save(entityName, record, inverse, this.generating ? undefined : 0);
  }

  /**
   * Why storing `record` (a new one when `creating`) would take the world past its record budget, in words for the
   * client; undefined when it fits. Checked before the write, so a refused write changes nothing.
   */
  budgetProblem(entityName: string, record: WorldRecord, creating: boolean): string | undefined {
    const { limits } = this;
    const table = this.table(entityName);
    if (creating && table.size >= limits.maxRecordsPerTable)
      return `This mock holds at most ${limits.maxRecordsPerTable} ${entityName} records: delete some first.`;
    if (creating && this.store.recordCount >= limits.maxRecords)
      return `This mock holds at most ${limits.maxRecords} records in all: delete some first.`;
    const previous = creating ? 0 : this.store.writtenSize(entityName, pkOf(table.entity, record));
    if (this.store.storedBytes - previous + sizeOf(record) > limits.maxStoredBytes)
      return `This mock holds at most ${limits.maxStoredBytes} bytes of written records: delete some, or write less.`;
    return undefined;
  }

  /** Removes a record and what cannot live without it (Django's CASCADE / SET_NULL); keys go with their tokens. */
  remove(entityName: string, pk: Pk): void {
    this.table(entityName);
    this.identities.forget(this.store.remove(entityName, pk));
  }

  /** Records held, and the size of what the API wrote (the record budget's measures). */
  usage(): { records: number; writtenBytes: number } {
    return { records: this.store.recordCount, writtenBytes: this.store.storedBytes };
  }

  /** One more than the largest integer pk any table holds or has given: a floor for the ids of a later world. */
  integerHighWater(): number {
    const created = Object.values(this.createdIds.toJSON()).map((s) => s.integer);
    return Math.max(1, ...created, ...this.store.tableList().map((t) => t.nextIntegerPk));
  }

  /** Records per entity, for the tables that hold any yet (counting never generates a table). */
  recordCounts(): Record<string, number> {
    return Object.fromEntries(this.startedTables().map((t) => [t.entity.name, t.size]));
  }

  dump(): WorldDump {
    const records: Record<string, WorldRecord[]> = {};
    for (const table of this.store.tableList()) records[table.entity.name] = this.preparedTable(table.entity.name).ownRecords();
    return {
      format: DUMP_FORMAT,
      contract: this.fingerprint,
      records,
      ...this.identities.toJSON(),
      sequences: this.createdIds.toJSON(),
      kept: this.keptJSON(),
    };
  }

  /**
   * The dump as JSON text in pieces, a record at a time: the same text as `JSON.stringify(dump())`, without ever
   * holding it whole (a large world's dump is hundreds of megabytes). The records are those of the first piece's
   * moment (keys, sequences and what features keep too): every table is linked before the first piece, and a linked
   * record is never changed in place, so later writes do not show.
   */
  *dumpText(): Generator<string> {
    const tables = this.store.tableList().map((t) => [t.entity.name, this.preparedTable(t.entity.name).ownRecords()] as const);
    const keys = this.identities.toJSON();
    const kept = JSON.stringify(this.keptJSON());
    const sequences = JSON.stringify(this.createdIds.toJSON());
    yield `{"format":${JSON.stringify(DUMP_FORMAT)},"contract":${JSON.stringify(this.fingerprint)},"records":{`;
    for (const [n, [name, rows]] of tables.entries()) {
      yield `${n > 0 ? ',' : ''}${JSON.stringify(name)}:[`;
      for (const [i, row] of rows.entries()) yield `${i > 0 ? ',' : ''}${JSON.stringify(row)}`;
      yield ']';
    }
    yield `},"keys":${JSON.stringify(keys.keys)},"passwords":${JSON.stringify(keys.passwords)},"sequences":${sequences},"kept":${kept}}`;
  }

  /**
   * Replaces the world with a dump. Everything is checked first (format, contract, every record's fields, pks and
   * links); the first problem is thrown, named, and nothing changes.
   */
  load(dump: unknown): void {
    const checked = checkDump(this, dump);
    // Every table first (a subtype's records are also in its base's), then each record into its own table.
    const tables = this.store.tableList();
    for (const table of tables) table.clear(checked.records[table.entity.name] ? 'linked' : 'empty');
    this.unlinked.clear();
    for (const table of tables) for (const row of checked.records[table.entity.name] ?? []) table.put({ ...row });
    this.identities.load(checked.keys, checked.passwords);
    // A feature's load takes anything and leaves out what it cannot use (KeptState): nothing here throws halfway.
    for (const [name, state] of this.kept) {
      state.clear();
      if (Object.hasOwn(checked.kept, name)) state.load(checked.kept[name]);
    }
    this.keepPrincipalsApart();
    this.createdIds.advance(checked.sequences);
    this.store.forgetWrites();
    this.store.touch();
  }

  /** What the world knows of an entity, worked out once (unique fields, counters, owner field). */
  profile(entity: EntityType | string): EntityProfile {
    return this.profiles.get(typeof entity === 'string' ? entity : entity.name)!;
  }

  /** Values stable per seed and key, independent of what else happened: for action responses. */
  stableValue(schema: JsonSchema, key: string): unknown {
    return new FixtureGenerator(createFaker(seedFor(this.seed, key)), this.contract.components).value(schema, 'response');
  }

  private newTable(entity: EntityType): Table {
    const faker = createFaker(seedFor(this.seed, entity.name));
    const table = new Table(entity, faker, new FixtureGenerator(faker, this.contract.components));
    const { unique, uniqueTogether } = this.profile(entity);
    for (const field of unique) table.index(field);
    for (const fields of uniqueTogether) table.index(fields);
    return table;
  }

  /** Tables that hold records already (the others will be generated consistent with them when first used). */
  private startedTables(): Table[] {
    return this.store.tableList().filter((t) => t.state !== 'empty');
  }

  private prepare(table: Table): void {
    this.generated(table);
    if (table.state === 'linked' || !this.generating) return;
    table.state = 'linked';
    // A base holds its subtypes' records: they are linked by their own tables.
    for (const name of table.entity.subtypes) this.prepare(this.store.rawTable(name));
    for (const pk of this.unlinked.get(table) ?? []) table.changeUnread(pk, (record) => this.linkRecord(table, record));
    this.unlinked.delete(table);
  }

  /** Generated records whose links are still to be drawn (a table fills before the tables it links to are linked). */
  private readonly unlinked = new Map<Table, Pk[]>();

  /** Fills the table with its generated records, once; a base's records are its subtypes' (it generates none itself). */
  private generated(table: Table): Table {
    if (table.state !== 'empty' || !this.generating) return table;
    table.state = 'generated';
    for (const name of table.entity.subtypes) this.generated(this.store.rawTable(name));
    const fresh: Pk[] = [];
    for (let i = 0; i < this.generatedCount(table.entity); i++) {
      const record = this.newRecord(table);
      table.put(record);
      fresh.push(pkOf(table.entity, record));
    }
    this.unlinked.set(table, fresh);
    return table;
  }

  private generatedCount(entity: EntityType): number {
    if (entity.subtypes.length > 0) return 0;
    const requested = this.options.recordsPerEntity ?? DEFAULT_RECORDS;
    return entity === this.userEntity && requested > 0 ? requested + EXTRA_USERS : requested;
  }

  /**
   * A fresh record of the entity: every field generated (a subtype's record also has its base's fields, which the
   * base's lists show), the pk assigned (unique across the family), unique fields unique, links still to be made.
   */
  private newRecord(table: Table, created = false): WorldRecord {
    const entity = table.entity;
    // Embedded records are links (drawn by linkRecord), and the computed side of a many-to-many is shown from the
    // other side: neither is generated (nor deleted after: a delete would leave the record in V8's slow layout).
    const record = table.generator.record(entity.schema, this.notGenerated(entity));
    for (const base of this.lineage(entity).slice(1))
      Object.assign(record, table.generator.record(base.schema, this.inheritedSkip(entity, base)));
    Object.assign(record, this.modelValues.identity(entity));
    const root = table.root;
    if (entity.pk === 'integer') record[entity.pkField] = created ? this.createdInteger(root) : root.takeIntegerPk();
    else if (entity.pk === 'uuid')
      record[entity.pkField] = created ? this.createdIds.takeUuid(root.entity.name) : table.faker.string.uuid();
    Object.assign(record, created ? this.randomFields(entity) : this.generatedSecrets(entity, pkOf(entity, record)));
    const profile = this.profile(entity);
    for (const field of profile.counters) record[field] = table.nextCounter(field);
    for (const field of profile.unique)
      if (field !== entity.pkField || entity.pk === 'string') record[field] = this.freeValue(table, field, record[field]);
    if (this.tokenEntity === entity) this.identities.issue(record);
    for (const value of Object.values(record)) if (typeof value === 'string') flatten(value);
    // Every link field has its place from the start (undefined until linkRecord draws it), so that linking changes
    // the record in place without growing it; the copy takes V8's compact layout (an object grown field by field
    // takes a larger one: 70 MB more in a large world).
    for (const link of this.linksOf(entity)) if (!(link.field in record)) record[link.field] = undefined;
    return { ...record };
  }

  /**
   * Random fields of generated records, by entity and pk: drawn once per world, so a reset brings the same ones back.
   * Only entities that have any are kept (most have none: an entry per record cost a large world ~15 % of its heap).
   */
  private readonly secretsOfGenerated = new Map<EntityType, Map<string, WorldRecord>>();

  private generatedSecrets(entity: EntityType, pk: Pk): WorldRecord {
    const key = String(pk);
    const kept = this.secretsOfGenerated.get(entity)?.get(key);
    if (kept) return kept;
    const values = this.randomFields(entity);
    if (Object.keys(values).length === 0) return values;
    let drawn = this.secretsOfGenerated.get(entity);
    if (!drawn) this.secretsOfGenerated.set(entity, (drawn = new Map()));
    drawn.set(key, values);
    return values;
  }

  /** Fields authentik fills at random (secrets, generated ids), fresh for every record; a token's key is kept apart. */
  private randomFields(entity: EntityType): WorldRecord {
    const values = this.modelValues.randomFields(entity);
    if (entity === this.tokenEntity) delete values['key'];
    return values;
  }

  /** Fields the world keeps apart from records (a token's key): a create's defaults leave them alone. */
  managesApart(entity: EntityType, field: string): boolean {
    return entity === this.tokenEntity && field === 'key';
  }

  /**
   * A created record's integer pk, from the family's root table: above every pk the family holds, and every pk
   * created before (saved with the world).
   */
  private createdInteger(root: Table): number {
    const pk = this.createdIds.takeInteger(root.entity.name, root.nextIntegerPk, this.options.createdIds?.integerFloor);
    root.takeIntegerPk(pk);
    return pk;
  }

  /** `value`, or `value-2`, `value-3`… (within the field's maxLength): the first that no record of the table holds. */
  private freeValue(table: Table, field: string, value: unknown): unknown {
    if (typeof value !== 'string' || !table.find(field, value)) return value;
    const schema = this.contract.resolve(properties(table.entity.schema)[field] ?? {});
    const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
    let candidate = value;
    for (let n = 2; table.find(field, candidate); n++) candidate = `${value.slice(0, maxLength - String(n).length - 1)}-${n}`;
    return candidate;
  }

  /** Points the record's references (and stand-alone embeds) at records that exist, drawn from the table's sequence. */
  private linkRecord(table: Table, record: WorldRecord): void {
    const entity = table.entity;
    for (const link of this.linksOf(entity)) {
      const target = this.generated(this.store.rawTable(link.target));
      const self = link.target === entity.name ? pkOf(entity, record) : undefined;
      const current = record[link.field];
      const keptOut = this.keptOutOf(entity, link);
      if (link.many) record[link.field] = target.randomPks(table.faker, MAX_GENERATED_LINKS, self, keptOut);
      else if (link.nullable && current === null) record[link.field] = null;
      else record[link.field] = target.randomPk(table.faker, self, keptOut) ?? (link.nullable ? null : current);
    }
  }

  private readonly links = new Map<EntityType, Link[]>();

  /** The links a record of the entity stores: its own, and those of its bases' fields it does not show itself. */
  private linksOf(entity: EntityType): Link[] {
    let links = this.links.get(entity);
    if (!links) {
      const own = properties(entity.schema);
      const inherited = this.lineage(entity)
        .slice(1)
        .flatMap((base) => storedLinks(base).filter((link) => !(link.field in own)));
      this.links.set(entity, (links = [...storedLinks(entity), ...inherited]));
    }
    return links;
  }

  private lineage(entity: EntityType): EntityType[] {
    return lineage(this.model, entity);
  }

  private readonly inheritedSkips = new Map<string, Set<string>>();

  /** What generating a base's fields for a subtype's record leaves out: what the subtype has, and the base's embeds. */
  private inheritedSkip(entity: EntityType, base: EntityType): Set<string> {
    const key = `${entity.name}\u0000${base.name}`;
    let skip = this.inheritedSkips.get(key);
    if (!skip) this.inheritedSkips.set(key, (skip = new Set([...Object.keys(properties(entity.schema)), ...this.notGenerated(base)])));
    return skip;
  }

  private readonly skipped = new Map<EntityType, Set<string>>();

  private notGenerated(entity: EntityType): Set<string> {
    let fields = this.skipped.get(entity);
    if (!fields) {
      fields = new Set(entity.embeds.keys());
      for (const reference of entity.references.values()) if (reference.inverseOf) fields.add(reference.field);
      this.skipped.set(entity, fields);
    }
    return fields;
  }
}

/**
 * Makes V8 store a string built by concatenation (faker's UUIDs, names) as one flat string: a stored UUID takes 56
 * bytes instead of about 180. Reading a character is what flattens it.
 */
function flatten(text: string): void {
  void text.charCodeAt(0);
}

/** Each table's sequence depends on the seed and the entity's name only. */
function seedFor(seed: number, name: string): number {
  let hash = seed | 0;
  for (let i = 0; i < name.length; i++) hash = (Math.imul(hash, 31) + name.charCodeAt(i)) | 0;
  return hash >>> 0;
}

/** authentik's Token: an `identifier`, an `intent` that can be "api", and a `user` it authenticates as. */
function isTokenEntity(contract: Contract, entity: EntityType): boolean {
  const fields = properties(entity.schema);
  const intent = fields['intent'] ? contract.resolve(fields['intent']) : {};
  const intents = Array.isArray(intent.enum) ? intent.enum : [];
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
