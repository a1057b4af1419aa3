import { jsonMedia, type Contract } from './contract.js';
import { isPlainObject, propertiesOf, type JsonSchema, type OperationSpec } from './types.js';

type Success = { status: string; schema?: JsonSchema } | undefined;

/** Operations' success shapes, worked out once: asked on every request. */
const successes = new WeakMap<OperationSpec, Success>();

/** The body schema of a 2xx response: what a record of this operation looks like. */
export function successSchema(operation: OperationSpec): Success {
  const known = successes.get(operation);
  if (known !== undefined || successes.has(operation)) return known;
  const status = Object.keys(operation.responses).find((s) => s.startsWith('2'));
  const schema = status && jsonMedia(operation.responses[status]!.content)?.schema;
  const success = status ? (schema ? { status, schema } : { status }) : undefined;
  successes.set(operation, success);
  return success;
}

/** Paginated `{pagination, results: [...]}` or a plain array: the item schema, and which of the two. */
export function listShape(contract: Contract, schema: JsonSchema | undefined): { items: JsonSchema; paginated: boolean } | undefined {
  if (!schema) return undefined;
  const resolved = contract.resolve(schema);
  if (resolved.type === 'array' && isPlainObject(resolved.items)) return { items: resolved.items, paginated: false };
  const props = propertiesOf(resolved);
  const results = props['results'] ? contract.resolve(props['results']) : undefined;
  if (props['pagination'] && results?.['type'] === 'array' && isPlainObject(results.items))
    return { items: results.items, paginated: true };
  return undefined;
}

/** Whether the operation answers without credentials: no security at all, or an empty requirement (`{}`) among them. */
export function allowsAnonymous(operation: OperationSpec): boolean {
  let allows = anonymousAllowed.get(operation);
  if (allows === undefined) {
    allows = operation.security.length === 0 || operation.security.some((requirement) => Object.keys(requirement).length === 0);
    anonymousAllowed.set(operation, allows);
  }
  return allows;
}

/** Asked on every request: worked out once per operation. */
const anonymousAllowed = new WeakMap<OperationSpec, boolean>();
