import type { RawQuery } from '../contract/query-parameters.js';
import type { OperationSpec } from '../contract/types.js';
import { booleanValue, filterParams, filterValueError, type FilterParam } from '../contract/filter-params.js';
import { FILTER_MESSAGES } from '../contract/authentik-messages.js';
import { setOwn, type DrfErrors } from '../contract/drf-errors.js';
import { validationError } from './http.js';
import { properties, storedLinks, type EntityType } from '../contract/entity-model.js';
import type { WorldRecord } from '../contract/entity-model.js';
import type { World } from '../world/world.js';

interface Filter {
  param: FilterParam;
  /** Values as read (numbers as numbers, booleans as booleans). */
  values: Array<string | number | boolean>;
}

/** The values given for a filter: every one of an array parameter, else the last (as Django's QueryDict reads it). */
function givenValues(query: RawQuery, param: FilterParam): string[] {
  const given = (Object.hasOwn(query, param.name) ? query[param.name]! : []).filter((v) => v !== '');
  return param.many ? given : given.slice(-1);
}

/** What django-filter says of the given values, or undefined when it reads them all. */
function valueProblem(param: FilterParam, raws: string[]): string | undefined {
  return raws.map((raw) => filterValueError(param, raw)).find((p) => p !== undefined);
}

/** Reads each given filter as django-filter would: every unreadable value is a 400, a bad boolean is ignored. */
function readFilters(world: World, entity: EntityType, operation: OperationSpec, query: RawQuery): Filter[] {
  const filters: Filter[] = [];
  const errors: DrfErrors = {};
  for (const param of filterParams(world.contract, operation)) {
    const raws = givenValues(query, param);
    if (raws.length === 0) continue;
    if (param.kind === 'boolean') {
      const value = booleanValue(raws[0]!);
      if (value !== undefined) filters.push({ param, values: [value] });
      continue;
    }
    const problem = valueProblem(param, raws) ?? unknownChoice(world, entity, param, raws);
    if (problem) setOwn(errors, param.name, [problem]);
    else filters.push({ param, values: raws.map((raw) => readValue(param, raw)) });
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return filters;
}

/** A readable value as the database compares it: numbers as numbers, UUIDs in their stored (lower) case. */
function readValue(param: FilterParam, raw: string): string | number {
  if (param.kind === 'number') return Number(raw);
  return param.schema.format === 'uuid' ? raw.toLowerCase() : raw;
}

/** Throws the 400 an operation that is not a list of records gives for query values its filters cannot read. */
export function checkQuery(world: World, operation: OperationSpec, query: RawQuery): void {
  const errors: DrfErrors = {};
  for (const param of filterParams(world.contract, operation)) {
    const problem = valueProblem(param, givenValues(query, param));
    if (problem) setOwn(errors, param.name, [problem]);
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

/** A relation filter must name records that exist (ModelChoiceFilter, ModelMultipleChoiceFilter). */
function unknownChoice(world: World, entity: EntityType, param: FilterParam, raws: string[]): string | undefined {
  if (param.kind !== 'relation' && param.kind !== 'multiple') return undefined;
  const named = param.target && world.hasEntity(param.target) ? param.target : undefined;
  const target = entity.references.get(param.field)?.target ?? entity.embeds.get(param.field)?.target ?? named;
  if (!target) return undefined;
  const table = world.table(target);
  const missing = raws.find((raw) => !table.get(raw));
  if (missing === undefined) return undefined;
  return param.kind === 'relation' ? FILTER_MESSAGES.invalidRelation : FILTER_MESSAGES.invalidChoice(missing);
}

/** What a filter compares: the record's own field, or (for `group__name`) the field of the record it points at. */
function filterTargets(world: World, entity: EntityType, record: WorldRecord, param: FilterParam): unknown[] | undefined {
  if (!(param.field in properties(entity.schema))) return undefined;
  const own = world.renderer.value(entity.name, record, param.field);
  if (param.related === undefined) return Array.isArray(own) ? own : [own];
  const link = entity.references.get(param.field) ?? entity.embeds.get(param.field);
  if (!link) return undefined;
  const target = world.entity(link.target);
  const relatedField = param.related in properties(target.schema) ? param.related : target.pkField;
  const table = world.table(link.target);
  return (Array.isArray(own) ? own : [own]).map((pk) => table.get(pk)?.[relatedField] ?? null);
}

function matches(stored: unknown[], filter: Filter): boolean {
  const text = (v: unknown) => String(v ?? '');
  const { lookup } = filter.param;
  if (lookup === 'isnull') return stored.every((v) => v === null || v === undefined) === filter.values[0];
  return stored.some((v) =>
    filter.values.some((w) => {
      switch (lookup) {
        case 'iexact':
          return text(v).toLowerCase() === text(w).toLowerCase();
        case 'contains':
          return text(v).includes(text(w));
        case 'icontains':
          return text(v).toLowerCase().includes(text(w).toLowerCase());
        case 'startswith':
          return text(v).startsWith(text(w));
        case 'istartswith':
          return text(v).toLowerCase().startsWith(text(w).toLowerCase());
        case 'endswith':
          return text(v).endsWith(text(w));
        case 'iendswith':
          return text(v).toLowerCase().endsWith(text(w).toLowerCase());
        case 'gt':
          return compare(v, w) > 0;
        case 'gte':
          return compare(v, w) >= 0;
        case 'lt':
          return compare(v, w) < 0;
        case 'lte':
          return compare(v, w) <= 0;
        default:
          // Django's exact: case-sensitive on text, numeric on numbers (`5` finds pk 5).
          return text(v) === text(w) || (typeof v === 'number' && v === Number(w));
      }
    }),
  );
}

const UNSEARCHABLE_FORMATS = new Set(['uuid', 'date-time', 'date', 'binary']);
/** Fields of a related record that authentik's search_fields reach (`user__username`, `provider__name`). */
const RELATED_SEARCH_FIELDS = ['username', 'name', 'slug', 'title'];

interface SearchFields {
  own: string[];
  /** Single links, with the related record's text fields to match. */
  related: Array<{ field: string; target: string; fields: string[] }>;
}

/** What `search` looks at, worked out once per entity: its plain text fields and its links' names. */
const searchFieldsOf = new WeakMap<EntityType, SearchFields>();

function searchFields(world: World, entity: EntityType): SearchFields {
  let fields = searchFieldsOf.get(entity);
  if (!fields) searchFieldsOf.set(entity, (fields = { own: plainTextFields(world, entity), related: relatedTextFields(world, entity) }));
  return fields;
}

function plainTextFields(world: World, entity: EntityType): string[] {
  return Object.entries(properties(entity.schema))
    .filter(([field, schema]) => {
      const resolved = world.contract.resolve(schema);
      return (
        field !== entity.pkField &&
        resolved.type === 'string' &&
        !UNSEARCHABLE_FORMATS.has(resolved.format as string) &&
        !entity.references.has(field)
      );
    })
    .map(([field]) => field);
}

function relatedTextFields(world: World, entity: EntityType): SearchFields['related'] {
  return storedLinks(entity)
    .filter((link) => !link.many)
    .map((link) => ({
      field: link.field,
      target: link.target,
      fields: RELATED_SEARCH_FIELDS.filter((f) => f in properties(world.entity(link.target).schema)),
    }))
    .filter((link) => link.fields.length > 0);
}

/** The texts a record is searched by: its own, and the names of the records it points at. */
function searchTexts(world: World, fields: SearchFields, record: WorldRecord): string[] {
  const texts = fields.own.map((f) => record[f]);
  for (const link of fields.related) {
    const target = world.table(link.target).get(record[link.field]);
    if (target) texts.push(...link.fields.map((f) => target[f]));
  }
  return texts.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());
}

function searched(world: World, entity: EntityType, records: WorldRecord[], term: string): WorldRecord[] {
  const words = term
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (words.length === 0) return records;
  const fields = searchFields(world, entity);
  return records.filter((record) => {
    const texts = searchTexts(world, fields, record);
    return words.every((word) => texts.some((text) => text.includes(word)));
  });
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // NULLS LAST, as PostgreSQL sorts ascending
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** `ordering=a,-b`; names that are not scalar fields of the record are ignored. */
function ordered(records: WorldRecord[], ordering: string | undefined, entity: EntityType, world: World): WorldRecord[] {
  if (!ordering) return records;
  const fields = properties(entity.schema);
  const keys = ordering
    .split(',')
    .map((k) => k.trim())
    .map((k) => ({ field: k.replace(/^-/, ''), descending: k.startsWith('-') }))
    .filter(
      ({ field }) =>
        field in fields && ['string', 'integer', 'number', 'boolean'].includes(world.contract.resolve(fields[field]!).type as string),
    );
  if (keys.length === 0) return records;
  return [...records].sort((a, b) => {
    for (const { field, descending } of keys) {
      const order = compare(a[field], b[field]);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

/** Which records a caller may see: a predicate, and (where it narrows them) the field and value an index finds them by. */
export interface Visibility {
  sees: (record: WorldRecord) => boolean;
  /** Only records with this value in this field can be seen (an owner's records): an index may find them. */
  only?: { field: string; value: unknown };
}

/**
 * The records worth looking at: found through an index where a filter (or who may see) names an exact value of an
 * indexed field — one record by a slug, a user's tokens — else every record of the table. Each still goes through
 * every filter after: this only spares the scan.
 */
function candidates(world: World, entity: EntityType, filters: Filter[], visibility: Visibility): readonly WorldRecord[] {
  const table = world.table(entity.name);
  let best: WorldRecord[] | undefined;
  const consider = (field: string, values: readonly unknown[]) => {
    const found = values.map((value) => table.indexed(field, value));
    if (found.some((f) => f === undefined)) return;
    const union = [...new Set((found as WorldRecord[][]).flat())];
    if (!best || union.length < best.length) best = union;
  };
  if (visibility.only) consider(visibility.only.field, [visibility.only.value]);
  for (const { param, values } of filters)
    if ((param.lookup === undefined || param.lookup === 'exact') && param.related === undefined && !param.many)
      consider(param.field, values);
  return best ?? table.all();
}

/** Whether the record passes every filter (a loop: asked for every record of every list). */
function passesAll(world: World, entity: EntityType, record: WorldRecord, filters: readonly Filter[]): boolean {
  for (const filter of filters) {
    const stored = filterTargets(world, entity, record, filter.param);
    if (stored !== undefined && !matches(stored, filter)) return false;
  }
  return true;
}

/** The records a list request selects, before pagination: filters, then search, then ordering (a 400 for bad filters). */
export function selectRecords(
  world: World,
  entity: EntityType,
  operation: OperationSpec,
  query: RawQuery,
  visibility: Visibility,
): WorldRecord[] {
  const filters = readFilters(world, entity, operation, query);
  let records = candidates(world, entity, filters, visibility).filter(
    (record) => visibility.sees(record) && passesAll(world, entity, record, filters),
  );
  const search = query['search']?.at(-1);
  if (search && operation.parameters.some((p) => p.name === 'search')) records = searched(world, entity, records, search);
  return ordered(records, query['ordering']?.at(-1), entity, world);
}
