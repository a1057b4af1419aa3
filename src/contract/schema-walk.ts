import { isPlainObject, type JsonSchema } from './types.js';

const SINGLE_SUBSCHEMA_KEYS = ['items', 'additionalProperties', 'not'] as const;
const LIST_SUBSCHEMA_KEYS = ['allOf', 'anyOf', 'oneOf'] as const;

/** A copy of `schema` with every direct subschema replaced by `map(subschema)`; keywords that are not subschemas are kept. */
export function mapSubschemas(schema: JsonSchema, map: (sub: JsonSchema) => JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  const properties = schema.properties;
  if (isPlainObject(properties)) {
    const mapped: Record<string, JsonSchema> = {};
    for (const [name, sub] of Object.entries(properties)) mapped[name] = isPlainObject(sub) ? map(sub) : (sub as JsonSchema);
    out.properties = mapped;
  }
  for (const key of SINGLE_SUBSCHEMA_KEYS) {
    const sub = schema[key];
    if (isPlainObject(sub)) out[key] = map(sub);
  }
  for (const key of LIST_SUBSCHEMA_KEYS) {
    const list = schema[key];
    if (Array.isArray(list)) out[key] = list.map((sub) => (isPlainObject(sub) ? map(sub) : sub));
  }
  return out;
}

/**
 * Calls `visit` for the schema and every schema inside it (properties, items, additionalProperties, not, allOf,
 * anyOf, oneOf, if/then/else), depth first. `$ref`s are not followed.
 */
export function forEachSubschema(schema: JsonSchema, visit: (sub: JsonSchema) => void, depth = 0): void {
  if (depth > 256) return;
  visit(schema);
  const children: unknown[] = [
    ...(isPlainObject(schema.properties) ? Object.values(schema.properties) : []),
    ...SINGLE_SUBSCHEMA_KEYS.map((key) => schema[key]),
    ...['if', 'then', 'else'].map((key) => schema[key]),
    ...LIST_SUBSCHEMA_KEYS.flatMap((key) => (Array.isArray(schema[key]) ? (schema[key] as unknown[]) : [])),
  ];
  for (const child of children) if (isPlainObject(child)) forEachSubschema(child, visit, depth + 1);
}

/** JSON with keys sorted at every level: equal values give equal strings, whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
