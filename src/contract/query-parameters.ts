import { setOwn, type DrfErrors } from './drf-errors.js';
import { isPlainObject, type JsonSchema, type ParameterSpec } from './types.js';

/** Query values as they arrive: every name may repeat. */
export type RawQuery = Record<string, string[]>;
export type QueryValue = string | number | boolean | Array<string | number | boolean>;

const TRUE = new Set(['true', 'True', '1', 'yes', 'on']);
const FALSE = new Set(['false', 'False', '0', 'no', 'off']);
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const choice = (value: string) => `Select a valid choice. ${value} is not one of the available choices.`;

/** One query string value coerced as django-filter does; a string message when it cannot be. */
export function coerceScalar(raw: string, schema: JsonSchema): string | number | boolean | { error: string } {
  const enumValues = Array.isArray(schema['enum']) ? schema['enum'] : undefined;
  if (enumValues && !enumValues.map(String).includes(raw)) return { error: choice(raw) };
  switch (schema['type']) {
    case 'integer':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : { error: 'Enter a number.' };
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : { error: 'Enter a number.' };
    case 'boolean':
      if (TRUE.has(raw)) return true;
      if (FALSE.has(raw)) return false;
      return { error: choice(raw) };
    default:
      if (schema['format'] === 'uuid' && !UUID.test(raw)) return { error: 'Enter a valid UUID.' };
      if (schema['format'] === 'date-time' && Number.isNaN(Date.parse(raw))) return { error: 'Enter a valid date/time.' };
      return raw;
  }
}

export interface CoercedQuery {
  values: Record<string, QueryValue>;
  errors?: DrfErrors;
}

/**
 * The documented query parameters of an operation, coerced from strings (`"3"` → 3, `true`/`1` → true, repeated
 * names → arrays). Undocumented names are ignored, as Django ignores them. `skip` names are handled elsewhere
 * (pagination answers bad pages with 404, not 400).
 */
export function coerceQuery(parameters: ParameterSpec[], raw: RawQuery, skip: ReadonlySet<string> = new Set()): CoercedQuery {
  const values: Record<string, QueryValue> = Object.create(null) as Record<string, QueryValue>;
  const errors: DrfErrors = {};
  for (const parameter of parameters) {
    if (parameter.in !== 'query' || skip.has(parameter.name) || !Object.hasOwn(raw, parameter.name)) continue;
    const given = raw[parameter.name]!.filter((v) => v !== '');
    if (given.length === 0) continue;
    const isArray = parameter.schema['type'] === 'array';
    const itemSchema = isArray && isPlainObject(parameter.schema['items']) ? (parameter.schema['items'] as JsonSchema) : parameter.schema;
    const coerced = (isArray ? given : given.slice(-1)).map((v) => coerceScalar(v, itemSchema));
    const failed = coerced.find((c): c is { error: string } => typeof c === 'object');
    if (failed) setOwn(errors, parameter.name, [failed.error]);
    else values[parameter.name] = isArray ? (coerced as Array<string | number | boolean>) : (coerced[0] as string | number | boolean);
  }
  return Object.keys(errors).length > 0 ? { values, errors } : { values };
}

/** A path key of the route, checked against its schema: a key of the wrong shape finds nothing (404), as in Django. */
export function coercePathKey(raw: string, schema: JsonSchema): string | number | undefined {
  const coerced = coerceScalar(raw, schema);
  return typeof coerced === 'object' || typeof coerced === 'boolean' ? undefined : coerced;
}
