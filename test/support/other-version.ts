import { join } from 'node:path';
import { isPlainObject, type ContractDocument, type JsonSchema, type OperationSpec } from '../../src/contract/types.js';
import { importPages } from '../../src/importer/import-pages.js';
import { readSchemasDir } from '../../src/node/schemas-dir.js';

/**
 * "Another authentik version": a slice of the committed reference turned back into an OpenAPI 3 document, then
 * changed the way later authentik versions change the API — error responses as `$ref`s to `components/responses`,
 * an `autocomplete` field in every list envelope, a brand-new resource, a new field on an existing component.
 * Nothing here is a real authentik version: it is a contract no code was written for.
 */

export const OTHER_VERSION = '2099.1.0';
/** The slice of the reference taken by default: the core resources and roles. */
export const DEFAULT_PATH_PREFIXES = ['/core/', '/rbac/roles/'];
/** The resource no authentik version has: integer pk, slug, a nullable link to a Group with its embed, an enum. */
export const WIDGET_OPERATION_IDS = [
  'core_widgets_create',
  'core_widgets_destroy',
  'core_widgets_list',
  'core_widgets_partial_update',
  'core_widgets_retrieve',
  'core_widgets_update',
];
/** The field added to an existing component. */
export const ADDED_FIELD = { component: 'User', field: 'avatar_url' };

type OpenApiDocument = Record<string, unknown>;
type Components = Record<string, JsonSchema>;

const SCHEMAS_DIR = join(import.meta.dirname, '..', '..', 'schemas');
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

let reference: ContractDocument | undefined;
const referenceDocument = () => (reference ??= readSchemasDir(SCHEMAS_DIR));

/** The later version's OpenAPI document, built fresh on every call (callers may change it). */
export function otherVersionDocument(options: { pathPrefixes?: string[] } = {}): OpenApiDocument {
  const prefixes = options.pathPrefixes ?? DEFAULT_PATH_PREFIXES;
  const { operations, components } = structuredClone(referenceDocument());
  const slice = operations.filter((o) => prefixes.some((prefix) => o.path.startsWith(prefix)));
  const schemas = componentsUsedBy(slice, components);
  const doc = openApiDocument(slice, schemas);
  addWidgets(doc, schemas);
  addField(schemas);
  errorsAsResponseRefs(doc);
  autocompleteInEnvelopes(schemas);
  // Plain data with no shared objects: a YAML dump of it holds no anchors, and callers may change any part.
  return JSON.parse(JSON.stringify(doc)) as OpenApiDocument;
}

let imported: ContractDocument | undefined;

/** The later version's contract, imported in memory as `authentik-mock import` would import it. */
export function otherVersionContract(): ContractDocument {
  if (imported) return imported;
  const result = importPages([{ file: `authentik-${OTHER_VERSION}.yml`, document: otherVersionDocument() }]);
  if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('\n'));
  imported = result.contract;
  return imported;
}

/** Every component the operations reach through `$ref`s, without the `title` the importer added (the key names it). */
function componentsUsedBy(operations: OperationSpec[], components: Components): Components {
  const used: Components = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isPlainObject(value)) return;
    const name = typeof value['$ref'] === 'string' ? value['$ref'].split('/').pop()! : undefined;
    if (name !== undefined && !(name in used)) {
      const { title: _title, ...body } = components[name]!;
      used[name] = body;
      visit(body);
    }
    Object.values(value).forEach(visit);
  };
  visit(operations);
  return Object.fromEntries(Object.entries(used).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The stored operations as an OpenAPI 3.0 document, as drf-spectacular writes one. */
function openApiDocument(operations: OperationSpec[], schemas: Components): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method.toLowerCase()] = openApiOperation(operation);
  return {
    openapi: '3.0.3',
    info: { title: 'authentik', version: OTHER_VERSION, description: 'Making authentication simple.' },
    servers: [{ url: '/api/v3/' }],
    security: [{ authentik: [] }],
    paths,
    components: { schemas, securitySchemes: { authentik: { type: 'http', scheme: 'bearer' } } },
  };
}

function openApiOperation(operation: OperationSpec): Record<string, unknown> {
  const { operationId, description, tags, security, parameters, requestBody, responses } = operation;
  const out: Record<string, unknown> = { operationId, tags, security, parameters, responses };
  if (description) out['description'] = description;
  if (requestBody) out['requestBody'] = requestBody;
  return out;
}

/** Later versions answer 400 and 403 with shared response objects instead of repeating them. */
function errorsAsResponseRefs(doc: OpenApiDocument): void {
  const shared = { '400': 'ValidationErrorResponse', '403': 'GenericErrorResponse' };
  for (const item of Object.values(doc['paths'] as Record<string, Record<string, unknown>>)) {
    for (const operation of Object.values(item)) {
      const responses = isPlainObject(operation) ? operation['responses'] : undefined;
      if (!isPlainObject(responses)) continue; // the path item's shared `parameters`
      for (const [status, name] of Object.entries(shared)) {
        if (status in responses) responses[status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
  const components = doc['components'] as Record<string, unknown>;
  components['responses'] = {
    ValidationErrorResponse: { description: '', content: json(ref('ValidationError')) },
    GenericErrorResponse: { description: '', content: json(ref('GenericError')) },
  };
}

/** Later list envelopes carry a required `autocomplete` object beside `pagination` and `results`. */
function autocompleteInEnvelopes(schemas: Components): void {
  for (const [name, schema] of Object.entries(schemas)) {
    if (!/^Paginated\w+List$/.test(name)) continue;
    (schema['properties'] as Components)['autocomplete'] = { type: 'object', additionalProperties: {} };
    schema['required'] = [...(schema['required'] as string[]), 'autocomplete'].sort();
  }
}

function addField(schemas: Components): void {
  const user = schemas[ADDED_FIELD.component]!;
  (user['properties'] as Components)[ADDED_FIELD.field] = { type: 'string', format: 'uri', nullable: true, readOnly: true };
  user['required'] = [...(user['required'] as string[]), ADDED_FIELD.field].sort();
}

/** `/core/widgets/`: the full set of model-viewset operations for a component no authentik has. */
function addWidgets(doc: OpenApiDocument, schemas: Components): void {
  const writable = () => ({
    name: { type: 'string', minLength: 1, maxLength: 100 },
    slug: { type: 'string', minLength: 1, maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$' },
    group: { type: 'string', format: 'uuid', nullable: true },
    kind: ref('WidgetKindEnum'),
  });
  schemas['WidgetKindEnum'] = {
    enum: ['gear', 'sprocket', 'cog'],
    type: 'string',
    description: '* `gear` - Gear\n* `sprocket` - Sprocket\n* `cog` - Cog',
  };
  schemas['Widget'] = {
    type: 'object',
    description: 'Widget Serializer',
    properties: {
      pk: { type: 'integer', readOnly: true, title: 'ID' },
      name: { type: 'string', maxLength: 100 },
      slug: { type: 'string', maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$' },
      group: { type: 'string', format: 'uuid', nullable: true },
      group_obj: { allOf: [ref('Group')], readOnly: true, nullable: true },
      kind: ref('WidgetKindEnum'),
    },
    required: ['group_obj', 'kind', 'name', 'pk', 'slug'],
  };
  schemas['WidgetRequest'] = {
    type: 'object',
    description: 'Widget Serializer',
    properties: writable(),
    required: ['kind', 'name', 'slug'],
  };
  schemas['PatchedWidgetRequest'] = { type: 'object', description: 'Widget Serializer', properties: writable() };
  schemas['PaginatedWidgetList'] = {
    type: 'object',
    properties: { pagination: ref('Pagination'), results: { type: 'array', items: ref('Widget') } },
    required: ['pagination', 'results'],
  };
  const paths = doc['paths'] as Record<string, unknown>;
  paths['/core/widgets/'] = widgetCollection();
  paths['/core/widgets/{id}/'] = widgetItem();
}

const errors = () => ({
  '400': { description: '', content: json(ref('ValidationError')) },
  '403': { description: '', content: json(ref('GenericError')) },
});
const common = { tags: ['core'], security: [{ authentik: [] }], description: 'Widget Viewset' };
const query = (name: string, schema: JsonSchema, description?: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  ...(description ? { description } : {}),
});

function widgetCollection(): Record<string, unknown> {
  return {
    get: {
      ...common,
      operationId: 'core_widgets_list',
      parameters: [
        query('group', { type: 'string', format: 'uuid' }),
        query('kind', { type: 'string', enum: ['cog', 'gear', 'sprocket'] }),
        query('name', { type: 'string' }),
        query('ordering', { type: 'string' }, 'Which field to use when ordering the results.'),
        query('page', { type: 'integer' }, 'A page number within the paginated result set.'),
        query('page_size', { type: 'integer' }, 'Number of results to return per page.'),
        query('search', { type: 'string' }, 'A search term.'),
        query('slug', { type: 'string' }),
      ],
      responses: { '200': { description: '', content: json(ref('PaginatedWidgetList')) }, ...errors() },
    },
    post: {
      ...common,
      operationId: 'core_widgets_create',
      requestBody: { content: json(ref('WidgetRequest')), required: true },
      responses: { '201': { description: '', content: json(ref('Widget')) }, ...errors() },
    },
  };
}

function widgetItem(): Record<string, unknown> {
  const body = (name: string, required: boolean) => ({ content: json(ref(name)), required });
  const ok = { '200': { description: '', content: json(ref('Widget')) }, ...errors() };
  return {
    parameters: [
      {
        name: 'id',
        in: 'path',
        required: true,
        schema: { type: 'integer' },
        description: 'A unique integer value identifying this widget.',
      },
    ],
    get: { ...common, operationId: 'core_widgets_retrieve', responses: ok },
    put: { ...common, operationId: 'core_widgets_update', requestBody: body('WidgetRequest', true), responses: ok },
    patch: { ...common, operationId: 'core_widgets_partial_update', requestBody: body('PatchedWidgetRequest', false), responses: ok },
    delete: { ...common, operationId: 'core_widgets_destroy', responses: { '204': { description: 'No response body' }, ...errors() } },
  };
}
