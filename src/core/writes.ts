import { FIELD_MESSAGES, pythonTypeName } from '../contract/authentik-messages.js';
import { setOwn, type DrfErrors } from '../contract/drf-errors.js';
import { UUID_PATTERN, type JsonSchema } from '../contract/types.js';
import { pkOf, type EntityType, type Reference } from '../contract/entity-model.js';
import { verboseName } from '../contract/naming.js';
import type { Resource } from '../contract/resources.js';
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import type { InverseWrite } from '../world/store.js';
import type { World } from '../world/world.js';

export interface PreparedWrite {
  record: WorldRecord;
  /** Computed-side many-to-many values to store on the other entity on commit. */
  inverse: InverseWrite[];
}

/** One pk of a PrimaryKeyRelatedField, checked as DRF checks it: the type, then that the record exists. */
function relationProblem(world: World, entity: EntityType, value: unknown): string | undefined {
  if (entity.pk === 'integer' && !(typeof value === 'number' && Number.isInteger(value)))
    return FIELD_MESSAGES.relationType(pythonTypeName(value));
  if (entity.pk === 'uuid' && typeof value !== 'string') return FIELD_MESSAGES.relationType(pythonTypeName(value));
  if (entity.pk === 'uuid' && !UUID_PATTERN.test(value as string)) return FIELD_MESSAGES.relationUuid(String(value));
  return world.table(entity.name).get(value) ? undefined : FIELD_MESSAGES.relationMissing(String(value));
}

/**
 * What a related field takes from a body: `""` is None for a single relation, as DRF's RelatedField.run_validation
 * forces it ("We force empty strings to None values for relational fields", rest_framework/relations.py); a
 * many-field (ManyRelatedField) reads its items as sent.
 */
export function relationInput(reference: Reference, value: unknown): unknown {
  return !reference.many && value === '' ? null : value;
}

/**
 * DRF's answer for a related field (one pk, or a list of them for a many-field); undefined when it is fine. `nullable`
 * is the serializer field's allow_null (the request schema's `nullable`), the model's by default.
 */
export function relationErrors(world: World, reference: Reference, value: unknown, nullable = reference.nullable): string[] | undefined {
  if (value === null) return nullable ? undefined : [FIELD_MESSAGES.null];
  const target = world.entity(reference.target);
  if (reference.many) {
    if (!Array.isArray(value)) return [FIELD_MESSAGES.notAList(pythonTypeName(value))];
    const problem = value.map((item) => relationProblem(world, target, item)).find((p) => p !== undefined);
    return problem ? [problem] : undefined;
  }
  const problem = relationProblem(world, target, value);
  return problem ? [problem] : undefined;
}

/**
 * Applies a body to a copy of the record, checking what a schema cannot: that linked records exist and that unique
 * fields stay unique. Nothing is stored here: the caller commits only when there are no errors. `schemaErrors` are
 * the body's schema violations: a related field's are replaced by DRF's relation messages.
 */
export function prepareWrite(
  world: World,
  resource: Resource,
  base: WorldRecord,
  body: Record<string, unknown>,
  requestSchema: JsonSchema,
  schemaErrors: DrfErrors = {},
): PreparedWrite | { errors: DrfErrors } {
  const entity = resource.type;
  const fields = world.contract.writableFields(requestSchema);
  const writable = new Set(Object.keys(fields));
  const record: WorldRecord = { ...base };
  const errors: DrfErrors = {};
  const inverse: PreparedWrite['inverse'] = [];
  for (const [field, messages] of Object.entries(schemaErrors)) if (!entity.references.has(field)) setOwn(errors, field, messages);
  for (const [field, value] of Object.entries(body)) {
    if (!writable.has(field)) continue; // unknown and read-only fields are ignored, as DRF does
    const link = entity.references.get(field);
    if (link) {
      const input = relationInput(link, value);
      // The schema's errors were found for what was sent; a `""` read as None is checked as None only.
      const schemaProblems = input === value && Object.hasOwn(schemaErrors, field) ? schemaErrors[field] : undefined;
      const problems = relationErrors(world, link, input, world.contract.fields.shape(fields[field]!).nullable) ?? schemaProblems;
      if (problems) {
        setOwn(errors, field, problems);
        continue;
      }
      if (link.inverseOf) {
        // Django's `.set()`: each related record once, whatever the body repeats.
        inverse.push({ field, value: distinct(input as Pk[]) });
        continue;
      }
      setOwn(record, field, link.many ? distinct(input as Pk[]) : input);
    } else if (!Object.hasOwn(schemaErrors, field)) setOwn(record, field, value);
  }
  for (const [field, messages] of Object.entries(schemaErrors))
    if (entity.references.has(field) && !Object.hasOwn(body, field)) setOwn(errors, field, messages);
  uniquenessErrors(world, entity, base, record, body, errors);
  return Object.keys(errors).length > 0 ? { errors } : { record, inverse };
}

function distinct(values: Pk[]): Pk[] {
  const seen = new Set<string>();
  return values.filter((value) => !seen.has(String(value)) && !!seen.add(String(value)));
}

/**
 * DRF's UniqueValidator and UniqueTogetherValidator, for the fields the body sets. `base` is the record being changed
 * (its pk null for a create: then every holder of the value is another record, even one whose key the body names).
 */
function uniquenessErrors(
  world: World,
  entity: EntityType,
  base: WorldRecord,
  record: WorldRecord,
  body: Record<string, unknown>,
  errors: DrfErrors,
): void {
  const table = world.table(entity.name);
  const pk = pkOf(entity, base);
  const other = (found: WorldRecord | undefined) => found !== undefined && (pk === null || String(pkOf(entity, found)) !== String(pk));
  const taken = (field: string) => FIELD_MESSAGES.unique(modelVerboseName(world, entity), field);
  for (const field of world.profile(entity).unique) {
    if (field in body && !Object.hasOwn(errors, field) && other(table.find(field, record[field]))) setOwn(errors, field, [taken(field)]);
  }
  // A one-to-one link (Application.provider): no other record may point at the same record (null is no link). A link
  // the record holds already is not checked again: generated records may share one, which authentik never has.
  for (const reference of entity.references.values()) {
    const { field } = reference;
    if (!(field in body) || Object.hasOwn(errors, field) || record[field] === null || record[field] === undefined) continue;
    if (pk !== null && String(base[field]) === String(record[field])) continue;
    if (!world.renderer.derived.isOneToOne(entity.name, field)) continue;
    if (table.pointingAt(field, record[field] as Pk).some((key) => other(table.get(key)))) setOwn(errors, field, [taken(field)]);
  }
  for (const fields of world.profile(entity).uniqueTogether) {
    if (
      fields.some((f) => f in body) &&
      other(
        table.findTogether(
          fields,
          fields.map((f) => record[f]),
        ),
      )
    )
      setOwn(errors, 'non_field_errors', [FIELD_MESSAGES.uniqueTogether(fields)]);
  }
}

/**
 * The model's verbose name as DRF's unique message uses it (`model._meta.verbose_name`, not capitalised:
 * rest_framework/utils/field_mapping.py `get_unique_error_message`): authentik's Meta (`Application`), else Django's
 * default spelling of the class name.
 */
function modelVerboseName(world: World, entity: EntityType): string {
  return world.modelValues.facts(entity)?.verbose_name ?? verboseName(entity.name);
}

/** Stores a prepared write, including the other side of any many-to-many it changed. */
export function commitWrite(world: World, entityName: string, write: PreparedWrite): void {
  world.save(entityName, write.record, write.inverse);
}
