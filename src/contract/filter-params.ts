import { FILTER_MESSAGES } from './authentik-messages.js';
import type { Contract } from './contract.js';
import { listShape, successSchema } from './operation-shapes.js';
import { singular, squash } from './naming.js';
import { componentName, isPlainObject, propertiesOf, UUID_PATTERN as UUID, type JsonSchema, type OperationSpec } from './types.js';

/** Query names of a list that are not filters: pagination, ordering and search have their own rules. */
export const RESERVED_QUERY = new Set(['page', 'page_size', 'ordering', 'search']);

/** How django-filter reads a filter, which decides its 400 message (and that booleans never give one). */
export type FilterKind = 'boolean' | 'relation' | 'multiple' | 'choice' | 'number' | 'uuid' | 'datetime' | 'text';

export const LOOKUPS = new Set([
  'exact',
  'iexact',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'isnull',
]);

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
  /** The list items' field of the same name (plain names only): what the filter's value looks like in a record. */
  itemField?: JsonSchema;
  /**
   * The name is a field of the list items, a lookup from one, or the record's own key: django-filter reads it. Any
   * other name may be read by the view's own code (`for_user`, `top_n`), whose answer to a bad value the contract
   * does not tell.
   */
  filterSet: boolean;
  /**
   * A number or UUID filter the contract cannot tell from a relation (no embed beside it, not the record's own key,
   * `x__name_ref`): authentik may answer "Enter a number." as well as "Select a valid choice…".
   */
  maybeRelation: boolean;
}

/** django-filter's message for a value its form field cannot read; undefined when it reads it (or, for booleans, ignores it). */
export function filterValueError(filter: FilterParam, raw: string): string | undefined {
  switch (filter.kind) {
    case 'relation':
      return validPk(filter.schema, raw) ? undefined : FILTER_MESSAGES.invalidRelation;
    case 'multiple':
      // ModelMultipleChoiceFilter: each pk is looked up alone, and a malformed one is named.
      if (filter.schema.format === 'uuid') return UUID.test(raw) ? undefined : `“${raw}” is not a valid UUID.`;
      return validPk(filter.schema, raw) ? undefined : `“${raw}” is not a valid value.`;
    case 'choice':
      return (filter.schema.enum as unknown[]).map(String).includes(raw) ? undefined : FILTER_MESSAGES.invalidChoice(raw);
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? undefined : FILTER_MESSAGES.number;
    case 'uuid':
      return UUID.test(raw) ? undefined : FILTER_MESSAGES.uuid;
    case 'datetime':
      return Number.isNaN(Date.parse(raw)) ? FILTER_MESSAGES.dateTime : undefined;
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
  if (schema.type === 'integer' || schema.type === 'number') return /^-?\d+$/.test(raw.trim());
  return schema.format === 'uuid' ? UUID.test(raw) : raw !== '';
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
  const itemSchema = items ? contract.resolve(items) : undefined;
  const fields = propertiesOf(itemSchema);
  const filters: FilterParam[] = [];
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'query' || RESERVED_QUERY.has(parameter.name)) continue;
    const declared = contract.resolve(parameter.schema);
    const many = declared.type === 'array';
    const schema = many && isPlainObject(declared.items) ? contract.resolve(declared.items as JsonSchema) : declared;
    const segments = parameter.name.split('__');
    const lookup = segments.length > 1 && LOOKUPS.has(segments.at(-1)!) ? segments.pop()! : 'exact';
    const [field = parameter.name, related] = segments;
    const ownKey = segments.length === 1 && isOwnKey(contract, operation, field, itemSchema);
    const relation =
      related === undefined && (lookup === 'exact' || lookup === 'in') ? relationOf(contract, fields, field, schema) : undefined;
    const kind = kindOf(schema, lookup, many, relation !== undefined);
    const keyLike = (kind === 'number' || kind === 'uuid') && !ownKey;
    const filter: FilterParam = {
      name: parameter.name,
      kind,
      field,
      lookup,
      many,
      schema,
      filterSet: field in fields || ownKey,
      // `provider__id`, `group__group_uuid`: a related model's key field is read as that key's type.
      maybeRelation: keyLike && (related === undefined ? true : segments.length > 2 || !/^(id|pk|uuid)$|_(id|uuid)$/.test(related)),
    };
    if (related !== undefined && segments.length === 2) filter.related = related;
    if (relation?.target) filter.target = relation.target;
    if (segments.length === 1 && fields[field] && !parameter.name.includes('__')) filter.itemField = fields[field];
    filters.push(filter);
  }
  return filters;
}

/** The record's own key: the parameter of the collection's item path, or the field the items' `pk` stands for. */
function isOwnKey(contract: Contract, operation: OperationSpec, name: string, itemSchema: JsonSchema | undefined): boolean {
  if (contract.operations.some((o) => o.path === `${operation.path}{${name}}/`)) return true;
  const pk = propertiesOf(itemSchema)['pk'];
  const title = pk ? contract.resolve(pk)['title'] : undefined;
  return typeof title === 'string' && title.toLowerCase().replace(/\s+/g, '_') === name.toLowerCase();
}

/** Booleans first (never an error), choices, then many pks (ModelMultipleChoiceFilter), one related pk, plain values. */
function kindOf(schema: JsonSchema, lookup: string, many: boolean, relation: boolean): FilterKind {
  if (schema.type === 'boolean' || lookup === 'isnull') return 'boolean';
  if (Array.isArray(schema.enum)) return 'choice';
  if (many && isPkType(schema)) return 'multiple';
  return relation ? 'relation' : scalarKind(schema);
}

function isPkType(schema: JsonSchema): boolean {
  return schema.type === 'integer' || schema.format === 'uuid';
}

function scalarKind(schema: JsonSchema): FilterKind {
  if (Array.isArray(schema.enum)) return 'choice';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.format === 'uuid') return 'uuid';
  if (schema.format === 'date-time') return 'datetime';
  return 'text';
}

/**
 * Whether a filter on `field` chooses a related record (ModelChoiceFilter), and from which component: the record
 * shows it as `<field>_obj` or as an embedded object with a pk (a relation, whatever its component), else a
 * component named after the field (`user` → User, `groups_by_pk` → Group) whose pk has the parameter's type.
 */
function relationOf(
  contract: Contract,
  fields: Record<string, JsonSchema>,
  field: string,
  schema: JsonSchema,
): { target?: string } | undefined {
  const own = fields[field] ? contract.resolve(fields[field]!) : undefined;
  const embedsObject = own !== undefined && own.type !== 'string' && !isPkType(own) && 'pk' in propertiesOf(own);
  const shown = fields[`${field}_obj`] ?? (embedsObject ? fields[field] : undefined);
  const withPk = (candidate: string | undefined) => {
    const pk = candidate ? propertiesOf(contract.resolve({ $ref: `#/components/schemas/${candidate}` }))['pk'] : undefined;
    return pk && samePkType(pk, schema) ? candidate : undefined;
  };
  if (shown) {
    const target = withPk(componentName(shown));
    return target ? { target } : {};
  }
  // A text field of the record that shares a model's name (an application's `group` label) is not a relation.
  if (own && !isPkType(own)) return undefined;
  const base = singular(field.replace(/_by_pk$/, ''));
  const target = withPk(Object.keys(contract.components).find((c) => squash(c) === squash(base)));
  return target ? { target } : undefined;
}

function samePkType(pk: JsonSchema, param: JsonSchema): boolean {
  if (pk.type === 'integer') return param.type === 'integer' || param.type === 'number';
  return pk.type === 'string' && param.type === 'string' && (param.format === undefined || param.format === pk.format);
}
