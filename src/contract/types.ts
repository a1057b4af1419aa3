/** The contract as stored in schemas/: OpenAPI 3.0 operations whose schemas $ref shared components. */

/**
 * An OpenAPI 3.0 schema object (JSON Schema plus `nullable` and `discriminator`): the keywords the mock reads are
 * typed; any other keyword is kept as it came.
 */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  nullable?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
  [keyword: string]: unknown;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

export interface ParameterSpec {
  name: string;
  in: ParameterLocation;
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaSpec {
  schema: JsonSchema;
}

export interface RequestBodySpec {
  required: boolean;
  content: Record<string, MediaSpec>;
}

export interface ResponseSpec {
  description: string;
  content?: Record<string, MediaSpec>;
}

/** How an operation reached us: decoded from a page's `api:` key, inferred from a rendered page, or read from an OpenAPI document. */
export type OperationOrigin = 'decoded' | 'inferred' | 'openapi';

export interface OperationSpec {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template relative to the server base, e.g. `/core/groups/{group_uuid}/`. */
  path: string;
  /** Server base the path hangs under, e.g. `/api/v3/`. */
  server: string;
  description?: string;
  tags: string[];
  /** OpenAPI security requirements; an empty list means the operation needs no credentials. */
  security: Array<Record<string, string[]>>;
  parameters: ParameterSpec[];
  requestBody?: RequestBodySpec;
  responses: Record<string, ResponseSpec>;
  origin: OperationOrigin;
  source: string;
}

export interface IndexEntry {
  operationId: string;
  method: HttpMethod;
  path: string;
  source: string;
  origin: OperationOrigin;
}

export interface SchemasIndex {
  generator: string;
  operations: IndexEntry[];
  components: string[];
}

/** Everything in a schemas/ folder, already parsed: what the browser-safe core is built from. */
export interface ContractDocument {
  operations: OperationSpec[];
  components: Record<string, JsonSchema>;
}

export const COMPONENT_REF_PREFIX = '#/components/schemas/';

export function componentRef(name: string): JsonSchema {
  return { $ref: COMPONENT_REF_PREFIX + name };
}

export function refName(schema: unknown): string | undefined {
  if (!isPlainObject(schema)) return undefined;
  const ref = schema.$ref;
  return typeof ref === 'string' && ref.startsWith(COMPONENT_REF_PREFIX) ? ref.slice(COMPONENT_REF_PREFIX.length) : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `oneOf`'s discriminator: the property that names the branch, and each branch's value and `$ref`. */
export interface Discriminator {
  property: string;
  branches: Array<{ value: string; ref: string }>;
}

/** The discriminator of a schema (already resolved), when it has one with a mapping. */
export function discriminatorOf(schema: JsonSchema): Discriminator | undefined {
  const discriminator = schema.discriminator;
  if (!isPlainObject(discriminator) || typeof discriminator['propertyName'] !== 'string' || !isPlainObject(discriminator['mapping']))
    return undefined;
  const branches = Object.entries(discriminator['mapping'])
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([value, ref]) => ({ value, ref }));
  return branches.length > 0 ? { property: discriminator['propertyName'], branches } : undefined;
}

/** The component a schema names, through one-element `allOf` wrappers and array `items`. */
export function componentName(schema: JsonSchema | undefined): string | undefined {
  let current = schema;
  for (let depth = 0; current && depth < 4; depth++) {
    const name = refName(current);
    if (name) return name;
    const next = Array.isArray(current.allOf) ? current.allOf[0] : current.items;
    current = isPlainObject(next) ? (next as JsonSchema) : undefined;
  }
  return undefined;
}

/** An object schema's `properties`, or none. */
export function propertiesOf(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  return schema && isPlainObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
}

/** An object schema's `required` names. */
export function requiredOf(schema: JsonSchema | undefined): ReadonlySet<string> {
  if (!schema) return NONE_REQUIRED;
  let required = requiredNames.get(schema);
  if (!required) requiredNames.set(schema, (required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : [])));
  return required;
}

/** Each schema's `required`, as a Set made once: asked for every list page and every write. */
const requiredNames = new WeakMap<JsonSchema, ReadonlySet<string>>();
const NONE_REQUIRED: ReadonlySet<string> = new Set();

/** A UUID as Django's UUIDField reads one: hex, hyphens optional, any case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
