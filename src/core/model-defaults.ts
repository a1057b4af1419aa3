import type { JsonSchema } from '../contract/types.js';
import type { EntityType } from '../contract/entity-model.js';
import type { World } from '../world/world.js';

const KEEP = Symbol('keep the generated value');

/**
 * What Django stores for a writable field a create leaves out: the schema's `default`, else null where the field
 * may be null, else the empty value of its type. Fields whose empty value would break the schema (an enum, a
 * format, a minimum length, required properties) keep the generated value, as a model default would be valid.
 */
function modelDefault(schema: JsonSchema): unknown {
  if ('default' in schema) return schema['default'];
  if (schema.nullable === true) return null;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'boolean':
      return false;
    case 'array':
      return typeof schema['minItems'] === 'number' && schema['minItems'] > 0 ? KEEP : [];
    case 'object':
      return Array.isArray(schema.required) && schema.required.length > 0 ? KEEP : {};
    case 'string':
      return schema.format || schema.pattern || (typeof schema.minLength === 'number' && schema.minLength > 0) ? KEEP : '';
    default:
      return KEEP;
  }
}

/**
 * Defaults for the fields a create did not send: the request schema's writable fields (see modelDefault), then what
 * authentik's model says (authentik-models.json: a brand's title, a token's expiry, an OAuth2 client's id and secret).
 */
export function modelDefaults(
  world: World,
  entity: EntityType,
  requestSchema: JsonSchema,
  sent: readonly string[],
): Record<string, unknown> {
  const given = new Set(sent);
  const defaults: Record<string, unknown> = schemaDefaults(world, entity, requestSchema, given);
  const facts = world.modelValues.defaults(entity, (field) => !given.has(field) && !world.managesApart(entity, field));
  // A model default the contract's schema would not take (a version that made the field non-nullable) is left out.
  const shown = world.profile(entity).fields;
  for (const [field, value] of Object.entries(facts))
    if (Object.hasOwn(shown, field) && !fits(world.contract.resolve(shown[field]!), value)) delete facts[field];
  return { ...defaults, ...facts };
}

const JSON_TYPES: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  integer: (v) => Number.isInteger(v),
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  array: (v) => Array.isArray(v),
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

/**
 * Whether a model default fits the field's schema in kind: null where nullable, one of an enum's values, its JSON
 * type. (No validator is compiled for it: a page under a strict CSP has only the contract's precompiled ones.)
 */
function fits(schema: JsonSchema, value: unknown): boolean {
  if (value === null) return schema.nullable === true;
  if (Array.isArray(schema.enum)) return schema.enum.includes(value);
  const check = typeof schema.type === 'string' ? JSON_TYPES[schema.type] : undefined;
  return check ? check(value) : true;
}

function schemaDefaults(world: World, entity: EntityType, requestSchema: JsonSchema, given: ReadonlySet<string>): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(world.contract.writableFields(requestSchema))) {
    if (given.has(field) || field === entity.pkField || entity.references.get(field)?.inverseOf) continue;
    const reference = entity.references.get(field);
    if (reference && !reference.many && !reference.nullable) continue; // a required link keeps the one drawn for it
    const value = modelDefault(world.contract.resolve(schema));
    if (value !== KEEP) defaults[field] = value;
  }
  return defaults;
}
