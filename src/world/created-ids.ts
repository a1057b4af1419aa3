import { stableUuid } from '../contract/stable-uuid.js';
import { isPlainObject } from '../contract/types.js';

/** Where one table's created ids stand: the next integer pk at least, and how many UUIDs it has created. */
export interface IdSequence {
  integer: number;
  uuids: number;
}

/**
 * The ids handed out to records created through the API, per table. Created ids are data, not secrets: they follow
 * a deterministic sequence (same requests, same ids), but this position is saved with the world (a dump's
 * `sequences`) and kept across resets and loads, so no id is ever handed out twice — not after a restart from a data
 * file, not after `POST /_mock/reset`, not after loading an older dump.
 */
export class CreatedIds {
  private readonly sequences = new Map<string, IdSequence>();

  constructor(private readonly name: string) {}

  /** The next created integer pk of the table: above every pk it holds (`nextStored`) or ever handed out. */
  takeInteger(table: string, nextStored: number, floor = 0): number {
    const sequence = this.of(table);
    const pk = Math.max(nextStored, sequence.integer, floor);
    sequence.integer = pk + 1;
    return pk;
  }

  /** The next created UUID of the table. */
  takeUuid(table: string): string {
    const sequence = this.of(table);
    return sequenceUuid(`${this.name}:${table}`, sequence.uuids++);
  }

  toJSON(): Record<string, IdSequence> {
    return Object.fromEntries([...this.sequences].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Takes a saved position where it is further on than this one (a sequence never goes back). */
  advance(saved: unknown): void {
    if (!isPlainObject(saved)) return;
    for (const [table, value] of Object.entries(saved)) {
      if (!isPlainObject(value)) continue;
      const sequence = this.of(table);
      if (Number.isSafeInteger(value['integer'])) sequence.integer = Math.max(sequence.integer, value['integer'] as number);
      if (Number.isSafeInteger(value['uuids'])) sequence.uuids = Math.max(sequence.uuids, value['uuids'] as number);
    }
  }

  private of(table: string): IdSequence {
    let sequence = this.sequences.get(table);
    if (!sequence) this.sequences.set(table, (sequence = { integer: 1, uuids: 0 }));
    return sequence;
  }
}

/** The `n`th UUID (version 4 layout) of a named sequence: the same for the same name and n, unrelated for others. */
export function sequenceUuid(sequence: string, n: number): string {
  return stableUuid(`${sequence}#${n}`);
}
