import { isPlainObject } from '../contract/types.js';
import { properties, storedLinks, type EntityType, type WorldRecord } from '../contract/entity-model.js';
import type { Contract } from '../contract/contract.js';
import type { IdSequence } from './created-ids.js';

export const DUMP_FORMAT = 'authentik-mock-world/3';
/**
 * Dumps of earlier formats do not load: their worlds held each kind of provider, stage, policy… in a table of its own
 * with pks that collide across kinds, and no fresh install's objects.
 */
const OLDER_FORMATS = new Set(['authentik-mock-world/1', 'authentik-mock-world/2']);

/** What a dump is checked against: the world it is loaded into (its contract, entities and fingerprint). */
export interface DumpTarget {
  readonly contract: Contract;
  readonly fingerprint: string;
  hasEntity(name: string): boolean;
  entity(name: string): EntityType;
}

export interface WorldDump {
  format: typeof DUMP_FORMAT;
  /** The contract the dump was made for (`World.fingerprint`): entities, their keys and fields. */
  contract: string;
  records: Record<string, WorldRecord[]>;
  /** Secret keys of token records (`Entity:pk` → key): not part of any serializer, so kept beside the records. */
  keys: Record<string, string>;
  /** Users' passwords by user pk (authentik keeps hashes; a mock's dump is its operator's). */
  passwords?: Record<string, string>;
  /** Where each table's created ids stand, so none is handed out twice (older dumps have none). */
  sequences?: Record<string, IdSequence>;
  /** What features keep beside the records (World.keepWith), by feature. */
  kept?: Record<string, unknown>;
}

/** A short hash of what a dump's records depend on: every entity's name, key field and fields. */
export function contractFingerprint(entities: readonly EntityType[]): string {
  const text = [...entities]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => `${e.name}${e.base ? `<${e.base}` : ''}:${e.pkField}:${Object.keys(properties(e.schema)).sort().join(',')}`)
    .join(';');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${entities.length}-${hash.toString(16).padStart(8, '0')}`;
}

class DumpError extends Error {}

/**
 * A dump checked whole before anything changes: its format and contract, then every record — an object, its key
 * present, of the key's kind (integers safe: ids must never collide), unique, each field valid for its schema, and
 * each link pointing at a record of the dump. Throws the first problem, named.
 */
export function checkDump(
  world: DumpTarget,
  dump: unknown,
): {
  records: Record<string, WorldRecord[]>;
  keys: Record<string, unknown>;
  passwords: Record<string, unknown>;
  sequences: unknown;
  kept: Record<string, unknown>;
} {
  if (!isPlainObject(dump) || typeof dump.format !== 'string' || !isPlainObject(dump['records']))
    throw new DumpError(`not a world dump (expected "format": "${DUMP_FORMAT}", "records" and "keys", as GET /_mock/dump gives)`);
  const format = dump.format;
  if (OLDER_FORMATS.has(format))
    throw new DumpError(
      `this dump ("${format}") was made by an earlier authentik-mock, whose world had no model inheritance: make a new one (this mock reads "${DUMP_FORMAT}")`,
    );
  if (format !== DUMP_FORMAT) throw new DumpError(`unknown dump format "${format}" (this mock reads "${DUMP_FORMAT}")`);
  if (dump['contract'] !== world.fingerprint)
    throw new DumpError(
      `this dump was made for another contract (${String(dump['contract'])}; this mock serves ${world.fingerprint}): load it into a mock on the same schemas`,
    );
  const records = dump['records'];
  for (const name of Object.keys(records))
    if (!world.hasEntity(name)) throw new DumpError(`records of "${name}": this contract has no such entity`);
  const pks = new Map<string, Set<string>>();
  for (const [name, rows] of Object.entries(records)) pks.set(name, checkKeys(world.entity(name), rows));
  familyKeys(world, pks);
  for (const [name, rows] of Object.entries(records)) checkRecords(world, world.entity(name), rows as WorldRecord[], pks);
  const keys = isPlainObject(dump['keys']) ? dump['keys'] : {};
  const passwords = isPlainObject(dump['passwords']) ? dump['passwords'] : {};
  const kept = isPlainObject(dump['kept']) ? dump['kept'] : {};
  return { records: records as Record<string, WorldRecord[]>, keys, passwords, sequences: dump['sequences'], kept };
}

function checkKeys(entity: EntityType, rows: unknown): Set<string> {
  if (!Array.isArray(rows)) throw new DumpError(`records of "${entity.name}" must be a list`);
  const seen = new Set<string>();
  for (const [index, row] of rows.entries()) {
    const where = `${entity.name} #${index}`;
    if (!isPlainObject(row)) throw new DumpError(`${where} is not an object`);
    const pk = row[entity.pkField];
    if (entity.pk === 'integer' && !Number.isSafeInteger(pk))
      throw new DumpError(`${where}: "${entity.pkField}" must be a safe integer, got ${JSON.stringify(pk)}`);
    if (entity.pk !== 'integer' && (typeof pk !== 'string' || pk === ''))
      throw new DumpError(`${where}: "${entity.pkField}" must be a non-empty string`);
    if (entity.pk === 'integer' && (pk as number) < 1) throw new DumpError(`${where}: "${entity.pkField}" must be positive`);
    if (seen.has(String(pk))) throw new DumpError(`${where}: "${entity.pkField}" ${JSON.stringify(pk)} appears twice`);
    seen.add(String(pk));
  }
  return seen;
}

/**
 * A subtype's records are its base's too: a link to the base may point at them, and a pk is unique across the family
 * (an OAuth2 provider and a proxy provider never share one).
 */
function familyKeys(world: DumpTarget, pks: Map<string, Set<string>>): void {
  const ownKeys = [...pks].map(([name, keys]) => [name, new Set(keys)] as const);
  for (const [name, own] of ownKeys) {
    for (let base = world.entity(name).base; base !== undefined; base = world.entity(base).base) {
      const held = pks.get(base) ?? new Set<string>();
      for (const pk of own) {
        if (held.has(pk))
          throw new DumpError(`${name}: "${world.entity(name).pkField}" ${JSON.stringify(pk)} is also a ${base} of the dump's`);
        held.add(pk);
      }
      pks.set(base, held);
    }
  }
}

function checkRecords(world: DumpTarget, entity: EntityType, rows: WorldRecord[], pks: Map<string, Set<string>>): void {
  const fields = properties(entity.schema);
  const links = new Map(storedLinks(entity).map((link) => [link.field, link]));
  for (const [index, row] of rows.entries()) {
    const where = `${entity.name} #${index} (${entity.pkField} ${JSON.stringify(row[entity.pkField])})`;
    for (const [field, value] of Object.entries(row)) {
      const link = links.get(field);
      if (link) {
        const targets = pks.get(link.target);
        for (const target of link.many ? (Array.isArray(value) ? value : [value]) : value === null ? [] : [value]) {
          if (targets && !targets.has(String(target)))
            throw new DumpError(`${where}: "${field}" points at ${link.target} ${JSON.stringify(target)}, which the dump does not hold`);
        }
        continue;
      }
      const schema = fields[field];
      if (!schema || entity.references.has(field)) continue; // fields of another version are kept, unshown
      const problem = world.contract.check(schema, value)[0];
      if (problem)
        throw new DumpError(`${where}: "${field}" ${problem.message ?? 'is invalid'} (got ${JSON.stringify(value)?.slice(0, 80)})`);
    }
  }
}
