import { stableUuid } from '../contract/stable-uuid.js';
import { JSON_TYPE, jsonMedia, type Contract } from '../contract/contract.js';
import { SLUG_PATTERN } from '../contract/drf-errors.js';
import { isPlainObject, propertiesOf, type JsonSchema, type OperationSpec } from '../contract/types.js';
import { filterParams, type FilterParam } from '../contract/filter-params.js';
import { FILTER_MESSAGES as DJANGO_FILTER } from '../contract/authentik-messages.js';
import { FixtureGenerator, createFaker } from '../fake/generate.js';
import { listShape, successSchema } from '../contract/operation-shapes.js';
import { buildResources, type ResourceMap } from '../contract/resources.js';
import { DerivedFields } from '../contract/derived-fields.js';

export const MULTIPART_TYPE = 'multipart/form-data';

/** The request body a client sends: JSON where the operation takes it, else a multipart form. */
export function requestMedia(operation: OperationSpec): { type: string; schema: JsonSchema } | undefined {
  const content = operation.requestBody?.content;
  const type = content?.[JSON_TYPE] ? JSON_TYPE : content?.[MULTIPART_TYPE] ? MULTIPART_TYPE : undefined;
  return type ? { type, schema: content![type]!.schema } : undefined;
}

/** Top-level fields of the request body a client may send (read-only ones left out). */
function writableFields(contract: Contract, operation: OperationSpec): Record<string, JsonSchema> {
  return contract.writableFields(requestMedia(operation)?.schema);
}

export function requiredFields(contract: Contract, operation: OperationSpec): string[] {
  const schema = requestMedia(operation)?.schema;
  const required = schema ? contract.resolve(schema).required : undefined;
  return Array.isArray(required) ? (required as string[]) : [];
}

const generator = (contract: Contract, seed: number) => new FixtureGenerator(createFaker(seed), contract.components, 0);

/**
 * A body the server must accept: an existing record's writable fields (what a client that read it would send back:
 * the values that fit the request schema), else one generated from the request schema. Required fields the record
 * cannot give are generated: write-only secrets (certificate_data, client_secret…) are never read back.
 */
export function bodyFromRecord(
  contract: Contract,
  operation: OperationSpec,
  record: Record<string, unknown> | undefined,
  seed = 1,
): Record<string, unknown> {
  const media = requestMedia(operation);
  if (!media) return {};
  if (!record) {
    const value = generator(contract, seed).value(media.schema, 'request');
    return isPlainObject(value) ? value : {};
  }
  const fields = writableFields(contract, operation);
  const body: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(fields)) {
    if (field in record && contract.check(schema, record[field], 'request').length === 0) body[field] = record[field];
  }
  const missing = requiredFields(contract, operation).filter((field) => fields[field] && !(field in body));
  const generate = missing.length > 0 ? generator(contract, seed) : undefined;
  for (const field of missing) body[field] = generate!.value(fields[field]!, 'request', { field, owner: '' });
  return body;
}

/** The fields of the request body that are files (`format: binary`): sent as file parts of a multipart form. */
export function fileFields(contract: Contract, operation: OperationSpec): Set<string> {
  const fields = writableFields(contract, operation);
  return new Set(Object.keys(fields).filter((field) => contract.resolve(fields[field]!).format === 'binary'));
}

/**
 * A copy whose unique-looking string fields (slug, identifier, username, name, and a key the client chooses — the
 * item path's parameter, `/sources/scim_groups/{id}/`, or the record's `pk` where the request takes it) will not
 * clash with the original, and whose one-to-one links (an application's `provider`: derived-fields.ts) are left empty
 * where they may be, since the original holds them. A value keeps its format: a UUID key becomes another UUID (a
 * suffix would make it no UUID at all), text gets the suffix.
 */
export function uniqueVariant(
  contract: Contract,
  operation: OperationSpec,
  body: Record<string, unknown>,
  suffix: string,
): Record<string, unknown> {
  const fields = writableFields(contract, operation);
  const out = { ...body };
  const role = resourcesOf(contract).roles.get(operation.operationId);
  const entity = role?.resource?.entity;
  for (const field of Object.keys(out)) {
    if (!entity || !fields[field] || contract.resolve(fields[field]).nullable !== true) continue;
    if (derivedFieldsOf(contract).isOneToOne(entity, field)) out[field] = null;
  }
  const keys = [
    'slug',
    'identifier',
    'username',
    'name',
    'uid',
    ...itemKeysOf(contract, operation.path),
    ...recordKeyOf(contract, operation),
  ];
  for (const field of new Set(keys)) {
    const schema = fields[field] ? contract.resolve(fields[field]) : undefined;
    if (!schema || typeof out[field] !== 'string') continue;
    if (schema.format === 'uuid') {
      out[field] = stableUuid(`${out[field] as string}:${suffix}`);
      continue;
    }
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : 255;
    out[field] = `${(out[field] as string).slice(0, Math.max(1, max - suffix.length - 1))}-${suffix}`;
  }
  return out;
}

/** The field that identifies the records an operation's resource holds (`pk`), when the contract tells one. */
function recordKeyOf(contract: Contract, operation: OperationSpec): string[] {
  const { model, roles } = resourcesOf(contract);
  const role = roles.get(operation.operationId);
  const entity = role?.resource ? model.entities.get(role.resource.entity) : undefined;
  return entity ? [entity.pkField] : [];
}

/** The parameters of the item paths under a collection path (`/x/` → `id` of `/x/{id}/`). */
function itemKeysOf(contract: Contract, collection: string): string[] {
  const keys = new Set<string>();
  for (const operation of contract.operations) {
    const rest = operation.path.startsWith(collection) ? operation.path.slice(collection.length) : '';
    const key = /^\{([^}]+)\}\/$/.exec(rest)?.[1];
    if (key) keys.add(key);
  }
  return [...keys];
}

/** One invalid request derived from a constraint of the contract, and the field its 400 must name. */
export interface InvalidRequest {
  constraint: 'required' | 'maxLength' | 'minLength' | 'pattern' | 'enum' | 'type' | 'format' | 'relation';
  field: string;
  describe: string;
  /** The body to send (for body violations), or the query to add (for parameter violations). */
  body?: Record<string, unknown>;
  query?: Record<string, string>;
  /** The messages the 400 may give for the field (any one of them); any message when absent. */
  messages?: string[];
}

const BAD_FORMATS: Record<string, unknown> = { uuid: 'not-a-uuid', email: 'not-an-email', 'date-time': 'yesterday', uri: 'not a url' };

/** The value that breaks a schema's first checkable constraint, with the kind of constraint it breaks. */
function breaking(schema: JsonSchema): { constraint: InvalidRequest['constraint']; value: unknown } | undefined {
  if (Array.isArray(schema.enum)) return { constraint: 'enum', value: 'not-a-choice' };
  if (schema.type === 'integer') return { constraint: 'type', value: 'not-a-number' };
  if (schema.type === 'boolean') return { constraint: 'type', value: 'maybe' };
  if (schema.type !== 'string') return undefined;
  const format = schema.format as string | undefined;
  if (format && format in BAD_FORMATS) return { constraint: 'format', value: BAD_FORMATS[format] };
  if (typeof schema.maxLength === 'number') return { constraint: 'maxLength', value: 'x'.repeat(schema.maxLength + 1) };
  if (typeof schema.pattern === 'string') {
    const value = schema.pattern === SLUG_PATTERN ? 'not a slug!' : ' no match \u0000';
    if (!safeTest(schema.pattern, value)) return { constraint: 'pattern', value };
  }
  if (typeof schema.minLength === 'number' && schema.minLength > 0) return { constraint: 'minLength', value: '' };
  return undefined;
}

/**
 * Invalid requests built from the contract, one per constraint a field can violate (required, maxLength, minLength,
 * pattern, enum, type, format), on top of a body that is otherwise valid, and one per filter parameter a list
 * answers with django-filter's 400. Each must be answered 400 naming the field.
 */
export function invalidRequests(contract: Contract, operation: OperationSpec, validBody: Record<string, unknown>): InvalidRequest[] {
  const out: InvalidRequest[] = [];
  const fields = writableFields(contract, operation);
  if (operation.method !== 'PATCH') {
    for (const field of requiredFields(contract, operation)) {
      if (!(field in fields)) continue;
      const { [field]: _omitted, ...body } = validBody;
      out.push({ constraint: 'required', field, describe: `body without required "${field}"`, body });
    }
  }
  const files = fileFields(contract, operation);
  const required = new Set(requiredFields(contract, operation));
  const form = requestMedia(operation)?.type === MULTIPART_TYPE;
  for (const [field, raw] of Object.entries(fields)) {
    if (files.has(field)) continue;
    const broken = breaking(contract.resolve(raw));
    // A form's `""` is no value for an optional field (DRF's Field.get_value for HTML input: `empty`, or None where
    // null is allowed), so it breaks no minLength: only a required field is refused as blank.
    if (broken?.value === '' && form && !required.has(field)) continue;
    if (broken)
      out.push({
        constraint: broken.constraint,
        field,
        describe: `"${field}" breaking ${broken.constraint}`,
        body: { ...validBody, [field]: broken.value },
      });
  }
  for (const filter of filtersOf(contract, operation)) out.push(...filterInvalidRequests(filter));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Query parameters

/** What a server may answer for each bad filter value (a list: django-filter words some cases more than one way). */
export const FILTER_MESSAGES = {
  relation: DJANGO_FILTER.invalidRelation,
  choice: DJANGO_FILTER.invalidChoice,
  uuid: DJANGO_FILTER.uuid,
  number: DJANGO_FILTER.number,
  datetime: DJANGO_FILTER.dateTime,
  pkValue: (value: string) => `\u201c${value}\u201d is not a valid value.`,
  pkUuid: (value: string) => `\u201c${value}\u201d is not a valid UUID.`,
} as const;

const resourceMaps = new WeakMap<Contract, ResourceMap>();
const derivedFields = new WeakMap<Contract, DerivedFields>();

function derivedFieldsOf(contract: Contract): DerivedFields {
  let derived = derivedFields.get(contract);
  if (!derived) derivedFields.set(contract, (derived = new DerivedFields(resourcesOf(contract).model)));
  return derived;
}

/** The contract's resources and entities (built once per contract). */
export function resourcesOf(contract: Contract): ResourceMap {
  let map = resourceMaps.get(contract);
  if (!map) resourceMaps.set(contract, (map = buildResources(contract)));
  return map;
}

const listsAt = new WeakMap<Contract, Map<string, OperationSpec | undefined>>();

/** The list operation of a collection path (`/core/groups/`); looked up once per path. */
export function listOperationAt(contract: Contract, path: string): OperationSpec | undefined {
  let lists = listsAt.get(contract);
  if (!lists) listsAt.set(contract, (lists = new Map()));
  if (!lists.has(path))
    lists.set(
      path,
      contract.operations.find((o) => o.method === 'GET' && o.path === path && listShape(contract, successSchema(o)?.schema)),
    );
  return lists.get(path);
}

function paginatedList(contract: Contract, operation: OperationSpec): boolean {
  return listShape(contract, successSchema(operation)?.schema)?.paginated === true;
}

/**
 * The filters a GET runs, as the contract classifies them (`filterParams`). A paginated list runs its filter set over
 * every query; any other GET only when its parameters are its collection's list filters (a detail action such as
 * `/outposts/instances/{uuid}/health/` looks its record up through them). Parameters of anything else are read by
 * the view's own code, whose answer to a bad value the contract cannot tell: none are returned for them.
 */
export function filtersOf(contract: Contract, operation: OperationSpec): FilterParam[] {
  if (operation.method !== 'GET') return [];
  if (paginatedList(contract, operation)) return filterParams(contract, operation);
  const collection = operation.path.includes('{') ? operation.path.slice(0, operation.path.indexOf('{')) : undefined;
  const list = collection ? listOperationAt(contract, collection) : undefined;
  if (!list || !paginatedList(contract, list)) return [];
  const same = (name: string) => {
    const own = operation.parameters.find((p) => p.in === 'query' && p.name === name);
    const listed = list.parameters.find((p) => p.in === 'query' && p.name === name);
    return !!own && JSON.stringify(own.schema) === JSON.stringify(listed?.schema);
  };
  return filterParams(contract, list).filter((filter) => same(filter.name));
}

const UNKNOWN_PK = { number: '2147483647', uuid: 'ffffffff-ffff-4fff-bfff-ffffffffffff' };

/**
 * The bad values a filter answers with a 400 naming it, and the messages django-filter gives for them. Booleans and
 * text never give one; number, UUID, date-time and relation filters only where django-filter reads the name (not a
 * parameter the view's own code may read), and where a key cannot be told from a relation, either message.
 */
function filterInvalidRequests(filter: FilterParam): InvalidRequest[] {
  const name = filter.name;
  const numeric = filter.schema.type === 'integer' || filter.schema.type === 'number';
  const bad =
    filter.kind === 'choice' ? 'not-a-choice' : filter.kind === 'datetime' ? 'not-a-date' : numeric ? 'not-a-number' : 'not-a-uuid';
  const make = (constraint: InvalidRequest['constraint'], value: string, messages: string[]): InvalidRequest => ({
    constraint,
    field: name,
    describe: `query "${name}" ${constraint === 'relation' ? 'naming no record' : `breaking ${constraint}`}`,
    query: { [name]: value },
    messages,
  });
  const typeMessage = numeric ? FILTER_MESSAGES.number : FILTER_MESSAGES.uuid;
  if (filter.kind === 'choice') return [make('enum', bad, [FILTER_MESSAGES.choice(bad)])];
  if (filter.kind === 'multiple')
    return [make('type', bad, [FILTER_MESSAGES.pkValue(bad), FILTER_MESSAGES.pkUuid(bad), FILTER_MESSAGES.choice(bad)])];
  if (!filter.filterSet) return [];
  switch (filter.kind) {
    case 'datetime':
      return [make('format', bad, [FILTER_MESSAGES.datetime])];
    case 'number':
    case 'uuid':
      return [make('type', bad, filter.maybeRelation ? [typeMessage, FILTER_MESSAGES.relation] : [typeMessage])];
    case 'relation':
      return [
        make('type', bad, [FILTER_MESSAGES.relation]),
        make('relation', numeric ? UNKNOWN_PK.number : UNKNOWN_PK.uuid, [FILTER_MESSAGES.relation]),
      ];
    default:
      return [];
  }
}

/** A probe that a filter really filters: the list filtered by a value of its first record shows only matching records. */
export interface FilterProbe {
  name: string;
  value: string;
  /** `exact`: every record's field equals the value; `contains`: holds it, ignoring case (a text filter may be `icontains`). */
  match: 'exact' | 'contains';
  matches(record: Record<string, unknown>): boolean;
}

const PROBES_PER_OPERATION = 3;

/**
 * Up to a few filters to probe with a value of `record`: filters named after a field the list items show, whose
 * value in the record is a scalar of the filter's type. Exact kinds (choice, boolean, keys, numbers) come first;
 * text filters are checked leniently, since a text filter may be `icontains` under the field's own name.
 */
export function filterProbes(contract: Contract, operation: OperationSpec, record: Record<string, unknown>): FilterProbe[] {
  if (!paginatedList(contract, operation)) return [];
  const exact: FilterProbe[] = [];
  const loose: FilterProbe[] = [];
  for (const filter of filtersOf(contract, operation)) {
    const name = filter.name;
    if (!filter.itemField || filter.many) continue;
    const value = record[name];
    if (value === null || value === undefined || typeof value === 'object') continue;
    const same = (v: unknown) => v !== null && v !== undefined && String(v).toLowerCase() === String(value).toLowerCase();
    if (filter.kind === 'boolean' && typeof value === 'boolean' && !name.includes('__')) {
      exact.push({ name, value: String(value), match: 'exact', matches: (r) => r[name] === value });
    } else if (
      (filter.kind === 'choice' && (filter.schema.enum as unknown[]).includes(value)) ||
      (['relation', 'uuid', 'number'].includes(filter.kind) &&
        contract.check(filter.schema, value, 'request').length === 0 &&
        typeof value !== 'boolean')
    ) {
      exact.push({ name, value: String(value), match: 'exact', matches: (r) => same(r[name]) });
    } else if (
      filter.kind === 'text' &&
      (typeof value === 'string' || typeof value === 'number') &&
      String(value).trim() !== '' &&
      !filter.schema.format
    ) {
      const needle = String(value).trim().toLowerCase();
      loose.push({
        name,
        value: String(value).trim(),
        match: 'contains',
        matches: (r) => r[name] !== null && r[name] !== undefined && String(r[name]).toLowerCase().includes(needle),
      });
    }
  }
  return [...exact, ...loose].slice(0, PROBES_PER_OPERATION);
}

/**
 * Values for the operation's required query parameters, which every request of it must carry: an enum's first
 * choice, else a value generated from the schema.
 */
export function requiredQuery(contract: Contract, operation: OperationSpec, seed = 1): Record<string, string> {
  const out: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'query' || !parameter.required) continue;
    const schema = contract.resolve(parameter.schema);
    const value = Array.isArray(schema.enum)
      ? schema.enum[0]
      : generator(contract, seed).value(schema, 'request', { field: parameter.name, owner: '' });
    out[parameter.name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

/** The fields a success body of the operation has (its record's fields), resolved one level. */
export function successFields(contract: Contract, operation: OperationSpec): Record<string, JsonSchema> {
  const status = Object.keys(operation.responses).find((s) => s.startsWith('2'));
  const schema = status ? jsonMedia(operation.responses[status]!.content)?.schema : undefined;
  return schema ? propertiesOf(contract.resolve(schema)) : {};
}

/** Whether a value matches a pattern; a pattern JavaScript cannot compile counts as matching (nothing to break). */
function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}
