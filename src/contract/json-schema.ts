import { isBlankableCharField } from './drf-fields.js';
import { mapSubschemas } from './schema-walk.js';
import { discriminatorOf, isPlainObject, refName, type JsonSchema } from './types.js';

/**
 * Which side of the wire a schema describes. Responses carry readOnly fields and never writeOnly ones; requests
 * the other way round (readOnly fields sent by a client are ignored, as DRF does).
 */
export type SchemaMode = 'response' | 'request';

export function componentId(mode: SchemaMode, name: string): string {
  return `urn:authentik-mock:${mode}:${encodeURIComponent(name)}`;
}

/** OpenAPI 3.0 schema → JSON Schema (draft-07) as AJV reads it, for one side of the wire. */
export function toJsonSchema(schema: JsonSchema, mode: SchemaMode): JsonSchema {
  const name = refName(schema);
  if (name !== undefined) return { $ref: componentId(mode, name) };
  const converted = discriminated(
    dropHiddenProperties(exclusiveBounds(mapSubschemas(schema, (sub) => toJsonSchema(sub, mode))), mode),
    schema,
    mode,
  );
  const withNull = schema.nullable === true ? nullable(converted) : converted;
  // Both sides: a field a client may leave blank is shown blank (DRF answers `"email": ""`).
  return takesBlank(schema) ? blankAllowed(withNull) : withNull;
}

/**
 * OpenAPI 3.0 writes an exclusive bound as a flag beside it (`maximum: 5, exclusiveMaximum: true`, JSON Schema
 * draft 4); draft 7 as the bound itself (`exclusiveMaximum: 5`).
 */
function exclusiveBounds(schema: JsonSchema): JsonSchema {
  if (typeof schema['exclusiveMaximum'] !== 'boolean' && typeof schema['exclusiveMinimum'] !== 'boolean') return schema;
  const out: JsonSchema = { ...schema };
  for (const [flag, bound] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    if (typeof out[flag] !== 'boolean') continue;
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else delete out[flag];
  }
  return out;
}

/**
 * A CharField with allow_blank=True (no `minLength`) whose format or pattern `""` would fail: DRF returns `""` before
 * any validator runs (CharField.run_validation), so `""` is valid whatever the format (an empty email, URL or slug).
 */
function takesBlank(schema: JsonSchema): boolean {
  return isBlankableCharField(schema) && (schema.format !== undefined || schema.pattern !== undefined);
}

function blankAllowed(schema: JsonSchema): JsonSchema {
  return { if: { const: '' }, else: schema };
}

/**
 * A `oneOf` with a discriminator picks its variant by the discriminating property (`component`), as OpenAPI says:
 * variants that happen to overlap (one with no required field accepts them all) must not make a valid value fail
 * `oneOf`'s "exactly one". So: the property, when given, is one of the mapping's values, and the value is valid
 * for the variant it names.
 */
function discriminated(converted: JsonSchema, original: JsonSchema, mode: SchemaMode): JsonSchema {
  const discriminator = discriminatorOf(original);
  if (!discriminator || !Array.isArray(converted.oneOf)) return converted;
  const { property, branches } = discriminator;
  const { oneOf, discriminator: _discriminator, ...rest } = converted;
  const chosen = branches.map(({ value, ref }) => ({
    if: { type: 'object', properties: { [property]: { const: value } }, required: [property] },
    then: toJsonSchema({ $ref: ref }, mode),
  }));
  const named = { type: 'object', properties: { [property]: { enum: branches.map((b) => b.value) } } };
  return { ...rest, anyOf: oneOf, allOf: [named, ...chosen] };
}

/** Request side: drop readOnly properties; response side: drop writeOnly ones. Either way they are not required. */
function dropHiddenProperties(schema: JsonSchema, mode: SchemaMode): JsonSchema {
  const properties = schema.properties;
  if (!isPlainObject(properties)) return schema;
  const hiddenKey = mode === 'request' ? 'readOnly' : 'writeOnly';
  const hidden = Object.keys(properties).filter((key) => isHidden(properties[key], hiddenKey));
  if (hidden.length === 0) return schema;
  const kept = Object.fromEntries(Object.entries(properties).filter(([key]) => !hidden.includes(key)));
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => !hidden.includes(r as string)) : undefined;
  return { ...schema, properties: kept, ...(required ? { required } : {}) };
}

function isHidden(property: unknown, key: 'readOnly' | 'writeOnly'): boolean {
  return isPlainObject(property) && property[key] === true;
}

/** `nullable: true` in JSON Schema terms; an untyped wrapper (allOf/$ref) lets null through ahead of its branches. */
function nullable(schema: JsonSchema): JsonSchema {
  const { nullable: _nullable, ...rest } = schema;
  const type = rest.type;
  if (typeof type === 'string') {
    const out: JsonSchema = { ...rest, type: [type, 'null'] };
    if (Array.isArray(rest.enum) && !rest.enum.includes(null)) out.enum = [...rest.enum, null];
    return out;
  }
  return { if: { type: 'null' }, then: true, else: rest };
}

/** The request schema of a PATCH: only the fields sent are validated, so nothing at the top is required. */
export function partial(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  const name = refName(schema);
  const body = name !== undefined ? components[name] : schema;
  if (!body) return schema;
  const { required: _required, ...rest } = body;
  return rest;
}
