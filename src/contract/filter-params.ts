import type { Contract } from './contract.js';
import { listShape, successSchema } from './operation-shapes.js';
import { singular, squash } from './naming.js';
import { isPlainObject, propertiesOf, refName, UUID_PATTERN as UUID, type JsonSchema, type OperationSpec } from './types.js';

/** Query names of a list that are not filters: pagination, ordering and search have their own rules. */
export const RESERVED_QUERY = new Set(['page', 'page_size', 'ordering', 'search']);

/** How django-filter reads a filter, which decides its 400 message (and that booleans never give one). */
export type FilterKind = 'boolean' | 'relation' | 'multiple' | 'choice' | 'number' | 'uuid' | 'datetime' | 'text';

export const LOOKUPS = new Set(['exact', 'iexact', 'contains', 'icontains', 'startswith', 'istartswith', 'in', 'gt', 'gte', 'lt', 'lte', 'isnull']);

export interface FilterParam {
  /** The query name: `user`, `name__iexact`, `group__group_uuid`. */
  name: string;
  kind: FilterKind;
  /** The record field it starts from (`group`), and the related record's field after it (`group_uuid`), if any. */
  field: string;
  related?: string;
  lookup: string;
  /** An array parameter: each value checked alone. */
  many: boolean;
  schema: JsonSchema;
  /** For relation filters: the component of the related model (`User`). */
  target?: string;
}

export const INVALID_RELATION = 'Select a valid choice. That choice is not one of the available choices.';

/** django-filter's message for a value its form field cannot read; undefined when it reads it (or, for booleans, ignores it). */
export function filterValueError(filter: FilterParam, raw: string): string | undefined {
  switch (filter.kind) {
    case 'relation':
      return validPk(filter.schema, raw) ? undefined : INVALID_RELATION;
    case 'multiple':
      // ModelMultipleChoiceFilter: each pk is looked up alone, and a malformed one is named.
      if (filter.schema['format'] === 'uuid') return UUID.test(raw) ? undefined : `“${raw}” is not a valid UUID.`;
      return validPk(filter.schema, raw) ? undefined : `“${raw}” is not a valid value.`;
    case 'choice':
      return (filter.schema['enum'] as unknown[]).map(String).includes(raw) ? undefined : `Select a valid choice. ${raw} is not one of the available choices.`;
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? undefined : 'Enter a number.';
    case 'uuid':
      return UUID.test(raw) ? undefined : 'Enter a valid UUID.';
    case 'datetime':
      return Number.isNaN(Date.parse(raw)) ? 'Enter a valid date/time.' : undefined;
    default:
      return undefined;
  }
}

/** A boolean filter's value, or undefined when django-filter would ignore it (anything but true/false). */
export function booleanValue(raw: string): boolean | undefined {
  if (raw === 'true' || raw === 'True') return true;
  if (raw === 'false' || raw === 'False') return false;
  return undefined;
}


function validPk(schema: JsonSchema, raw: string): boolean {
  if (schema['type'] === 'integer' || schema['type'] === 'number') return /^-?\d+$/.test(raw.trim());
  return schema['format'] === 'uuid' ? UUID.test(raw) : raw !== '';
}

const cache = new WeakMap<OperationSpec, FilterParam[]>();

/** The filter parameters of a list operation, classified once per operation from the contract alone. */
export function filterParams(contract: Contract, operation: OperationSpec): FilterParam[] {
  let filters = cache.get(operation);
  if (!filters) cache.set(operation, (filters = classify(contract, operation)));
  return filters;
}

function classify(contract: Contract, operation: OperationSpec): FilterParam[] {
  const items = listShape(contract, successSchema(operation)?.schema)?.items;
  const fields = items ? propertiesOf(contract.resolve(items)) : {};
  const filters: FilterParam[] = [];
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'query' || RESERVED_QUERY.has(parameter.name)) continue;
    const many = parameter.schema['type'] === 'array';
    const schema = many && isPlainObject(parameter.schema['items']) ? (parameter.schema['items'] as JsonSchema) : contract.resolve(parameter.schema);
    const segments = parameter.name.split('__');
    const lookup = segments.length > 1 && LOOKUPS.has(segments.at(-1)!) ? segments.pop()! : 'exact';
    const [field = parameter.name, related] = segments;
    const filter: FilterParam = { name: parameter.name, kind: 'text', field, lookup, many, schema };
    if (related !== undefined && segments.length === 2) filter.related = related;
    const target = related === undefined && (lookup === 'exact' || lookup === 'in') ? relationTarget(contract, fields, field, schema) : undefined;
    if (target) filter.target = target;
    filter.kind = kindOf(schema, lookup, many, target);
    filters.push(filter);
  }
  return filters;
}

/** Booleans first (never an error), then many pks (ModelMultipleChoiceFilter), one related pk, plain values. */
function kindOf(schema: JsonSchema, lookup: string, many: boolean, target: string | undefined): FilterKind {
  if (schema['type'] === 'boolean' || lookup === 'isnull') return 'boolean';
  if (many && isPkType(schema)) return 'multiple';
  return target ? 'relation' : scalarKind(schema);
}

function isPkType(schema: JsonSchema): boolean {
  return schema['type'] === 'integer' || schema['format'] === 'uuid';
}

function scalarKind(schema: JsonSchema): FilterKind {
  if (Array.isArray(schema['enum'])) return 'choice';
  if (schema['type'] === 'integer' || schema['type'] === 'number') return 'number';
  if (schema['format'] === 'uuid') return 'uuid';
  if (schema['format'] === 'date-time') return 'datetime';
  return 'text';
}

/**
 * The model a filter on `field` chooses from (ModelChoiceFilter): the component the record embeds as `<field>_obj`,
 * else a component named after the field (`user` → User) whose pk has the parameter's type.
 */
function relationTarget(contract: Contract, fields: Record<string, JsonSchema>, field: string, schema: JsonSchema): string | undefined {
  const own = fields[field] ? contract.resolve(fields[field]!) : undefined;
  const shown = fields[`${field}_obj`] ?? (own && !isPkType(own) && own['type'] !== 'string' ? fields[field] : undefined);
  const embedded = shown ? componentOf(shown) : undefined;
  // A text field of the record that shares a model's name (an application's `group` label) is not a relation.
  // `groups_by_pk` chooses groups by their pks.
  const base = singular(field.replace(/_by_pk$/, ''));
  const named = !own || isPkType(own) ? Object.keys(contract.components).find((c) => squash(c) === squash(base)) : undefined;
  for (const candidate of [embedded, named]) {
    if (!candidate) continue;
    const pk = propertiesOf(contract.resolve({ $ref: `#/components/schemas/${candidate}` }))['pk'];
    if (pk && samePkType(pk, schema)) return candidate;
  }
  return undefined;
}

function samePkType(pk: JsonSchema, param: JsonSchema): boolean {
  if (pk['type'] === 'integer') return param['type'] === 'integer' || param['type'] === 'number';
  return pk['type'] === 'string' && param['type'] === 'string' && (param['format'] === undefined || param['format'] === pk['format']);
}

function componentOf(schema: JsonSchema): string | undefined {
  let current = schema;
  for (let depth = 0; depth < 4; depth++) {
    const name = refName(current);
    if (name) return name;
    const next = Array.isArray(current['allOf']) ? current['allOf'][0] : current['items'];
    if (!isPlainObject(next)) return undefined;
    current = next as JsonSchema;
  }
  return undefined;
}

