import type { JsonSchema } from '../contract/types.js';
import { properties, type EntityModel, type Reference } from './entity-model.js';
import type { Pk, Table, WorldRecord } from './store.js';

const MAX_EMBED_DEPTH = 4;

/**
 * Shows stored records the way a response does: embedded objects are the current records they point at, seen through
 * the embedding schema (GroupMember of a User), and the computed side of a many-to-many is worked out from the other.
 */
export class RecordRenderer {
  constructor(
    private readonly model: EntityModel,
    private readonly table: (entity: string) => Table,
  ) {}

  render(entityName: string, record: WorldRecord, view?: JsonSchema, depth = 0): WorldRecord {
    const entity = this.model.entities.get(entityName)!;
    const out: WorldRecord = {};
    for (const field of Object.keys(properties(view ?? entity.schema))) {
      const embed = entity.embeds.get(field);
      if (embed) {
        const pointer = embed.via ? this.value(entityName, record, embed.via) : record[field];
        out[field] = this.embedded(embed.target, pointer, embed.schema, embed.many, depth);
        continue;
      }
      const value = this.mirrored(entityName, record, field) ?? this.value(entityName, record, field);
      if (value !== undefined) out[field] = value;
    }
    return out;
  }

  /** A stored field, or the computed side of a many-to-many. */
  value(entityName: string, record: WorldRecord, field: string): unknown {
    const reference = this.model.entities.get(entityName)!.references.get(field);
    return reference?.inverseOf ? this.inverse(reference, record['pk'] as Pk) : record[field];
  }

  /**
   * `parent_name`, `provider_slug`…: a read-only field named after a reference shows the referenced record's field,
   * so it can never disagree with it.
   */
  private mirrored(entityName: string, record: WorldRecord, field: string): unknown {
    const match = /^(.+)_(name|slug|username|title)$/.exec(field);
    const reference = match && this.model.entities.get(entityName)!.references.get(match[1]!);
    if (!match || !reference || reference.many) return undefined;
    const target = this.table(reference.target).get(record[reference.field]);
    return target ? (target[match[2]!] ?? null) : record[reference.field] === null ? null : undefined;
  }

  private inverse(reference: Reference, pk: Pk): Pk[] {
    const { entity, field } = reference.inverseOf!;
    const owners: Pk[] = [];
    for (const other of this.table(entity).all()) {
      const pointed = other[field];
      if (Array.isArray(pointed) && pointed.some((p) => String(p) === String(pk))) owners.push(other['pk'] as Pk);
    }
    return owners;
  }

  private embedded(target: string, pointer: unknown, view: JsonSchema, many: boolean, depth: number): unknown {
    const table = this.table(target);
    if (many) {
      if (!Array.isArray(pointer) || depth >= MAX_EMBED_DEPTH) return [];
      return pointer.map((pk) => table.get(pk)).filter((r): r is WorldRecord => !!r).map((r) => this.render(target, r, view, depth + 1));
    }
    const record = table.get(pointer);
    return record && depth < MAX_EMBED_DEPTH ? this.render(target, record, view, depth + 1) : null;
  }
}
