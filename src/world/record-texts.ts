import type { JsonSchema } from '../contract/types.js';
import type { WorldRecord } from '../contract/entity-model.js';
import type { ReadonlyTable } from './store.js';
import { stillTrue, TextReads, type TextRead } from './text-reads.js';

/** A record's rendered JSON text, and what its rendering read (its embeds, mirrors, owners: records, or whole tables). */
interface TextEntry {
  text: string;
  reads: TextRead[];
}

/** Bytes of text kept at most (a large world's lists must not keep every record's text). */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Records as JSON text, rendered once and kept while they stay true. A record that can be read is never changed in
 * place, so a record's own change is a new object (a new key here); what it shows of others (an embedded user, its
 * groups, a mirrored name) is checked against what its rendering read: the same records at the pks it read them by,
 * the same version of tables it read whole (text-reads.ts). A list page is then the envelope around kept texts, not
 * a new stringify of every object. Bounded in bytes: the oldest texts go first.
 */
export class RecordTexts {
  private readonly entries = new Map<WorldRecord, Map<JsonSchema | undefined, TextEntry>>();
  /**
   * Records in the order their first text was kept: the oldest go first. (Finding the Map's first entry instead steps
   * over every entry deleted since it last compacted itself, at each eviction; an iterator kept open keeps the Map's
   * old tables, and the texts they held, alive.) Slots before `next` are evicted records, cut off now and then.
   */
  private readonly order: WorldRecord[] = [];
  private next = 0;
  private bytes = 0;
  /** What the rendering in progress read. */
  private reading: TextReads | undefined;

  constructor(
    private readonly render: (entity: string, record: WorldRecord, view: JsonSchema | undefined) => WorldRecord,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  /** The table as the rendering in progress reads it, its reads noted (the world's table accessor); else as it is. */
  view(table: ReadonlyTable): ReadonlyTable {
    return this.reading ? this.reading.view(table) : table;
  }

  text(entity: string, record: WorldRecord, view?: JsonSchema): string {
    const kept = this.entries.get(record)?.get(view);
    if (kept && stillTrue(kept.reads)) return kept.text;
    const reading = (this.reading = new TextReads());
    let text: string;
    try {
      text = JSON.stringify(this.render(entity, record, view));
    } finally {
      this.reading = undefined;
    }
    this.keep(record, view, { text, reads: reading.list() }, kept);
    return text;
  }

  private keep(record: WorldRecord, view: JsonSchema | undefined, entry: TextEntry, replaced: TextEntry | undefined): void {
    let byView = this.entries.get(record);
    if (!byView) {
      this.entries.set(record, (byView = new Map()));
      this.order.push(record);
    }
    byView.set(view, entry);
    this.bytes += entry.text.length - (replaced?.text.length ?? 0);
    while (this.bytes > this.maxBytes && this.entries.size > 1) this.evictOldest();
  }

  private evictOldest(): void {
    const record = this.order[this.next++]!;
    for (const held of this.entries.get(record)?.values() ?? []) this.bytes -= held.text.length;
    this.entries.delete(record);
    if (this.next >= 1024 && this.next * 2 >= this.order.length) {
      this.order.splice(0, this.next);
      this.next = 0;
    }
  }
}
