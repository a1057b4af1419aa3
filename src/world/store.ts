import type { Faker } from '@faker-js/faker';
import type { FixtureGenerator } from '../fake/generate.js';
import { pkOf, storedLinks, type EntityModel, type EntityType, type Link, type Pk, type WorldRecord } from '../contract/entity-model.js';

const SEPARATOR = '\u0000';
const keyOf = (values: unknown[]) => values.map((v) => String(v ?? null)).join(SEPARATOR);

/**
 * What everything outside the store may do with a table: read. Writes go through the store (World.create/save/remove),
 * which keeps the indexes, the families and the version answers are cached against.
 */
export interface ReadonlyTable {
  readonly entity: EntityType;
  readonly version: number;
  readonly size: number;
  all(): WorldRecord[];
  get(pk: unknown): WorldRecord | undefined;
  find(field: string, value: unknown): WorldRecord | undefined;
  findTogether(fields: readonly string[], values: unknown[]): WorldRecord | undefined;
  pointingAt(field: string, target: Pk): string[];
  indexed(field: string, value: unknown): WorldRecord[] | undefined;
  /** The most specific table holding the pk (a subtype's, for a record of the base's family). */
  holderOf(pk: unknown): ReadonlyTable;
}

/**
 * Records of one entity in creation order. Everything a write or a delete asks is indexed, so its cost does not
 * grow with the table: a record by pk, by a unique field or a unique set of fields, the records whose link points
 * at a given pk, and a random pk (for generated links).
 */
export class Table implements ReadonlyTable {
  private readonly byPk = new Map<string, WorldRecord>();
  /** Unique indexes: fields (joined) → values (joined) → pk. */
  private readonly uniques = new Map<string, { fields: readonly string[]; index: Map<string, string> }>();
  /** Link indexes: link field → target pk → the pk (or pks) of the records pointing at it. */
  private readonly links = new Map<string, Map<string, string | Set<string>>>();
  /** pks for O(1) random picks (swap-remove on delete); in creation order until the first delete. */
  private readonly pkList: Pk[] = [];
  /** Where each pk is in pkList, made by the first delete: a generated table never needs it (a Map entry per record). */
  private pkPosition: Map<string, number> | undefined;
  private nextPk = 1;
  private readonly counters = new Map<string, number>();
  /** Tables fill on first use; each has its own seeded sequence, so the order of use changes nothing. */
  state: 'empty' | 'generated' | 'linked' = 'empty';
  /** Bumped by every change to the table: what was worked out from it (a record's rendered text) is stale after. */
  version = 0;
  /** The base entity's table (Provider's for OAuth2Provider): every record stored here is stored there too. */
  base: Table | undefined;
  /** On a base table: which subtype's table (a direct one) holds each record that is not the base's own. */
  private readonly members = new Map<string, Table>();

  constructor(
    readonly entity: EntityType,
    readonly faker: Faker,
    readonly generator: FixtureGenerator,
  ) {}

  get size(): number {
    return this.byPk.size;
  }

  all(): WorldRecord[] {
    return [...this.byPk.values()];
  }

  /** Records of this entity itself, not of a subtype (a dump lists each record once, in its own table). */
  ownRecords(): WorldRecord[] {
    return this.members.size === 0 ? this.all() : this.all().filter((r) => !this.members.has(String(r[this.entity.pkField])));
  }

  /** The most specific table holding the pk: this one, or a subtype's. */
  holderOf(pk: unknown): Table {
    const member = this.members.get(String(pk));
    return member ? member.holderOf(pk) : this;
  }

  /** The table at the top of the family (the one pks of every kind are unique in). */
  get root(): Table {
    return this.base ? this.base.root : this;
  }

  get(pk: unknown): WorldRecord | undefined {
    return pk === null || pk === undefined ? undefined : this.byPk.get(String(pk));
  }

  /** Keeps a unique index of the field, or of the set of fields together (call before records are stored). */
  index(fields: string | readonly string[]): void {
    const list = typeof fields === 'string' ? [fields] : fields;
    if (list.length === 1 && list[0] === this.entity.pkField) return;
    this.uniques.set(list.join(SEPARATOR), { fields: list, index: new Map() });
  }

  /** Keeps an index of which records point at each pk through the link field (call before records are stored). */
  indexLink(field: string): void {
    this.links.set(field, new Map());
  }

  find(field: string, value: unknown): WorldRecord | undefined {
    if (field === this.entity.pkField) return this.get(value);
    const unique = this.uniques.get(field);
    if (unique) return this.get(unique.index.get(keyOf([value])));
    for (const record of this.byPk.values()) if (String(record[field]) === String(value)) return record;
    return undefined;
  }

  /** The record holding these values in these fields together (an indexed set: `index(fields)`). */
  findTogether(fields: readonly string[], values: unknown[]): WorldRecord | undefined {
    return this.get(this.uniques.get(fields.join(SEPARATOR))?.index.get(keyOf(values)));
  }

  /**
   * The records whose `field` equals `value`, found through an index — the pk, a unique field, or a link — without
   * a scan; undefined when no index covers the field (then only a scan can tell).
   */
  indexed(field: string, value: unknown): WorldRecord[] | undefined {
    const one = (record: WorldRecord | undefined) => (record ? [record] : []);
    if (field === this.entity.pkField) return one(this.get(value));
    if (this.uniques.has(field)) return one(this.get(this.uniques.get(field)!.index.get(keyOf([value]))));
    if (this.links.has(field)) return this.pointingAt(field, value as Pk).flatMap((pk) => one(this.byPk.get(pk)));
    return undefined;
  }

  /** pks of the records whose link field points at `target` (an indexed link: `indexLink(field)`). */
  pointingAt(field: string, target: Pk): string[] {
    const held = this.links.get(field)?.get(String(target));
    return held === undefined ? [] : typeof held === 'string' ? [held] : [...held];
  }

  /** A random stored pk other than `except`, or undefined when there is none. */
  randomPk(faker: Faker, except?: Pk, keptOut?: ReadonlySet<string>): Pk | undefined {
    const candidates = except !== undefined && this.byPk.has(String(except)) ? this.size - 1 : this.size;
    if (candidates <= 0) return undefined;
    for (let tries = 0; tries < 8; tries++) {
      let pk = this.pkList[faker.number.int({ min: 0, max: candidates - 1 })]!;
      if (except !== undefined && String(pk) === String(except)) pk = this.pkList[candidates]!;
      if (!keptOut?.has(String(pk))) return pk;
    }
    return undefined;
  }

  /** Up to `max` distinct random pks other than `except`. */
  randomPks(faker: Faker, max: number, except?: Pk, keptOut?: ReadonlySet<string>): Pk[] {
    const available = this.size - (except !== undefined && this.byPk.has(String(except)) ? 1 : 0);
    const count = faker.number.int({ min: 0, max: Math.min(max, available) });
    const picked = new Map<string, Pk>();
    for (let tries = 0; picked.size < count && tries < count * 8; tries++) {
      const pk = this.randomPk(faker, except, keptOut);
      if (pk !== undefined) picked.set(String(pk), pk);
    }
    return [...picked.values()];
  }

  /** The next integer pk: one more than any ever stored here (never reused, even after deletes), and at least `floor`. */
  takeIntegerPk(floor = 0): number {
    const pk = Math.max(this.nextPk, floor);
    this.nextPk = pk + 1;
    return pk;
  }

  /** The integer pk the next create would take (ignoring any floor). */
  get nextIntegerPk(): number {
    return this.nextPk;
  }

  /** The next value of a counter field (`num_pk`): one more than any stored. */
  nextCounter(field: string): number {
    if (!this.counters.has(field)) {
      let max = 0;
      for (const record of this.byPk.values()) if (typeof record[field] === 'number') max = Math.max(max, record[field] as number);
      this.counters.set(field, max + 1);
    }
    const next = this.counters.get(field)!;
    this.counters.set(field, next + 1);
    return next;
  }

  /**
   * Stores the record, re-indexing it, here and in the base tables above (a record of a subtype is a record of its
   * base). A record a subtype holds is stored through the subtype's table, whichever table is asked. A changed
   * record is a new object (a record that can be read is never changed in place; see `changeUnread` for the one
   * exception): the stored one tells what to take out of the indexes.
   */
  put(record: WorldRecord): void {
    const member = this.members.get(String(record[this.entity.pkField]));
    if (member) return member.put(record);
    this.store(record);
    this.base?.hold(record, this);
  }

  /** Stores a record a subtype's table holds. */
  private hold(record: WorldRecord, member: Table): void {
    this.members.set(String(record[this.entity.pkField]), member);
    this.store(record);
    this.base?.hold(record, this);
  }

  private store(record: WorldRecord): void {
    this.version++;
    const pk = record[this.entity.pkField] as Pk;
    if (typeof pk === 'number' && pk >= this.nextPk) this.nextPk = pk + 1;
    for (const [field, value] of this.counters)
      if (typeof record[field] === 'number' && (record[field] as number) >= value) this.counters.set(field, (record[field] as number) + 1);
    const key = String(pk);
    const previous = this.byPk.get(key);
    if (previous) this.unindex(key, previous);
    else {
      this.pkPosition?.set(key, this.pkList.length);
      this.pkList.push(pk);
    }
    this.byPk.set(key, record);
    this.indexRecord(key, record);
  }

  /**
   * Changes a stored record in place, re-indexed here and in the bases above: the one exception to records never
   * changing in place, for records nobody can have read yet. The world links the records it has just generated this
   * way, before their table is handed out (a linked copy of each would be a whole world of garbage).
   */
  changeUnread(pk: Pk, change: (record: WorldRecord) => void): void {
    const key = String(pk);
    const record = this.byPk.get(key);
    if (record) this.reindexAround(key, record, () => change(record));
  }

  /** Takes the record out of the indexes here and in every base, makes the change, and puts it back in. */
  private reindexAround(key: string, record: WorldRecord, change: () => void): void {
    this.unindex(key, record);
    if (this.base) this.base.reindexAround(key, record, change);
    else change();
    this.version++;
    this.indexRecord(key, record);
  }

  private indexRecord(key: string, record: WorldRecord): void {
    for (const { fields, index } of this.uniques.values()) {
      const value = uniqueKey(fields, record);
      if (value !== undefined) index.set(value, key);
    }
    for (const [field, index] of this.links) {
      for (const target of linkTargets(record[field])) {
        const held = index.get(target);
        if (held === undefined) index.set(target, key);
        else if (typeof held === 'string') {
          if (held !== key) index.set(target, new Set([held, key]));
        } else held.add(key);
      }
    }
  }

  /** Removes the record from the table that holds it and from every base above (a subtype's, if a subtype holds it). */
  delete(pk: unknown): boolean {
    const key = String(pk);
    const member = this.members.get(key);
    if (member) return member.delete(pk);
    const removed = this.deleteHere(key);
    if (removed) this.base?.release(key);
    return removed;
  }

  /** A subtype's table no longer holds the record. */
  private release(key: string): void {
    this.members.delete(key);
    this.deleteHere(key);
    this.base?.release(key);
  }

  private deleteHere(key: string): boolean {
    const previous = this.byPk.get(key);
    if (!previous) return false;
    this.version++;
    this.unindex(key, previous);
    const positions = (this.pkPosition ??= new Map(this.pkList.map((pk, i) => [String(pk), i])));
    const position = positions.get(key);
    if (position !== undefined) {
      const last = this.pkList.pop()!;
      if (position < this.pkList.length) {
        this.pkList[position] = last;
        positions.set(String(last), position);
      }
      positions.delete(key);
    }
    return this.byPk.delete(key);
  }

  /** Empties this table only: the world clears every table of a family together. */
  clear(state: Table['state'] = 'empty'): void {
    this.version++;
    this.byPk.clear();
    this.members.clear();
    for (const { index } of this.uniques.values()) index.clear();
    for (const index of this.links.values()) index.clear();
    this.pkList.length = 0;
    this.pkPosition = undefined;
    this.counters.clear();
    this.nextPk = 1;
    this.state = state;
  }

  private unindex(key: string, record: WorldRecord): void {
    for (const { fields, index } of this.uniques.values()) {
      const value = uniqueKey(fields, record);
      if (value !== undefined && index.get(value) === key) index.delete(value);
    }
    for (const [field, index] of this.links) {
      for (const target of linkTargets(record[field])) {
        const held = index.get(target);
        if (held === key) index.delete(target);
        else if (typeof held !== 'string' && held) {
          held.delete(key);
          if (held.size === 1) index.set(target, held.values().next().value!);
        }
      }
    }
  }
}

/** The unique index key of a record (undefined when a single indexed field is empty: nothing to find it by). */
function uniqueKey(fields: readonly string[], record: WorldRecord): string | undefined {
  const values = fields.map((f) => record[f]);
  if (fields.length === 1 && (values[0] === null || values[0] === undefined)) return undefined;
  return keyOf(values);
}

/** The pks a link value points at (one, none, or a list). */
function linkTargets(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === null || value === undefined ? [] : [String(value)];
}

/** What `Store.snapshot` keeps. */
export type StoreSnapshot = Map<Table, { records: WorldRecord[]; state: Table['state'] }>;

/** What a record costs to hold, as the byte budget counts it: its length as JSON. */
export function sizeOf(record: WorldRecord): number {
  return JSON.stringify(record).length;
}

/** A link into an entity from another: who to update or delete when one of its records goes. */
interface IncomingLink {
  from: string;
  link: Link;
}

/** What a create or update also changes: the stored side of a many-to-many shown on this record (`group.users`). */
export interface InverseWrite {
  field: string;
  value: Pk[];
}

/**
 * Every record of the world, and every change to them: the one owner of writes, their indexes and the version
 * (bumped by each change: answers computed at one version can be reused until the next).
 */
export class Store {
  private readonly tables = new Map<string, Table>();
  private readonly incoming = new Map<string, IncomingLink[]>();
  private currentVersion = 0;
  /** Size as JSON of each record written through the API (`Entity\u0000pk`), for the world's byte budget. */
  private readonly writtenBytes = new Map<string, number>();
  private totalWrittenBytes = 0;

  constructor(
    private readonly model: EntityModel,
    makeTable: (entity: EntityType) => Table,
  ) {
    const entities = [...model.entities.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const entity of entities) this.tables.set(entity.name, makeTable(entity));
    for (const entity of entities) if (entity.base) this.tables.get(entity.name)!.base = this.tables.get(entity.base);
    for (const entity of entities) {
      for (const link of storedLinks(entity)) {
        this.tables.get(entity.name)!.indexLink(link.field);
        const list = this.incoming.get(link.target) ?? [];
        list.push({ from: entity.name, link });
        this.incoming.set(link.target, list);
      }
    }
  }

  get version(): number {
    return this.currentVersion;
  }

  has(name: string): boolean {
    return this.tables.has(name);
  }

  /** The table as it is (generation on first use is the world's business). */
  rawTable(name: string): Table {
    return this.tables.get(name)!;
  }

  tableList(): Table[] {
    return [...this.tables.values()];
  }

  /** Records held, over every table. */
  get recordCount(): number {
    let count = 0;
    for (const table of this.tables.values()) count += table.size;
    return count;
  }

  /** Size as JSON of the records written through the API that are held now. */
  get storedBytes(): number {
    return this.totalWrittenBytes;
  }

  /**
   * Stores a new record. A record whose pk is taken is never overwritten: that would silently destroy what someone
   * created (it is a bug of ours, answered as an internal error).
   */
  insert(entityName: string, record: WorldRecord, inverse: readonly InverseWrite[] = [], size?: number): void {
    const table = this.tables.get(entityName)!;
    const pk = pkOf(table.entity, record);
    // The family's root: a provider's pk is taken whichever kind of provider holds it.
    if (table.root.get(pk)) throw new Error(`${entityName} ${String(pk)} exists already: a create never replaces a record`);
    this.save(entityName, record, inverse, size);
  }

  /**
   * Stores a created or changed record, and the other side of any many-to-many the write set. Its size as JSON
   * counts against the world's byte budget until the record goes (generated records do not count).
   */
  save(entityName: string, record: WorldRecord, inverse: readonly InverseWrite[] = [], size = sizeOf(record)): void {
    const table = this.tables.get(entityName)!;
    table.put(record);
    const entity = this.model.entities.get(entityName)!;
    const pk = pkOf(entity, record);
    // Counted once, under the table that holds it (a write through a base resource counts as its subtype's).
    this.setWrittenBytes(`${table.holderOf(pk).entity.name}${SEPARATOR}${String(pk)}`, size);
    for (const { field, value } of inverse) this.setOwners(entity, field, pk, value);
    this.currentVersion++;
  }

  /**
   * Removes a record and what cannot live without it: Django's CASCADE for required links, SET_NULL for nullable
   * ones, and the pk taken out of many-to-many lists. Returns every removed record's entity and pk.
   */
  remove(entityName: string, pk: Pk): Array<{ entity: string; pk: Pk }> {
    const removed: Array<{ entity: string; pk: Pk }> = [];
    this.removeCascading(entityName, pk, removed);
    if (removed.length > 0) this.currentVersion++;
    return removed;
  }

  /** Every table's own records and where its tables stand: what `restore` brings back. */
  snapshot(): StoreSnapshot {
    return new Map(this.tableList().map((t) => [t, { records: t.ownRecords(), state: t.state }]));
  }

  /** Back to a snapshot (a stored record is never changed in place once read, so the snapshot's objects are as they were). */
  restore(snapshot: StoreSnapshot): void {
    for (const table of this.tables.values()) table.clear(snapshot.get(table)?.state);
    for (const [table, { records }] of snapshot) for (const record of records) table.put(record);
    this.currentVersion++;
  }

  /** A change made outside save/remove (a reset, a load): answers must be recomputed. */
  touch(): void {
    this.currentVersion++;
  }

  /** Every table emptied of what was written (the world reseeds or loads next). */
  forgetWrites(): void {
    this.writtenBytes.clear();
    this.totalWrittenBytes = 0;
  }

  /** What a record written through the API counts now (0 for a generated one). */
  writtenSize(entityName: string, pk: Pk): number {
    const holder = this.tables.get(entityName)!.holderOf(pk).entity.name;
    return this.writtenBytes.get(`${holder}${SEPARATOR}${String(pk)}`) ?? 0;
  }

  private setWrittenBytes(key: string, bytes: number): void {
    this.totalWrittenBytes += bytes - (this.writtenBytes.get(key) ?? 0);
    if (bytes > 0) this.writtenBytes.set(key, bytes);
    else this.writtenBytes.delete(key);
  }

  private removeCascading(entityName: string, pk: Pk, removed: Array<{ entity: string; pk: Pk }>): void {
    // The record goes from its own table and every base above; what points at any of them follows.
    const holder = this.tables.get(entityName)!.holderOf(pk);
    if (!holder.delete(pk)) return;
    removed.push({ entity: holder.entity.name, pk });
    this.setWrittenBytes(`${holder.entity.name}${SEPARATOR}${String(pk)}`, 0);
    for (let table: Table | undefined = holder; table; table = table.base) this.cascadeFrom(table.entity.name, pk, removed);
  }

  /** What points at the removed `pk` of `entityName`: deleted (CASCADE), emptied (SET_NULL), or taken out of a list. */
  private cascadeFrom(entityName: string, pk: Pk, removed: Array<{ entity: string; pk: Pk }>): void {
    for (const { from, link } of this.incoming.get(entityName) ?? []) {
      const other = this.tables.get(from)!;
      for (const otherKey of other.pointingAt(link.field, pk)) {
        const record = other.get(otherKey);
        if (!record) continue;
        if (link.many) other.put({ ...record, [link.field]: (record[link.field] as Pk[]).filter((p) => String(p) !== String(pk)) });
        else if (link.nullable) other.put({ ...record, [link.field]: null });
        else this.removeCascading(from, pkOf(other.entity, record), removed);
      }
    }
  }

  /** Makes exactly the `wanted` records of the owning entity list `pk` in their many-to-many field (Django's `.set()`). */
  private setOwners(entity: EntityType, field: string, pk: Pk, wanted: readonly Pk[]): void {
    const { entity: ownerName, field: ownerField } = entity.references.get(field)!.inverseOf!;
    const owners = this.tables.get(ownerName)!;
    const wantedKeys = new Set(wanted.map(String));
    for (const key of owners.pointingAt(ownerField, pk)) {
      if (wantedKeys.delete(key)) continue; // already lists it
      const owner = owners.get(key)!;
      owners.put({ ...owner, [ownerField]: (owner[ownerField] as Pk[]).filter((p) => String(p) !== String(pk)) });
    }
    for (const key of wantedKeys) {
      const owner = owners.get(key);
      if (!owner) continue;
      owners.put({ ...owner, [ownerField]: [...(Array.isArray(owner[ownerField]) ? (owner[ownerField] as Pk[]) : []), pk] });
    }
  }
}
