import { coerceQuery, type QueryValue, type RawQuery } from '../contract/query-parameters.js';
import type { OperationSpec } from '../contract/types.js';
import { setOwn, type DrfErrors } from '../contract/drf-errors.js';
import { properties, type EntityType } from '../world/entity-model.js';
import type { WorldRecord } from '../world/store.js';
import type { World } from '../world/world.js';

/** Query names that are not filters: pagination, ordering and search have their own rules. */
export const RESERVED_QUERY = new Set(['page', 'page_size', 'ordering', 'search']);
const INVALID_CHOICE = 'Select a valid choice. That choice is not one of the available choices.';
const UNSEARCHABLE_FORMATS = new Set(['uuid', 'date-time', 'date', 'binary']);

type Lookup = 'exact' | 'iexact' | 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'isnull';
const LOOKUPS = new Set<string>(['exact', 'iexact', 'contains', 'icontains', 'startswith', 'istartswith', 'in', 'gt', 'gte', 'lt', 'lte', 'isnull']);

interface Filter {
  param: string;
  field: string;
  lookup: Lookup;
  value: QueryValue;
}

/** The contract's filter parameters that name a field of the record (`name`, `name__iexact`, `provider`). */
function filtersOf(values: Record<string, QueryValue>, entity: EntityType): Filter[] {
  const fields = properties(entity.schema);
  const filters: Filter[] = [];
  for (const [param, value] of Object.entries(values)) {
    if (RESERVED_QUERY.has(param)) continue;
    const [field, lookup = 'exact'] = param.split('__') as [string, string?];
    if (field in fields && LOOKUPS.has(lookup)) filters.push({ param, field, lookup: lookup as Lookup, value });
  }
  return filters;
}

function matches(stored: unknown, filter: Filter): boolean {
  const wanted = Array.isArray(filter.value) ? filter.value : [filter.value];
  const values = Array.isArray(stored) ? stored : [stored];
  const text = (v: unknown) => String(v ?? '');
  return values.some((v) =>
    wanted.some((w) => {
      switch (filter.lookup) {
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
        case 'gt':
          return (v as number) > (w as number);
        case 'gte':
          return (v as number) >= (w as number);
        case 'lt':
          return (v as number) < (w as number);
        case 'lte':
          return (v as number) <= (w as number);
        case 'isnull':
          return (v === null) === (w === true || w === 'true');
        default:
          return text(v) === text(w);
      }
    }),
  );
}

/** A filter on a related object must name one that exists (django-filter's ModelChoiceFilter). */
function invalidReferences(world: World, entity: EntityType, filters: Filter[]): DrfErrors | undefined {
  const errors: DrfErrors = {};
  for (const filter of filters) {
    const reference = entity.references.get(filter.field) ?? entity.embeds.get(filter.field);
    if (!reference || filter.lookup !== 'exact') continue;
    const target = world.table(reference.target);
    const values = Array.isArray(filter.value) ? filter.value : [filter.value];
    if (values.some((v) => !target.get(v))) setOwn(errors, filter.param, [INVALID_CHOICE]);
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** Plain text fields: what authentik's search_fields are made of. Fixed per entity, so worked out once. */
const searchFieldsOf = new WeakMap<EntityType, string[]>();

function searchFields(world: World, entity: EntityType): string[] {
  let fields = searchFieldsOf.get(entity);
  if (!fields) searchFieldsOf.set(entity, (fields = plainTextFields(world, entity)));
  return fields;
}

function plainTextFields(world: World, entity: EntityType): string[] {
  return Object.entries(properties(entity.schema))
    .filter(([field, schema]) => {
      const resolved = world.contract.resolve(schema);
      return field !== 'pk' && resolved['type'] === 'string' && !UNSEARCHABLE_FORMATS.has(resolved['format'] as string) && !entity.references.has(field);
    })
    .map(([field]) => field);
}

function searched(records: WorldRecord[], fields: string[], term: string): WorldRecord[] {
  const words = term.toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) return records;
  return records.filter((record) => words.every((word) => fields.some((f) => typeof record[f] === 'string' && (record[f] as string).toLowerCase().includes(word))));
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
    .filter(({ field }) => field in fields && ['string', 'integer', 'number', 'boolean'].includes(world.contract.resolve(fields[field]!)['type'] as string));
  if (keys.length === 0) return records;
  return [...records].sort((a, b) => {
    for (const { field, descending } of keys) {
      const order = compare(a[field], b[field]);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

export type ListOutcome = { records: WorldRecord[] } | { errors: DrfErrors };

/** The records a list request selects, before pagination: filters, then search, then ordering. */
export function selectRecords(world: World, entity: EntityType, operation: OperationSpec, query: RawQuery, visible: WorldRecord[]): ListOutcome {
  const coerced = coerceQuery(operation.parameters, query, RESERVED_QUERY);
  if (coerced.errors) return { errors: coerced.errors };
  const filters = filtersOf(coerced.values, entity);
  const invalid = invalidReferences(world, entity, filters);
  if (invalid) return { errors: invalid };
  const value = (record: WorldRecord, field: string) => world.renderer.value(entity.name, record, field);
  let records = visible.filter((record) => filters.every((f) => matches(value(record, f.field), f)));
  const search = query['search']?.at(-1);
  if (search && operation.parameters.some((p) => p.name === 'search')) records = searched(records, searchFields(world, entity), search);
  return { records: ordered(records, query['ordering']?.at(-1), entity, world) };
}
