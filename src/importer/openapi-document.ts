import { parse as parseYaml } from 'yaml';
import { HTTP_METHODS, isPlainObject, type OperationSpec } from '../contract/types.js';
import { normalizeOperation } from './normalize-operation.js';

/** An OpenAPI 3.x document (YAML or JSON), recognised by its content. */
export function parseOpenApiDocument(text: string): Record<string, unknown> | undefined {
  const head = text.slice(0, 4096);
  if (!/["']?openapi["']?\s*:\s*["']?3\./.test(head)) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: -1 });
  } catch (error) {
    throw new Error(`not valid YAML/JSON (${(error as Error).message.split('\n')[0]})`);
  }
  return asOpenApiDocument(doc);
}

/** An already-parsed value checked to be an OpenAPI 3 document; throws the reason it is not. */
export function asOpenApiDocument(doc: unknown): Record<string, unknown> {
  if (!isPlainObject(doc) || typeof doc['openapi'] !== 'string' || !isPlainObject(doc['paths'])) {
    throw new Error('an OpenAPI document needs "openapi" and "paths"');
  }
  if (!doc['openapi'].startsWith('3.')) throw new Error(`OpenAPI ${doc['openapi']} is not supported (only 3.x)`);
  return doc;
}

const SCHEMA_REF = /^#\/components\/schemas\/([^/]+)$/;

/**
 * Resolves local $refs the way authentik's docs generator does: a schema component is inlined with its name as
 * `title` (so the importer extracts it again under that name); other refs (`#/components/responses/…`,
 * `parameters/…`, `requestBodies/…`, which later authentik versions use) are inlined as they are.
 */
class RefInliner {
  /** Each ref is resolved once and shared: documents reuse components so much that copies grow exponentially. */
  private readonly resolved = new Map<string, unknown>();
  /** Counts refs left in place to break a cycle: a result that needed one depends on its path, so it is not shared. */
  private cuts = 0;

  constructor(private readonly doc: Record<string, unknown>) {}

  inline(value: unknown, stack: readonly string[] = []): unknown {
    if (Array.isArray(value)) return value.map((item) => this.inline(item, stack));
    if (!isPlainObject(value)) return value;
    const ref = value.$ref;
    if (typeof ref === 'string') return this.resolveRef(ref, stack);
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(value)) out[key] = this.inline(sub, stack);
    return out;
  }

  private resolveRef(ref: string, stack: readonly string[]): unknown {
    if (!ref.startsWith('#/')) throw new Error(`external $ref "${ref}" is not supported`);
    // A component that refers back to itself keeps its $ref: it cannot be inlined.
    if (stack.includes(ref)) {
      this.cuts++;
      return { $ref: ref };
    }
    const shared = this.resolved.get(ref);
    if (shared !== undefined) return shared;
    const cutsBefore = this.cuts;
    const inlined = this.inline(this.pointer(ref), [...stack, ref]);
    const componentName = SCHEMA_REF.exec(ref)?.[1];
    const result = componentName && isPlainObject(inlined) ? { ...inlined, title: decodeURIComponent(componentName) } : inlined;
    if (this.cuts === cutsBefore) this.resolved.set(ref, result);
    return result;
  }

  private pointer(ref: string): unknown {
    let node: unknown = this.doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isPlainObject(node) || !Object.hasOwn(node, key)) throw new Error(`broken $ref "${ref}"`);
      node = node[key];
    }
    return node;
  }
}

function serverBase(doc: Record<string, unknown>): string {
  const servers = doc['servers'];
  const url = Array.isArray(servers) && isPlainObject(servers[0]) ? servers[0]['url'] : undefined;
  if (typeof url !== 'string') return '/';
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '') || '/';
  return path.endsWith('/') ? path : `${path}/`;
}

/** The path item with its refs resolved; a broken ref is reported with the path it sits under. */
function inlinedPathItem(inliner: RefInliner, path: string, item: unknown): unknown {
  try {
    return inliner.inline(item);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/** Every operation of the document, with schemas inlined; throws on the first broken $ref, naming it. */
export function operationsFromOpenApi(doc: Record<string, unknown>, source: string): OperationSpec[] {
  const inliner = new RefInliner(doc);
  const defaultSecurity = Array.isArray(doc['security']) ? (doc['security'] as OperationSpec['security']) : [];
  const server = serverBase(doc);
  const operations: OperationSpec[] = [];
  for (const [path, rawItem] of Object.entries(doc['paths'] as Record<string, unknown>)) {
    const item = inlinedPathItem(inliner, path, rawItem);
    if (!isPlainObject(item)) continue;
    const shared = Array.isArray(item['parameters']) ? item['parameters'] : [];
    for (const method of HTTP_METHODS) {
      const raw = item[method.toLowerCase()];
      if (!isPlainObject(raw)) continue;
      const own = Array.isArray(raw['parameters']) ? raw['parameters'] : [];
      const ownKeys = new Set(own.map((p) => (isPlainObject(p) ? `${String(p['in'])}:${String(p['name'])}` : '')));
      const inherited = shared.filter((p) => isPlainObject(p) && !ownKeys.has(`${String(p['in'])}:${String(p['name'])}`));
      const withParams = { ...raw, parameters: [...inherited, ...own] };
      try {
        operations.push(normalizeOperation(withParams, { method, path, server, defaultSecurity, origin: 'openapi', source }));
      } catch (error) {
        throw new Error(`${method} ${path}: ${(error as Error).message}`);
      }
    }
  }
  return operations;
}
