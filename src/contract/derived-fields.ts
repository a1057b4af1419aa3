/**
 * Read-only fields authentik's serializers compute from other records, derived from the contract's entities and
 * field names (never from one endpoint): who points at a record, what a binding model binds to it, how often it is
 * bound. Each kind names the Django/DRF mechanism it stands for.
 */
import { properties, type EntityModel, type EntityType, type Reference } from './entity-model.js';
import { lineage } from './inheritance.js';
import { singular, squash } from './naming.js';
import { requiredOf, type JsonSchema } from './types.js';

/**
 * `assigned_<x>_<attr>`: an attribute of the record of entity `<x>` that links to this one — DRF's
 * `ReadOnlyField(source="<x>.<attr>")` over the reverse side of a link (authentik/core/api/providers.py:
 * `assigned_application_slug` is the slug of the application whose `provider` is this provider;
 * `assigned_backchannel_application_name` the name of the one whose `backchannel_providers` hold it).
 */
export interface ReverseAttribute {
  kind: 'reverse';
  /** The entity that links here (Application) and its link (`provider`, `backchannel_providers`). */
  from: string;
  link: Reference;
  attr: string;
}

/**
 * A binding model: records that bind a target (their `target`, a pk of any model that takes bindings) to a record
 * of another entity through a single link, in an `order` (authentik's FlowStageBinding binds stages to flows,
 * PolicyBinding policies, groups and users to flows, applications, sources, stage bindings).
 */
export interface BindingModel {
  entity: string;
  /** The field holding the bound target's pk (not a link the contract names: any model's pk may be there). */
  targetField: string;
  /** The single links to what is bound (`stage`; `policy`, `group`, `user`). */
  links: Reference[];
  /** The field ordering the bindings of one target, when there is one. */
  orderField?: string;
}

/** A read-only many-field holding what the record's bindings link to, in binding order (`Flow.stages`, `Flow.policies`). */
export interface BoundRecords {
  kind: 'through';
  binding: BindingModel;
  via: Reference;
}

/**
 * `<x>_set`: Django's reverse accessor of a many-to-many — the records of `<x>` whose many-field holds this one
 * (`Stage.flow_set`: the flows a stage is bound into).
 */
export interface ReverseSet {
  kind: 'reverse-set';
  from: string;
  field: string;
  /** Set when `from`'s field is itself bound through a binding model (a flow's stages come from its stage bindings). */
  through?: BoundRecords;
  link?: Reference;
}

/** `bound_to`: how many bindings link to the record (authentik/policies/api/policies.py, `get_bound_to`). */
export interface BindingCount {
  kind: 'count';
  binding: BindingModel;
  via: Reference;
}

export type DerivedField = ReverseAttribute | BoundRecords | ReverseSet | BindingCount;

const REVERSE_ATTRIBUTE = /^assigned_(.+)_([a-z0-9]+)$/;
const REVERSE_SET = /^(.+)_set$/;
const PARENT_POINTER = /_ptr_id$/;

/**
 * The keys a binding may name a record by: its pk, and the key of its parent row (`<parent>_ptr_id`) — a multi-table
 * child with a pk of its own (a flow's `flow_uuid`) is bound by its PolicyBindingModel row (`pbm_uuid`, what
 * `policybindingmodel_ptr_id` shows), while a binding model's foreign key to the child itself (a stage binding's
 * `target` flow) holds the child's pk.
 */
export function bindingKeys(entity: EntityType, record: Record<string, unknown>): Set<string> {
  const keys = new Set([String(record[entity.pkField])]);
  for (const field of Object.keys(properties(entity.schema)))
    if (PARENT_POINTER.test(field) && typeof record[field] === 'string') keys.add(record[field] as string);
  return keys;
}
const BINDING_COUNT = 'bound_to';

/** The derived fields of a contract's entities, worked out once per (entity, field). */
export class DerivedFields {
  private readonly found = new Map<string, DerivedField | null>();
  private bindingModels: BindingModel[] | undefined;

  constructor(private readonly model: EntityModel) {}

  /** How the field of the entity is computed, when it is one of the derived kinds. */
  of(entityName: string, field: string): DerivedField | undefined {
    const key = `${entityName}\u0000${field}`;
    let derived = this.found.get(key);
    if (derived === undefined) this.found.set(key, (derived = this.derive(entityName, field) ?? null));
    return derived ?? undefined;
  }

  /**
   * Whether a single link is one-to-one: the entity it points at shows its holder as a single `assigned_<x>_…`
   * attribute (a provider names one application), so two records may not hold the same value (Django's
   * OneToOneField: `Application.provider`).
   */
  isOneToOne(entityName: string, field: string): boolean {
    const entity = this.model.entities.get(entityName);
    const link = entity?.references.get(field);
    if (!entity || !link || link.many) return false;
    const targets = this.family(link.target);
    return targets.some((target) =>
      Object.keys(properties(target.schema)).some((name) => {
        const derived = this.of(target.name, name);
        return derived?.kind === 'reverse' && derived.from === entityName && derived.link.field === field;
      }),
    );
  }

  /** The binding models of the contract (see BindingModel). */
  bindings(): BindingModel[] {
    return (this.bindingModels ??= [...this.model.entities.values()].flatMap((e) => bindingModelOf(this.model, e) ?? []));
  }

  private derive(entityName: string, field: string): DerivedField | undefined {
    const entity = this.model.entities.get(entityName);
    const schema = entity && properties(entity.schema)[field];
    if (!entity || !schema) return undefined;
    // Django names a many-to-many's reverse side `<x>_set`, whatever the serializer makes of it.
    const set = REVERSE_SET.exec(field);
    if (set) return this.reverseSet(entity, set[1]!);
    if (schema.readOnly !== true) return undefined;
    const reverse = REVERSE_ATTRIBUTE.exec(field);
    if (reverse) return this.reverseAttribute(entity, reverse[1]!, reverse[2]!);
    if (field === BINDING_COUNT && this.model.resolve(schema).type === 'integer') return this.bindingCount(entity);
    const reference = entity.references.get(field);
    if (reference?.many && !reference.inverseOf) return this.boundRecords(reference);
    return undefined;
  }

  /** `<qualifier>_<entity>` → the entity's link here whose name, less the target's name, is the qualifier. */
  private reverseAttribute(entity: EntityType, holder: string, attr: string): ReverseAttribute | undefined {
    const parts = holder.split('_');
    const ours = new Set(lineage(this.model, entity).map((e) => e.name));
    for (let i = 0; i < parts.length; i++) {
      const from = this.named(parts.slice(i).join('_'));
      if (!from || !(attr in properties(from.schema))) continue;
      const qualifier = parts.slice(0, i).join('_');
      const link = [...from.references.values()].find(
        (r) => ours.has(r.target) && !r.inverseOf && qualifierOf(r, this.model.entities.get(r.target)!) === qualifier,
      );
      if (link) return { kind: 'reverse', from: from.name, link, attr };
    }
    return undefined;
  }

  private boundRecords(reference: Reference): BoundRecords | undefined {
    const targets = new Set(this.family(reference.target).map((e) => e.name));
    const candidates = this.bindings().flatMap((binding) =>
      binding.links.filter((link) => targets.has(link.target)).map((via) => ({ kind: 'through' as const, binding, via })),
    );
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private bindingCount(entity: EntityType): BindingCount | undefined {
    const ours = new Set(lineage(this.model, entity).map((e) => e.name));
    const candidates = this.bindings().flatMap((binding) =>
      binding.links.filter((link) => ours.has(link.target)).map((via) => ({ kind: 'count' as const, binding, via })),
    );
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private reverseSet(entity: EntityType, holder: string): ReverseSet | undefined {
    const from = this.named(holder);
    if (!from) return undefined;
    const ours = new Set(lineage(this.model, entity).map((e) => e.name));
    for (const link of from.references.values()) {
      if (!link.many || !ours.has(link.target)) continue;
      const through = this.of(from.name, link.field);
      if (through?.kind === 'through') return { kind: 'reverse-set', from: from.name, field: link.field, through };
      return { kind: 'reverse-set', from: from.name, field: link.field, link };
    }
    return undefined;
  }

  /** The entity a field name part names (`application` → Application, `flow` → Flow). */
  private named(name: string): EntityType | undefined {
    const wanted = squash(name);
    return [...this.model.entities.values()].find((e) => squash(e.name) === wanted);
  }

  /** The entity and every subtype below it (a link to Provider reaches OAuth2Provider records). */
  private family(name: string): EntityType[] {
    const entity = this.model.entities.get(name);
    if (!entity) return [];
    return [entity, ...entity.subtypes.flatMap((s) => this.family(s))];
  }
}

/** The part of a link's name before its target's (`backchannel_providers` → `backchannel`; `provider` → ``). */
function qualifierOf(link: Reference, target: EntityType): string {
  const name = singular(link.field);
  const targetName = target.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (name === targetName || squash(name) === squash(targetName)) return '';
  return name.endsWith(`_${targetName}`) ? name.slice(0, -targetName.length - 1) : name;
}

/**
 * A binding model: one required, writable UUID field that links nowhere the contract names (its target), and at
 * least one single link to what it binds.
 */
function bindingModelOf(model: EntityModel, entity: EntityType): BindingModel | undefined {
  const fields = properties(entity.schema);
  const required = requiredOf(entity.schema);
  const targets = Object.entries(fields).filter(
    ([field, schema]) =>
      field !== entity.pkField &&
      !entity.references.has(field) &&
      !entity.embeds.has(field) &&
      isWritableUuid(model.resolve(schema), schema) &&
      required.has(field),
  );
  const links = [...entity.references.values()].filter((r) => !r.many && !r.inverseOf);
  if (targets.length !== 1 || links.length === 0) return undefined;
  const order = fields['order'] && model.resolve(fields['order']).type === 'integer' ? 'order' : undefined;
  return { entity: entity.name, targetField: targets[0]![0], links, ...(order ? { orderField: order } : {}) };
}

function isWritableUuid(resolved: JsonSchema, own: JsonSchema): boolean {
  return resolved.format === 'uuid' && resolved.type === 'string' && own.readOnly !== true && resolved.readOnly !== true;
}
