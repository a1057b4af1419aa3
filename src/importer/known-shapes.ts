import { canonicalJson } from '../contract/schema-walk.js';
import { componentRef, isPlainObject, refName, type JsonSchema } from '../contract/types.js';

/**
 * What the importer already knows from decoded pages: components by their property names, and how each field name
 * is typed elsewhere. A rendered page (no encoded schema) borrows from both.
 */
export class KnownShapes {
  private readonly byKeySet = new Map<string, string>();
  private readonly fieldSchemas = new Map<string, Map<string, { schema: JsonSchema; count: number }>>();
  /** Each component's properties, smallest first (then by name): the closest match wins in `fieldBeside`. */
  private readonly propertiesByComponent: Array<Record<string, JsonSchema>> = [];

  constructor(private readonly components: ReadonlyMap<string, JsonSchema>) {
    for (const name of [...components.keys()].sort()) {
      const properties = this.propertiesOf(componentRef(name));
      if (!properties) continue;
      this.propertiesByComponent.push(properties);
      const keySet = Object.keys(properties).sort().join(',');
      if (!this.byKeySet.has(keySet)) this.byKeySet.set(keySet, name);
      for (const [field, schema] of Object.entries(properties)) this.recordField(field, schema);
    }
    this.propertiesByComponent.sort((a, b) => Object.keys(a).length - Object.keys(b).length);
  }

  private recordField(field: string, full: JsonSchema): void {
    // Only the constraints travel: another component's description or label would mislabel this field.
    const { description: _description, title: _title, ...schema } = full;
    const variants = this.fieldSchemas.get(field) ?? new Map<string, { schema: JsonSchema; count: number }>();
    const key = canonicalJson(schema);
    const seen = variants.get(key);
    if (seen) seen.count++;
    else variants.set(key, { schema, count: 1 });
    this.fieldSchemas.set(field, variants);
  }

  /** The component whose properties are exactly these keys, if one is known. */
  componentWithKeys(keys: string[]): string | undefined {
    return keys.length > 0 ? this.byKeySet.get([...keys].sort().join(',')) : undefined;
  }

  // Callers mark and constrain the schemas they get (nullable, maxLength…): each is a copy, so nothing leaks into
  // the components or into another page's schema.

  /** The schema of `field` in the smallest known component that has it beside all of `keys`. */
  fieldBeside(keys: string[], field: string): JsonSchema | undefined {
    const has = (properties: Record<string, JsonSchema>, key: string) => Object.hasOwn(properties, key);
    const schema = this.propertiesByComponent.find((properties) => has(properties, field) && keys.every((key) => has(properties, key)))?.[
      field
    ];
    return schema && structuredClone(schema);
  }

  /** The most common known schema of an object-valued field (`many`: an array of objects) with this name. */
  objectFieldSchema(field: string, many: boolean): JsonSchema | undefined {
    return this.mostCommon(field, (schema) => this.holdsObjects(schema, many));
  }

  /** The most common known schema of a field with this name that accepts the inferred one. */
  fieldSchema(field: string, inferred: JsonSchema, example: unknown): JsonSchema | undefined {
    return this.mostCommon(field, (schema) => this.compatible(schema, inferred, example));
  }

  hasComponent(name: string): boolean {
    return this.components.has(name);
  }

  private mostCommon(field: string, accept: (schema: JsonSchema) => boolean): JsonSchema | undefined {
    const variants = [...(this.fieldSchemas.get(field)?.entries() ?? [])]
      .filter(([, v]) => accept(v.schema))
      .sort(([ka, a], [kb, b]) => b.count - a.count || ka.localeCompare(kb));
    const schema = variants[0]?.[1].schema;
    return schema && structuredClone(schema);
  }

  /** Resolves a $ref (and a single-entry allOf wrapper) to the schema that carries the type. */
  resolve(schema: JsonSchema): JsonSchema {
    const name = refName(schema);
    if (name) return this.resolve(this.components.get(name) ?? {});
    const allOf = schema.allOf;
    if (Array.isArray(allOf) && allOf.length === 1 && isPlainObject(allOf[0])) return this.resolve(allOf[0]);
    return schema;
  }

  propertiesOf(schema: JsonSchema): Record<string, JsonSchema> | undefined {
    const resolved = this.resolve(schema);
    const properties = resolved.properties;
    return isPlainObject(properties) ? (properties as Record<string, JsonSchema>) : undefined;
  }

  private holdsObjects(schema: JsonSchema, many: boolean): boolean {
    const target = this.resolve(schema);
    if (many) return target.type === 'array' && isPlainObject(target.items) && this.holdsObjects(target.items, false);
    return target.type === 'object' || isPlainObject(target.properties);
  }

  private compatible(known: JsonSchema, inferred: JsonSchema, example: unknown): boolean {
    const target = this.resolve(known);
    if (target.type !== inferred.type || target.format !== inferred.format) return false;
    if (Array.isArray(target.enum) && !target.enum.includes(example)) return false;
    if (inferred.type === 'array') {
      const items = isPlainObject(target.items) ? this.resolve(target.items) : {};
      const inferredItems = inferred.items as JsonSchema;
      return items.type === inferredItems.type && items.format === inferredItems.format;
    }
    return inferred.type !== 'object';
  }
}
