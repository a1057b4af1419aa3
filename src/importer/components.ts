import { mapSubschemas, canonicalJson } from '../contract/schema-walk.js';
import { componentRef, refName, type JsonSchema, type OperationSpec } from '../contract/types.js';

/** Titles that name a component (`User`, `OAuth2Provider`), not field labels such as `Email address`. */
const COMPONENT_TITLE = /^[A-Z][A-Za-z0-9_]*$/;
const STRUCTURAL_KEYS = ['properties', 'enum', 'allOf', 'anyOf', 'oneOf', 'additionalProperties'];

function isComponentLike(schema: JsonSchema): boolean {
  const title = schema['title'];
  if (typeof title !== 'string' || !COMPONENT_TITLE.test(title)) return false;
  return schema.type === 'object' || STRUCTURAL_KEYS.some((key) => key in schema);
}

/**
 * Named components found while importing. Each distinct shape is stored once; a second shape under a taken
 * title is kept beside it as `Title_2` (never merged), and a note says so.
 */
export class ComponentRegistry {
  readonly components = new Map<string, JsonSchema>();
  private readonly canonicalByName = new Map<string, string>();
  /** Inputs share subschemas (inlined components are reused objects): each is extracted once. */
  private readonly extracted = new WeakMap<JsonSchema, JsonSchema>();
  readonly notes: string[] = [];

  register(title: string, body: JsonSchema, source: string): string {
    const canonical = canonicalJson(body);
    for (let n = 1; ; n++) {
      const name = n === 1 ? title : `${title}_${n}`;
      const existing = this.canonicalByName.get(name);
      if (existing === undefined) {
        this.components.set(name, body);
        this.canonicalByName.set(name, canonical);
        if (n > 1) this.notes.push(`two different shapes are titled "${title}": the one from ${source} is kept as "${name}"`);
        return name;
      }
      if (existing === canonical) return name;
    }
  }

  /** Replaces every titled subschema (innermost first) by a $ref to its component. */
  extract(schema: JsonSchema, source: string): JsonSchema {
    let out = this.extracted.get(schema);
    if (!out) {
      const inner = mapSubschemas(schema, (sub) => this.extract(sub, source));
      out = isComponentLike(inner) ? componentRef(this.register(inner['title'] as string, inner, source)) : inner;
      this.extracted.set(schema, out);
    }
    return out;
  }

  extractOperation(operation: OperationSpec): OperationSpec {
    return mapOperationSchemas(operation, (schema) => this.extract(schema, operation.source));
  }

  /** Component bodies sorted by name, for writing. */
  sorted(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.components.entries()].sort(([a], [b]) => a.localeCompare(b, 'en')));
  }
}

/**
 * Inlines component $refs again (the form pages arrive in), so stored operations can be re-imported with new ones.
 * A ref back into a component being expanded stays a $ref: recursive components exist in full OpenAPI documents.
 */
export function inlineComponents(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  let cache = inlinedByComponents.get(components);
  if (!cache) inlinedByComponents.set(components, (cache = new Map()));
  return inlineWith(schema, components, [], cache, { cuts: 0 });
}

/** Per components map: each component inlined once and shared (unless a cycle had to be cut inside it). */
const inlinedByComponents = new WeakMap<Record<string, JsonSchema>, Map<string, JsonSchema>>();

function inlineWith(
  schema: JsonSchema,
  components: Record<string, JsonSchema>,
  stack: string[],
  cache: Map<string, JsonSchema>,
  cycles: { cuts: number },
): JsonSchema {
  const name = refName(schema);
  if (name === undefined) return mapSubschemas(schema, (sub) => inlineWith(sub, components, stack, cache, cycles));
  const body = components[name];
  if (!body) throw new Error(`$ref to unknown component "${name}"`);
  if (stack.includes(name)) {
    cycles.cuts++;
    return schema;
  }
  const shared = cache.get(name);
  if (shared) return shared;
  const before = cycles.cuts;
  const inlined = inlineWith(body, components, [...stack, name], cache, cycles);
  if (cycles.cuts === before) cache.set(name, inlined);
  return inlined;
}

export function mapOperationSchemas(operation: OperationSpec, map: (schema: JsonSchema) => JsonSchema): OperationSpec {
  const mapContent = (content: Record<string, { schema: JsonSchema }>) =>
    Object.fromEntries(Object.entries(content).map(([type, media]) => [type, { schema: map(media.schema) }]));
  const out: OperationSpec = {
    ...operation,
    parameters: operation.parameters.map((p) => ({ ...p, schema: map(p.schema) })),
    responses: Object.fromEntries(
      Object.entries(operation.responses).map(([status, r]) => [status, r.content ? { ...r, content: mapContent(r.content) } : r]),
    ),
  };
  if (operation.requestBody) out.requestBody = { ...operation.requestBody, content: mapContent(operation.requestBody.content) };
  return out;
}
