import type { Faker } from '@faker-js/faker';
import type { FixtureGenerator } from '../fake/generate.js';
import type { EntityType, Pk, WorldRecord } from '../contract/entity-model.js';

/**
 * Records of one entity in creation order, found by pk in O(1), and by an indexed field (unique fields, lookups) in
 * O(1) too: a create or an update costs the same at 50 records as at 50,000.
 */
export class Table {
  private readonly byPk = new Map<string, WorldRecord>();
  /** field → value → pk, for the fields given to `index()`. */
  private readonly indexes = new Map<string, Map<string, string>>();
  /** pk → the indexed values it was stored under, so a record changed in place is re-indexed correctly on `put`. */
  private readonly indexedAs = new Map<string, Map<string, string>>();
  nextIntegerPk = 1;
  private readonly counters = new Map<string, number>();
  /** Tables fill on first use; each has its own seeded sequence, so the order of use changes nothing. */
  state: 'empty' | 'generated' | 'linked' = 'empty';

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

  pks(): Pk[] {
    return [...this.byPk.values()].map((r) => r[this.entity.pkField] as Pk);
  }

  get(pk: unknown): WorldRecord | undefined {
    return pk === null || pk === undefined ? undefined : this.byPk.get(String(pk));
  }

  /** Keeps `field` indexed from now on (call before records are stored). */
  index(field: string): void {
    if (field !== this.entity.pkField && !this.indexes.has(field)) this.indexes.set(field, new Map());
  }

  find(field: string, value: unknown): WorldRecord | undefined {
    if (field === this.entity.pkField) return this.get(value);
    const index = this.indexes.get(field);
    if (index) return this.get(index.get(String(value)));
    for (const record of this.byPk.values()) if (String(record[field]) === String(value)) return record;
    return undefined;
  }

  put(record: WorldRecord): void {
    const pk = record[this.entity.pkField];
    if (typeof pk === 'number' && pk >= this.nextIntegerPk) this.nextIntegerPk = pk + 1;
    for (const [field, value] of this.counters)
      if (typeof record[field] === 'number' && (record[field] as number) >= value) this.counters.set(field, (record[field] as number) + 1);
    const key = String(pk);
    this.unindex(key);
    this.byPk.set(key, record);
    if (this.indexes.size === 0) return;
    const values = new Map<string, string>();
    for (const [field, index] of this.indexes) {
      const value = record[field];
      if (value === null || value === undefined) continue;
      index.set(String(value), key);
      values.set(field, String(value));
    }
    this.indexedAs.set(key, values);
  }

  delete(pk: unknown): boolean {
    this.unindex(String(pk));
    return this.byPk.delete(String(pk));
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

  clear(state: Table['state'] = 'empty'): void {
    this.byPk.clear();
    this.indexedAs.clear();
    for (const index of this.indexes.values()) index.clear();
    this.counters.clear();
    this.nextIntegerPk = 1;
    this.state = state;
  }

  private unindex(key: string): void {
    const values = this.indexedAs.get(key);
    if (!values) return;
    for (const [field, value] of values) if (this.indexes.get(field)?.get(value) === key) this.indexes.get(field)!.delete(value);
    this.indexedAs.delete(key);
  }
}
