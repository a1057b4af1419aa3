import { UUID_PATTERN as UUID, type JsonSchema } from './types.js';

/** Query values as they arrive: every name may repeat. */
export type RawQuery = Record<string, string[]>;

const TRUE = new Set(['true', 'True', '1', 'yes', 'on']);
const FALSE = new Set(['false', 'False', '0', 'no', 'off']);
const choice = (value: string) => `Select a valid choice. ${value} is not one of the available choices.`;

/** One string (a form field, a path key) read as its schema's type; a message when it cannot be. */
export function coerceScalar(raw: string, schema: JsonSchema): string | number | boolean | { error: string } {
  const enumValues = Array.isArray(schema.enum) ? schema.enum : undefined;
  if (enumValues && !enumValues.map(String).includes(raw)) return { error: choice(raw) };
  switch (schema.type) {
    case 'integer':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : { error: 'Enter a number.' };
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : { error: 'Enter a number.' };
    case 'boolean':
      if (TRUE.has(raw)) return true;
      if (FALSE.has(raw)) return false;
      return { error: choice(raw) };
    default:
      if (schema.format === 'uuid' && !UUID.test(raw)) return { error: 'Enter a valid UUID.' };
      if (schema.format === 'date-time' && Number.isNaN(Date.parse(raw))) return { error: 'Enter a valid date/time.' };
      return raw;
  }
}

/** A path key of the route, checked against its schema: a key of the wrong shape finds nothing (404), as in Django. */
export function coercePathKey(raw: string, schema: JsonSchema): string | number | undefined {
  const coerced = coerceScalar(raw, schema);
  return typeof coerced === 'object' || typeof coerced === 'boolean' ? undefined : coerced;
}
