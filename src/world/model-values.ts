import { durationMs } from '../contract/durations.js';
import { modelFacts, type ModelFacts, type ModelNames } from '../contract/authentik-models.js';
import { properties, type EntityType } from '../contract/entity-model.js';
import { lineage } from '../contract/inheritance.js';
import type { EntityModel } from '../contract/entity-model.js';
import { randomHex, randomKey } from './secrets.js';

/** Fields every authentik polymorphic serializer computes from the record's own model. */
const MODEL_FIELDS = ['component', 'verbose_name', 'verbose_name_plural', 'meta_model_name'] as const;

/** A facts default as a value: `{$random: n}` and the like are made now (random: never from the seed). */
function madeNow(value: unknown, now: number): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const spec = value as Record<string, unknown>;
  if (typeof spec['$random'] === 'number') return randomKey(spec['$random']);
  if (typeof spec['$randomHex'] === 'number') return randomHex(spec['$randomHex']);
  if (typeof spec['$fromNow'] === 'string') return new Date(now + durationMs(spec['$fromNow'])).toISOString();
  return structuredClone(value);
}

const isMadeNow = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => k.startsWith('$'));

/**
 * Values authentik's models give that the API schema does not say, by model name (authentik-models.json): the
 * fields that name a record's real type (`component`, `meta_model_name`, `verbose_name`…: a provider listed under
 * /providers/all/ still says it is an OAuth2 provider), the defaults a create takes, and secrets made at random.
 */
export class ModelValues {
  private readonly identities = new Map<EntityType, Record<string, unknown>>();

  constructor(
    private readonly model: EntityModel,
    private readonly names: ModelNames,
  ) {}

  /**
   * `component`, `meta_model_name`, `verbose_name`, `verbose_name_plural` of the entity's records, and what the
   * serializer computes the same for every record on a mock (authentik-models.json `computed`), where shown.
   */
  identity(entity: EntityType): Record<string, unknown> {
    let fields = this.identities.get(entity);
    if (!fields) this.identities.set(entity, (fields = this.identityOf(entity)));
    return fields;
  }

  /** The model's defaults for the fields a create leaves out (of those `shown`: the entity's and its bases' fields). */
  defaults(entity: EntityType, leftOut: (field: string) => boolean, now = Date.now()): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(this.facts(entity)?.defaults ?? {}))
      if (leftOut(field)) values[field] = madeNow(value, now);
    return values;
  }

  /** Fields whose model default is made at random (secrets, generated ids): fresh for every record, generated ones too. */
  randomFields(entity: EntityType, now = Date.now()): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(this.facts(entity)?.defaults ?? {}))
      if (isMadeNow(value) && !('$fromNow' in (value as object))) values[field] = madeNow(value, now);
    return values;
  }

  /** authentik's facts of the entity's model (authentik-models.json), when the contract names its model. */
  facts(entity: EntityType | string): ModelFacts | undefined {
    const name = this.names.modelOf(typeof entity === 'string' ? entity : entity.name);
    return name === undefined ? undefined : modelFacts(name);
  }

  private identityOf(entity: EntityType): Record<string, unknown> {
    const name = this.names.modelOf(entity.name);
    const facts = this.facts(entity);
    if (!name || !facts) return {};
    const shown = new Set(lineage(this.model, entity).flatMap((e) => Object.keys(properties(e.schema))));
    const computed = Object.entries(facts.computed ?? {}).filter(([field]) => shown.has(field));
    const values: Record<string, string | undefined> = {
      // A model without a form of its own (authentik's base `component` property) answers "".
      component: facts.component ?? '',
      verbose_name: facts.verbose_name,
      verbose_name_plural: facts.verbose_name_plural,
      meta_model_name: name,
    };
    const named = MODEL_FIELDS.filter((f) => shown.has(f) && values[f] !== undefined).map((f) => [f, values[f]!]);
    return Object.fromEntries([...named, ...computed]);
  }
}
