import { componentRef, isPlainObject, type JsonSchema } from '../contract/types.js';
import type { KnownShapes } from './known-shapes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const URI = /^https?:\/\//;

function stringFormat(value: string): string | undefined {
  if (UUID.test(value)) return 'uuid';
  if (DATE_TIME.test(value)) return 'date-time';
  if (EMAIL.test(value)) return 'email';
  if (URI.test(value)) return 'uri';
  return undefined;
}

/** The bare type of an example value, before anything known is borrowed. */
export function bareSchema(value: unknown): JsonSchema {
  if (value === null) return { nullable: true };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'integer' } : { type: 'number', format: 'double' };
  if (typeof value === 'string') {
    const format = stringFormat(value);
    return format ? { type: 'string', format } : { type: 'string' };
  }
  if (Array.isArray(value)) return { type: 'array', items: value.length > 0 ? bareSchema(value[0]) : {} };
  return { type: 'object' };
}

/** A field the notes name but the example leaves out (authentik's examples skip some): it still belongs in the schema. */
export interface MissingField {
  name: string;
  many: boolean;
  /** Its schema in a known component that has it beside the object's other fields. */
  known?: JsonSchema;
  /** The component the notes call it (`Provider Serializer`). */
  serializer?: string;
}

/** Where each inferred object sits in the example, so field notes can find it by dotted path. */
export interface InferredObject {
  path: string;
  schema: JsonSchema;
  example: Record<string, unknown>;
  /** True when the object became a known component: its field notes are already in that component. */
  known: boolean;
}

/**
 * Schema for an example value: objects with a known component's exact keys become that component, fields with a
 * known name borrow its schema (constraints, nullable, readOnly), the rest is typed from the value itself. Fields the
 * notes name but the example lacks (`missing`, by object path) are part of the object too.
 */
export class ExampleInference {
  readonly objects: InferredObject[] = [];

  constructor(
    private readonly known: KnownShapes,
    private readonly missing: ReadonlyMap<string, MissingField[]> = new Map(),
  ) {}

  infer(value: unknown, path = '', title?: string): JsonSchema {
    if (Array.isArray(value)) {
      return { type: 'array', items: value.length > 0 ? this.infer(value[0], `${path}[]`) : {} };
    }
    if (!isPlainObject(value)) return bareSchema(value);
    const keys = Object.keys(value);
    const missing = this.missing.get(path) ?? [];
    const component = this.known.componentWithKeys([...keys, ...missing.map((field) => field.name)]);
    if (component) {
      this.objects.push({ path, schema: componentRef(component), example: value, known: true });
      return componentRef(component);
    }
    if (keys.length === 0 && missing.length === 0) return { type: 'object', additionalProperties: {} };
    const properties: Record<string, JsonSchema> = {};
    for (const key of keys) properties[key] = this.inferField(key, value[key], path ? `${path}.${key}` : key);
    for (const field of missing) properties[field.name] = this.missingField(field);
    const schema: JsonSchema = { type: 'object', properties, required: keys.includes('pk') ? ['pk'] : [] };
    if (title) schema['title'] = title;
    this.objects.push({ path, schema, example: value, known: false });
    return schema;
  }

  /** What is known of a field with no example: from a component, from the notes' serializer name, else just its kind. */
  private missingField(field: MissingField): JsonSchema {
    const borrowed = field.known ?? this.known.objectFieldSchema(field.name, field.many);
    if (borrowed) return borrowed;
    const object =
      field.serializer && this.known.hasComponent(field.serializer)
        ? componentRef(field.serializer)
        : { type: 'object', additionalProperties: {} };
    return field.many ? { type: 'array', items: object } : object;
  }

  private inferField(name: string, value: unknown, path: string): JsonSchema {
    if (isPlainObject(value) || (Array.isArray(value) && isPlainObject(value[0]))) return this.infer(value, path);
    const bare = bareSchema(value);
    return this.known.fieldSchema(name, bare, value) ?? (Array.isArray(value) ? this.infer(value, path) : bare);
  }
}
