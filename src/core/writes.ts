import { setOwn, type DrfErrors } from '../contract/drf-errors.js';
import { UUID_PATTERN, type JsonSchema } from '../contract/types.js';
import { pkOf, type EntityType, type Reference } from '../contract/entity-model.js';
import { verboseName } from '../contract/naming.js';
import type { Resource } from '../contract/resources.js';
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import type { World } from '../world/world.js';

export interface PreparedWrite {
  record: WorldRecord;
  /** Computed-side many-to-many values to store on the other entity on commit. */
  inverse: Array<{ field: string; value: Pk[] }>;
}

/** Python's name for a JSON value's type, as DRF's relation messages print it. */
function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** One pk of a PrimaryKeyRelatedField, checked as DRF checks it: the type, then that the record exists. */
function relationProblem(world: World, entity: EntityType, value: unknown): string | undefined {
  if (entity.pk === 'integer' && !(typeof value === 'number' && Number.isInteger(value)))
    return `Incorrect type. Expected pk value, received ${pythonType(value)}.`;
  if (entity.pk === 'uuid' && typeof value !== 'string') return `Incorrect type. Expected pk value, received ${pythonType(value)}.`;
  if (entity.pk === 'uuid' && !UUID_PATTERN.test(value as string)) return `“${String(value)}” is not a valid UUID.`;
  return world.table(entity.name).get(value) ? undefined : `Invalid pk "${String(value)}" - object does not exist.`;
}

/** DRF's answer for a related field (one pk, or a list of them for a many-field); undefined when it is fine. */
export function relationErrors(world: World, reference: Reference, value: unknown): string[] | undefined {
  if (value === null) return reference.nullable ? undefined : ['This field may not be null.'];
  const target = world.entity(reference.target);
  if (reference.many) {
    if (!Array.isArray(value)) return [`Expected a list of items but got type "${pythonType(value)}".`];
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
  const entity = world.entity(resource.entity);
  const writable = new Set(Object.keys(world.contract.writableFields(requestSchema)));
  const record: WorldRecord = { ...base };
  const errors: DrfErrors = {};
  const inverse: PreparedWrite['inverse'] = [];
  for (const [field, messages] of Object.entries(schemaErrors)) if (!entity.references.has(field)) setOwn(errors, field, messages);
  for (const [field, value] of Object.entries(body)) {
    if (!writable.has(field)) continue; // unknown and read-only fields are ignored, as DRF does
    const link = entity.references.get(field);
    if (link) {
      const problems = relationErrors(world, link, value) ?? (Object.hasOwn(schemaErrors, field) ? schemaErrors[field] : undefined);
      if (problems) {
        setOwn(errors, field, problems);
        continue;
      }
      if (link.inverseOf) {
        // Django's `.set()`: each related record once, whatever the body repeats.
        inverse.push({ field, value: distinct(value as Pk[]) });
        continue;
      }
      setOwn(record, field, link.many ? distinct(value as Pk[]) : value);
    } else if (!Object.hasOwn(schemaErrors, field)) setOwn(record, field, value);
  }
  for (const [field, messages] of Object.entries(schemaErrors))
    if (entity.references.has(field) && !Object.hasOwn(body, field)) setOwn(errors, field, messages);
  uniquenessErrors(world, entity, record, body, errors);
  return Object.keys(errors).length > 0 ? { errors } : { record, inverse };
}

function distinct(values: Pk[]): Pk[] {
  const seen = new Set<string>();
  return values.filter((value) => !seen.has(String(value)) && !!seen.add(String(value)));
}

/** DRF's UniqueValidator and UniqueTogetherValidator, for the fields the body sets. */
function uniquenessErrors(world: World, entity: EntityType, record: WorldRecord, body: Record<string, unknown>, errors: DrfErrors): void {
  const table = world.table(entity.name);
  const pk = pkOf(entity, record);
  const other = (found: WorldRecord | undefined) => found !== undefined && String(pkOf(entity, found)) !== String(pk);
  for (const field of world.uniqueFields(entity)) {
    if (field in body && !Object.hasOwn(errors, field) && other(table.find(field, record[field])))
      setOwn(errors, field, [`${verboseName(entity.name)} with this ${field} already exists.`]);
  }
  for (const fields of world.uniqueTogether(entity)) {
    if (!fields.some((f) => f in body)) continue;
    const clash = table
      .all()
      .some((candidate) => other(candidate) && fields.every((f) => String(candidate[f] ?? null) === String(record[f] ?? null)));
    if (clash) setOwn(errors, 'non_field_errors', [`The fields ${fields.join(', ')} must make a unique set.`]);
  }
}

/** Stores a prepared write, including the other side of any many-to-many it changed. */
export function commitWrite(world: World, entityName: string, write: PreparedWrite): void {
  world.table(entityName).put(write.record);
  const entity = world.entity(entityName);
  const pk = pkOf(entity, write.record);
  for (const { field, value } of write.inverse) {
    const { entity: owner, field: ownerField } = entity.references.get(field)!.inverseOf!;
    const ownerEntity = world.entity(owner);
    const wanted = new Set(value.map(String));
    for (const other of world.table(owner).all()) {
      const current = Array.isArray(other[ownerField]) ? (other[ownerField] as Pk[]) : [];
      const has = current.some((p) => String(p) === String(pk));
      const otherPk = String(pkOf(ownerEntity, other));
      if (wanted.has(otherPk) && !has) other[ownerField] = [...current, pk];
      if (!wanted.has(otherPk) && has) other[ownerField] = current.filter((p) => String(p) !== String(pk));
    }
  }
  world.touch();
}
