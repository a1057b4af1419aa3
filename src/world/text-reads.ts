import type { Pk, WorldRecord } from '../contract/entity-model.js';
import type { ReadonlyTable } from './store.js';

/**
 * What a kept text was made of: a table read whole (its version then); one record of it read by pk (the record
 * then); or the records whose link points at a pk (their pks then). With the table's version, which spares checking
 * the rest while the table is unchanged.
 */
export interface TextRead {
  table: ReadonlyTable;
  version: number;
  /** A record read by pk: the text stays true while the table holds this same record (records never change in place). */
  one?: { pk: unknown; record: WorldRecord | undefined };
  /** The records linking to `target` through `field` (a user's groups): true while they are the same ones. */
  pointing?: { field: string; target: Pk; pks: string[] };
}

/** Whether what a text read is still there: the same table version, else the same records where it read them. */
export function stillTrue(reads: readonly TextRead[]): boolean {
  for (const read of reads) {
    if (read.table.version === read.version) continue;
    if (!unchanged(read)) return false;
    read.version = read.table.version; // unchanged for this text: the next check is the quick one again
  }
  return true;
}

function unchanged({ table, one, pointing }: TextRead): boolean {
  if (one) return table.get(one.pk) === one.record;
  if (!pointing) return false;
  const now = table.pointingAt(pointing.field, pointing.target);
  return now.length === pointing.pks.length && now.every((pk, i) => pk === pointing.pks[i]);
}

/**
 * The reads of one rendering: tables read whole (a list, an index, a search) and records read by pk. A text that
 * embeds a user and its groups is then stale when that user or one of those groups changes, not when any group does.
 */
export class TextReads {
  private readonly whole = new Set<ReadonlyTable>();
  private readonly records = new Map<ReadonlyTable, Map<string, { pk: unknown; record: WorldRecord | undefined }>>();
  private readonly pointing = new Map<ReadonlyTable, Map<string, { field: string; target: Pk; pks: string[] }>>();
  private readonly views = new Map<ReadonlyTable, NotedTable>();

  /** The table as this rendering reads it: every read is noted (one view per table, however often it is asked for). */
  view(table: ReadonlyTable): ReadonlyTable {
    let view = this.views.get(table);
    if (!view) this.views.set(table, (view = new NotedTable(table, this)));
    return view;
  }

  readWhole(table: ReadonlyTable): void {
    this.whole.add(table);
  }

  readOne(table: ReadonlyTable, pk: unknown, record: WorldRecord | undefined): void {
    let byPk = this.records.get(table);
    if (!byPk) this.records.set(table, (byPk = new Map()));
    byPk.set(String(pk), { pk, record });
  }

  readPointing(table: ReadonlyTable, field: string, target: Pk, pks: string[]): void {
    let byLink = this.pointing.get(table);
    if (!byLink) this.pointing.set(table, (byLink = new Map()));
    byLink.set(`${field}\u0000${String(target)}`, { field, target, pks: [...pks] });
  }

  /** What the text depends on, as `stillTrue` checks it. */
  list(): TextRead[] {
    const reads: TextRead[] = [...this.whole].map((table) => ({ table, version: table.version }));
    for (const [table, byPk] of this.records)
      if (!this.whole.has(table)) for (const one of byPk.values()) reads.push({ table, version: table.version, one });
    for (const [table, byLink] of this.pointing)
      if (!this.whole.has(table)) for (const pointing of byLink.values()) reads.push({ table, version: table.version, pointing });
    return reads;
  }
}

/** A table whose reads are noted: by pk, the record; anything else, the whole table. */
class NotedTable implements ReadonlyTable {
  constructor(
    private readonly table: ReadonlyTable,
    private readonly reads: TextReads,
  ) {}

  get entity() {
    return this.table.entity;
  }

  get version(): number {
    this.reads.readWhole(this.table);
    return this.table.version;
  }

  get size(): number {
    this.reads.readWhole(this.table);
    return this.table.size;
  }

  get(pk: unknown): WorldRecord | undefined {
    const record = this.table.get(pk);
    this.reads.readOne(this.table, pk, record);
    return record;
  }

  /** The subtype's table holding the pk (pks are unique in a family and never reused: the holder never changes). */
  holderOf(pk: unknown): ReadonlyTable {
    return this.reads.view(this.table.holderOf(pk));
  }

  all(): WorldRecord[] {
    this.reads.readWhole(this.table);
    return this.table.all();
  }

  find(field: string, value: unknown): WorldRecord | undefined {
    this.reads.readWhole(this.table);
    return this.table.find(field, value);
  }

  findTogether(fields: readonly string[], values: unknown[]): WorldRecord | undefined {
    this.reads.readWhole(this.table);
    return this.table.findTogether(fields, values);
  }

  pointingAt(field: string, target: Pk): string[] {
    const pks = this.table.pointingAt(field, target);
    this.reads.readPointing(this.table, field, target, pks);
    return pks;
  }

  indexed(field: string, value: unknown): WorldRecord[] | undefined {
    this.reads.readWhole(this.table);
    return this.table.indexed(field, value);
  }
}
