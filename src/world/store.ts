import type { Faker } from '@faker-js/faker';
import type { FixtureGenerator } from '../fixtures/generate.js';
import type { EntityType } from './entity-model.js';

export type WorldRecord = Record<string, unknown>;
export type Pk = string | number;

/** Records of one entity in creation order, found by pk in O(1). */
export class Table {
  private readonly byPk = new Map<string, WorldRecord>();
  nextIntegerPk = 1;
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
    return [...this.byPk.values()].map((r) => r['pk'] as Pk);
  }

  get(pk: unknown): WorldRecord | undefined {
    return pk === null || pk === undefined ? undefined : this.byPk.get(String(pk));
  }

  find(field: string, value: unknown): WorldRecord | undefined {
    if (field === 'pk') return this.get(value);
    for (const record of this.byPk.values()) if (String(record[field]) === String(value)) return record;
    return undefined;
  }

  put(record: WorldRecord): void {
    const pk = record['pk'];
    if (typeof pk === 'number' && pk >= this.nextIntegerPk) this.nextIntegerPk = pk + 1;
    this.byPk.set(String(pk), record);
  }

  delete(pk: unknown): boolean {
    return this.byPk.delete(String(pk));
  }

  clear(state: Table['state'] = 'empty'): void {
    this.byPk.clear();
    this.nextIntegerPk = 1;
    this.state = state;
  }
}
