import { setOwn, type DrfErrors } from '../contract/drf-errors.js';
import type { JsonSchema } from '../contract/types.js';
import { verboseName } from '../world/naming.js';
import type { Resource } from '../world/resources.js';
import type { Pk, WorldRecord } from '../world/store.js';
import type { World } from '../world/world.js';

function missingTargets(world: World, target: string, value: unknown): unknown[] {
  const table = world.table(target);
  return (Array.isArray(value) ? value : [value]).filter((pk) => pk !== null && !table.get(pk));
}

export interface PreparedWrite {
  record: WorldRecord;
  /** Computed-side many-to-many values to store on the other entity on commit. */
  inverse: Array<{ field: string; value: Pk[] }>;
}

/**
 * Applies a validated body to a copy of the record, checking what a schema cannot: that linked records exist and
 * that lookup fields stay unique. Nothing is stored here: the caller commits only when there are no errors.
 */
export function prepareWrite(world: World, resource: Resource, base: WorldRecord, body: Record<string, unknown>, requestSchema: JsonSchema): PreparedWrite | { errors: DrfErrors } {
  const entity = world.entity(resource.entity);
  const writable = new Set(Object.keys(world.contract.writableFields(requestSchema)));
  const record: WorldRecord = { ...base };
  const errors: DrfErrors = {};
  const inverse: PreparedWrite['inverse'] = [];
  for (const [field, value] of Object.entries(body)) {
    if (!writable.has(field)) continue; // unknown and read-only fields are ignored, as DRF does
    const link = entity.references.get(field);
    if (link) {
      const missing = missingTargets(world, link.target, value);
      if (missing.length > 0) {
        setOwn(errors, field, [`Invalid pk "${String(missing[0])}" - object does not exist.`]);
        continue;
      }
      if (link.inverseOf) {
        inverse.push({ field, value: value as Pk[] });
        continue;
      }
    }
    setOwn(record, field, value);
  }
  for (const field of world.uniqueFields(entity)) {
    const clash = world.table(entity.name).all().find((other) => other['pk'] !== record['pk'] && other[field] === record[field]);
    if (clash && field in body) setOwn(errors, field, [`${verboseName(entity.name)} with this ${field} already exists.`]);
  }
  return Object.keys(errors).length > 0 ? { errors } : { record, inverse };
}

/** Stores a prepared write, including the other side of any many-to-many it changed. */
export function commitWrite(world: World, entityName: string, write: PreparedWrite): void {
  world.table(entityName).put(write.record);
  const entity = world.entity(entityName);
  const pk = write.record['pk'] as Pk;
  for (const { field, value } of write.inverse) {
    const { entity: owner, field: ownerField } = entity.references.get(field)!.inverseOf!;
    const wanted = new Set(value.map(String));
    for (const other of world.table(owner).all()) {
      const current = Array.isArray(other[ownerField]) ? (other[ownerField] as Pk[]) : [];
      const has = current.some((p) => String(p) === String(pk));
      if (wanted.has(String(other['pk'])) && !has) other[ownerField] = [...current, pk];
      if (!wanted.has(String(other['pk'])) && has) other[ownerField] = current.filter((p) => String(p) !== String(pk));
    }
  }
  world.touch();
}
