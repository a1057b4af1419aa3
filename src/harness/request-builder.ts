import { JSON_TYPE, type Contract } from '../contract/contract.js';
import { SLUG_PATTERN } from '../contract/drf-errors.js';
import { isPlainObject, type JsonSchema, type OperationSpec, type ParameterSpec } from '../contract/types.js';
import { FixtureGenerator, createFaker } from '../fixtures/generate.js';
import { listShape, successSchema } from '../world/resources.js';

/** Top-level fields of the JSON request body a client may send (read-only ones left out). */
function writableFields(contract: Contract, operation: OperationSpec): Record<string, JsonSchema> {
  return contract.writableFields(operation.requestBody?.content[JSON_TYPE]?.schema);
}

export function requiredFields(contract: Contract, operation: OperationSpec): string[] {
  const schema = operation.requestBody?.content[JSON_TYPE]?.schema;
  const required = schema ? contract.resolve(schema)['required'] : undefined;
  return Array.isArray(required) ? (required as string[]) : [];
}

/**
 * A body the server must accept: an existing record's writable fields (what a client that read it would send back),
 * else one generated from the request schema. Links then point at records that exist.
 */
export function bodyFromRecord(contract: Contract, operation: OperationSpec, record: Record<string, unknown> | undefined, seed = 1): Record<string, unknown> {
  const fields = writableFields(contract, operation);
  if (record) return Object.fromEntries(Object.keys(fields).filter((f) => f in record).map((f) => [f, record[f]]));
  const schema = operation.requestBody?.content[JSON_TYPE]?.schema ?? {};
  const value = new FixtureGenerator(createFaker(seed), contract.components, 0).value(schema, 'request');
  return isPlainObject(value) ? value : {};
}

/** A copy whose unique-looking string fields (slug, identifier, username, name) will not clash with the original. */
export function uniqueVariant(contract: Contract, operation: OperationSpec, body: Record<string, unknown>, suffix: string): Record<string, unknown> {
  const fields = writableFields(contract, operation);
  const out = { ...body };
  for (const field of ['slug', 'identifier', 'username', 'name', 'uid']) {
    const schema = fields[field] ? contract.resolve(fields[field]) : undefined;
    if (!schema || typeof out[field] !== 'string') continue;
    const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : 255;
    out[field] = `${(out[field] as string).slice(0, Math.max(1, max - suffix.length - 1))}-${suffix}`;
  }
  return out;
}

/** One invalid request derived from a constraint of the contract, and the field its 400 must name. */
export interface Violation {
  constraint: 'required' | 'maxLength' | 'minLength' | 'pattern' | 'enum' | 'type' | 'format';
  field: string;
  describe: string;
  /** The body to send (for body violations), or the query to add (for parameter violations). */
  body?: Record<string, unknown>;
  query?: Record<string, string>;
}

const BAD_FORMATS: Record<string, unknown> = { uuid: 'not-a-uuid', email: 'not-an-email', 'date-time': 'yesterday', uri: 'not a url' };

/** The value that breaks a schema's first checkable constraint, with the kind of constraint it breaks. */
function breaking(schema: JsonSchema): { constraint: Violation['constraint']; value: unknown } | undefined {
  if (Array.isArray(schema['enum'])) return { constraint: 'enum', value: 'not-a-choice' };
  if (schema['type'] === 'integer') return { constraint: 'type', value: 'not-a-number' };
  if (schema['type'] === 'boolean') return { constraint: 'type', value: 'maybe' };
  if (schema['type'] !== 'string') return undefined;
  const format = schema['format'] as string | undefined;
  if (format && format in BAD_FORMATS) return { constraint: 'format', value: BAD_FORMATS[format] };
  if (typeof schema['maxLength'] === 'number') return { constraint: 'maxLength', value: 'x'.repeat(schema['maxLength'] + 1) };
  if (typeof schema['pattern'] === 'string') {
    const value = schema['pattern'] === SLUG_PATTERN ? 'not a slug!' : ' no match \u0000';
    if (!safeTest(schema['pattern'], value)) return { constraint: 'pattern', value };
  }
  if (typeof schema['minLength'] === 'number' && schema['minLength'] > 0) return { constraint: 'minLength', value: '' };
  return undefined;
}

/**
 * Invalid requests built from the contract, one per constraint a field can violate (required, maxLength, minLength,
 * pattern, enum, type, format), on top of a body that is otherwise valid. Each must be answered 400 naming the field.
 */
export function violations(contract: Contract, operation: OperationSpec, validBody: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  const fields = writableFields(contract, operation);
  if (operation.method !== 'PATCH') {
    for (const field of requiredFields(contract, operation)) {
      if (!(field in fields)) continue;
      const { [field]: _omitted, ...body } = validBody;
      out.push({ constraint: 'required', field, describe: `body without required "${field}"`, body });
    }
  }
  for (const [field, raw] of Object.entries(fields)) {
    const schema = contract.resolve(raw);
    const broken = breaking(schema);
    if (broken) out.push({ constraint: broken.constraint, field, describe: `"${field}" breaking ${broken.constraint}`, body: { ...validBody, [field]: broken.value } });
  }
  // Only list filters answer bad values with 400 (django-filter); other views read their query leniently.
  if (listShape(contract, successSchema(operation)?.schema)) for (const parameter of operation.parameters) out.push(...parameterViolations(contract, parameter));
  return out;
}

function parameterViolations(contract: Contract, parameter: ParameterSpec): Violation[] {
  if (parameter.in !== 'query' || ['page', 'page_size', 'ordering', 'search'].includes(parameter.name)) return [];
  const schema = contract.resolve(parameter.schema);
  const item = schema['type'] === 'array' && isPlainObject(schema['items']) ? contract.resolve(schema['items']) : schema;
  const broken = Array.isArray(item['enum']) ? 'enum' : item['type'] === 'integer' || item['type'] === 'number' || item['type'] === 'boolean' || item['format'] === 'uuid' ? 'type' : undefined;
  if (!broken) return [];
  return [{ constraint: broken, field: parameter.name, describe: `query "${parameter.name}" breaking ${broken}`, query: { [parameter.name]: 'not-valid' } }];
}

/** Whether a value matches a pattern; a pattern JavaScript cannot compile counts as matching (nothing to break). */
function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}
