import { requiredOf, type JsonSchema } from '../contract/types.js';
import { pkOf, properties, type Embed, type EntityModel, type Reference } from '../contract/entity-model.js';
import { bindingKeys, DerivedFields, type BindingModel, type DerivedField, type ReverseSet } from '../contract/derived-fields.js';
import { lineage } from '../contract/inheritance.js';
import type { ReadonlyTable } from './store.js';
import type { Pk, WorldRecord } from '../contract/entity-model.js';

/** Below this depth optional embeds are left out (responses stay small); required ones go on, to a hard limit. */
const OPTIONAL_EMBED_DEPTH = 4;
const MAX_EMBED_DEPTH = 32;
const MIRROR = /^(.+)_(name|slug|username|title)$/;

/** How one field of a view is filled, decided once per (entity, view) rather than per record. */
type Step =
  | { field: string; kind: 'plain' }
  | { field: string; kind: 'linked-flag'; via: Reference }
  | { field: string; kind: 'embed'; embed: Embed; required: boolean; inverse?: Reference }
  | { field: string; kind: 'mirror'; reference: Reference; targetField: string }
  | { field: string; kind: 'inverse'; reference: Reference }
  | { field: string; kind: 'derived'; entity: string; derived: DerivedField; nullable: boolean; embed?: Embed }
  | { field: string; kind: 'computed'; compute: ComputeField };

/** A field a feature computes from the record (a flow's `export_url`): registered with `RecordRenderer.define`. */
export type ComputeField = (record: WorldRecord) => unknown;

/**
 * Shows stored records the way a response does: embedded objects are the current records they point at, seen through
 * the embedding schema (GroupMember of a User), `<link>_name` fields mirror the linked record, and the computed side
 * of a many-to-many is worked out from the other side.
 */
export class RecordRenderer {
  private readonly plans = new Map<string, WeakMap<JsonSchema, Step[]>>();
  /** Fields computed from other records (reverse links, what bindings bind, `<x>_set`), derived from the contract. */
  readonly derived: DerivedFields;
  private readonly computed = new Map<string, ComputeField>();

  constructor(
    private readonly model: EntityModel,
    private readonly table: (entity: string) => ReadonlyTable,
  ) {
    this.derived = new DerivedFields(model);
  }

  /** Shows `field` of the entity's records (and its subtypes') as `compute` makes it, wherever they are shown. */
  define(entityName: string, field: string, compute: ComputeField): void {
    this.computed.set(`${entityName}\u0000${field}`, compute);
    this.plans.clear();
    this.valueSteps.clear();
  }

  render(entityName: string, record: WorldRecord, view?: JsonSchema, depth = 0): WorldRecord {
    const out: WorldRecord = {};
    const entity = this.model.entities.get(entityName)!;
    const pk = pkOf(entity, record);
    for (const step of this.plan(entityName, view ?? entity.schema)) {
      const value = this.fill(step, record, depth, pk);
      if (value !== undefined) out[step.field] = value;
    }
    return out;
  }

  /** A stored field, or a computed one: the other side of a many-to-many, a flag taken from linked records. */
  value(entityName: string, record: WorldRecord, field: string): unknown {
    const entity = this.model.entities.get(entityName)!;
    const special = this.valueStep(entityName, field);
    if (special) return this.fill(special, record, 0, pkOf(entity, record));
    const reference = entity.references.get(field);
    if (reference?.inverseOf) return this.owners(reference, pkOf(entity, record));
    const flagVia = this.flagSource(entityName, field);
    return flagVia ? this.linkedFlag(flagVia, record, pkOf(entity, record), field) : record[field];
  }

  private readonly valueSteps = new Map<string, Step | null>();

  /** A computed or derived field's step for `value` (read per record by filters: found once per field). */
  private valueStep(entityName: string, field: string): Step | undefined {
    const key = `${entityName}\u0000${field}`;
    let step = this.valueSteps.get(key);
    if (step === undefined) {
      const schema = properties(this.model.entities.get(entityName)!.schema);
      step = (field in schema ? this.specialStep(entityName, field, schema[field]!) : undefined) ?? null;
      this.valueSteps.set(key, step);
    }
    return step ?? undefined;
  }

  private fill(step: Step, record: WorldRecord, depth: number, pk: Pk): unknown {
    switch (step.kind) {
      case 'computed':
        return step.compute(record);
      case 'derived':
        return this.derivedValue(step, record, pk, depth);
      case 'plain':
        return record[step.field];
      case 'linked-flag':
        return this.linkedFlag(step.via, record, pk, step.field);
      case 'inverse':
        return this.owners(step.reference, pk);
      case 'mirror': {
        const pointer = record[step.reference.field];
        const target = this.table(step.reference.target).get(pointer);
        return target ? (target[step.targetField] ?? null) : pointer === null ? null : record[step.field];
      }
      case 'embed': {
        const { embed } = step;
        if (depth >= OPTIONAL_EMBED_DEPTH && !step.required) return undefined;
        const pointer = step.inverse ? this.owners(step.inverse, pk) : record[embed.via ?? embed.field];
        const shown = this.embedded(embed.target, pointer, embed.schema, embed.many, depth);
        // An optional embed that may not be null is left out when it points at nothing.
        return shown === null && !step.required && !embed.nullable ? undefined : shown;
      }
    }
  }

  private plan(entityName: string, view: JsonSchema): Step[] {
    let byView = this.plans.get(entityName);
    if (!byView) this.plans.set(entityName, (byView = new WeakMap()));
    let plan = byView.get(view);
    if (!plan) byView.set(view, (plan = this.compile(entityName, view)));
    return plan;
  }

  private compile(entityName: string, view: JsonSchema): Step[] {
    const entity = this.model.entities.get(entityName)!;
    const required = requiredOf(view);
    // A writeOnly field (a secret the client sets) is never shown, as DRF leaves write_only fields out of answers.
    const shown = Object.entries(properties(view)).filter(([, schema]) => schema.writeOnly !== true);
    return shown.map(([field, schema]): Step => {
      const special = this.specialStep(entityName, field, schema);
      if (special) return special;
      const embed = entity.embeds.get(field);
      if (embed) {
        const inverse = embed.via ? entity.references.get(embed.via) : undefined;
        const step = { field, kind: 'embed' as const, embed, required: required.has(field) };
        return inverse?.inverseOf ? { ...step, inverse } : step;
      }
      const flagVia = this.flagSource(entityName, field, view);
      if (flagVia) return { field, kind: 'linked-flag', via: flagVia };
      const reference = entity.references.get(field);
      if (reference?.inverseOf) return { field, kind: 'inverse', reference };
      const mirror = MIRROR.exec(field);
      const mirrored = mirror ? entity.references.get(mirror[1]!) : undefined;
      if (mirror && mirrored && !mirrored.many) return { field, kind: 'mirror', reference: mirrored, targetField: mirror[2]! };
      return { field, kind: 'plain' };
    });
  }

  /** A field a feature computes, or one derived from other records (derived-fields.ts); undefined for the others. */
  private specialStep(entityName: string, field: string, schema: JsonSchema): Step | undefined {
    const entity = this.model.entities.get(entityName)!;
    for (const holder of lineage(this.model, entity)) {
      const compute = this.computed.get(`${holder.name}\u0000${field}`);
      if (compute) return { field, kind: 'computed', compute };
    }
    const derived = this.derived.of(entityName, field);
    if (!derived) return undefined;
    const embed = entity.embeds.get(field);
    const nullable = schema.nullable === true || this.model.resolve(schema).nullable === true;
    return { field, kind: 'derived', entity: entityName, derived, nullable, ...(embed ? { embed } : {}) };
  }

  /** The value of a derived field for the record `pk` (see derived-fields.ts for each kind). */
  private derivedValue(step: Extract<Step, { kind: 'derived' }>, record: WorldRecord, pk: Pk, depth: number): unknown {
    const { derived } = step;
    switch (derived.kind) {
      case 'reverse': {
        const holders = this.table(derived.from);
        const holder = holders.get(holders.pointingAt(derived.link.field, pk)[0]);
        // authentik answers null (no application) or leaves the key out (no backchannel application); a contract
        // that requires a non-null string gets "", which a UI reads as "not assigned" all the same.
        return holder ? (holder[derived.attr] ?? null) : step.nullable ? null : '';
      }
      case 'through':
        return this.boundTo(derived.binding, step.entity, record).flatMap((b) =>
          b[derived.via.field] === null || b[derived.via.field] === undefined ? [] : [b[derived.via.field] as Pk],
        );
      case 'count':
        return this.table(derived.binding.entity).pointingAt(derived.via.field, pk).length;
      case 'reverse-set': {
        const holders = this.reverseSetHolders(derived, pk);
        if (!step.embed) return holders.map((h) => pkOf(this.table(derived.from).entity, h));
        if (depth >= MAX_EMBED_DEPTH) return [];
        return holders.map((h) => this.render(derived.from, h, step.embed!.schema, depth + 1));
      }
    }
  }

  /** The bindings whose target is the record (by any of its binding keys), in their order (a flow's stage bindings). */
  boundTo(binding: BindingModel, entityName: string, record: WorldRecord): WorldRecord[] {
    const byTarget = this.bindingsByTarget(binding);
    const bound = [...bindingKeys(this.model.entities.get(entityName)!, record)].flatMap((key) => byTarget.get(key) ?? []);
    const { orderField } = binding;
    if (orderField) bound.sort((a, b) => Number(a[orderField] ?? 0) - Number(b[orderField] ?? 0));
    return bound;
  }

  /** The bindings of each binding model by target, kept while the binding table is unchanged (a page of flows reads them a hundred times). */
  private readonly targetIndexes = new Map<string, { version: number; byTarget: Map<string, WorldRecord[]> }>();

  private bindingsByTarget(binding: BindingModel): Map<string, WorldRecord[]> {
    // Read through the table accessor every time: what is rendered from the index depends on the table.
    const table = this.table(binding.entity);
    const held = this.targetIndexes.get(binding.entity);
    if (held && held.version === table.version) return held.byTarget;
    const byTarget = new Map<string, WorldRecord[]>();
    for (const record of table.all()) {
      const key = String(record[binding.targetField]);
      const list = byTarget.get(key);
      if (list) list.push(record);
      else byTarget.set(key, [record]);
    }
    this.targetIndexes.set(binding.entity, { version: table.version, byTarget });
    return byTarget;
  }

  /** The records whose many-field holds `pk` (for a bound field: the targets of the bindings that link to `pk`). */
  private reverseSetHolders(derived: ReverseSet, pk: Pk): WorldRecord[] {
    const holders = this.table(derived.from);
    if (derived.through) {
      const { binding, via } = derived.through;
      const bindings = this.table(binding.entity);
      const targets = new Set(bindings.pointingAt(via.field, pk).map((key) => String(bindings.get(key)?.[binding.targetField])));
      return present([...targets].map((target) => holders.get(target)));
    }
    return present(holders.pointingAt(derived.link!.field, pk).map((key) => holders.get(key)));
  }

  /**
   * A flag the record takes from the records it belongs to: a read-only boolean whose name a many-link's target has as
   * a writable boolean — a user's `is_superuser` is its groups' (authentik's `User.is_superuser`: any group, or any
   * group above one through `parent`, that makes its members superusers).
   */
  flagSource(entityName: string, field: string, view?: JsonSchema): Reference | undefined {
    const key = `${entityName}\u0000${field}`;
    if (!view && this.flagSources.has(key)) return this.flagSources.get(key);
    const found = this.findFlagSource(entityName, field, view);
    if (!view) this.flagSources.set(key, found);
    return found;
  }

  private readonly flagSources = new Map<string, Reference | undefined>();

  private findFlagSource(entityName: string, field: string, view?: JsonSchema): Reference | undefined {
    const entity = this.model.entities.get(entityName)!;
    const own = properties(view ?? entity.schema)[field];
    if (!own || own.readOnly !== true || own.type !== 'boolean') return undefined;
    for (const reference of entity.references.values()) {
      const target = reference.many ? properties(this.model.entities.get(reference.target)?.schema)[field] : undefined;
      if (target && target.type === 'boolean' && target.readOnly !== true) return reference;
    }
    return undefined;
  }

  /** Whether any record `via` links to (or any above one of them through `parent`) has the flag set. */
  linkedFlag(via: Reference, record: WorldRecord, pk: Pk, field: string): boolean {
    const targets = this.table(via.target);
    const parent = targets.entity.references.get('parent');
    const seen = new Set<string>();
    const pending = [...(((via.inverseOf ? this.owners(via, pk) : record[via.field]) as Pk[] | undefined) ?? [])];
    while (pending.length > 0 && seen.size < 10_000) {
      const key = String(pending.pop());
      if (seen.has(key)) continue;
      seen.add(key);
      const linked = targets.get(key);
      if (!linked) continue;
      if (linked[field] === true) return true;
      if (parent?.target === targets.entity.name && linked[parent.field] != null) pending.push(linked[parent.field] as Pk);
    }
    return false;
  }

  /** Who points at `pk` through the stored side of a many-to-many (the owner table's link index). */
  private owners(reference: Reference, pk: Pk): Pk[] {
    const { entity, field } = reference.inverseOf!;
    const owners = this.table(entity);
    return owners.pointingAt(field, pk).map((key) => pkOf(owners.entity, owners.get(key)!));
  }

  private embedded(target: string, pointer: unknown, view: JsonSchema, many: boolean, depth: number): unknown {
    const table = this.table(target);
    if (many) {
      if (!Array.isArray(pointer) || depth >= MAX_EMBED_DEPTH) return [];
      return pointer
        .map((pk) => table.get(pk))
        .filter((r): r is WorldRecord => !!r)
        .map((r) => this.render(target, r, view, depth + 1));
    }
    const record = table.get(pointer);
    return record && depth < MAX_EMBED_DEPTH ? this.render(target, record, view, depth + 1) : null;
  }
}

function present(records: Array<WorldRecord | undefined>): WorldRecord[] {
  return records.filter((r): r is WorldRecord => r !== undefined);
}
