import {
  HTTP_METHODS,
  isPlainObject,
  type HttpMethod,
  type JsonSchema,
  type MediaSpec,
  type OperationOrigin,
  type OperationSpec,
  type ParameterLocation,
  type ParameterSpec,
  type RequestBodySpec,
  type ResponseSpec,
} from '../contract/types.js';

/** Where an OpenAPI operation object sits: the context that docs pages and OpenAPI documents supply differently. */
export interface OperationContext {
  method: string;
  path: string;
  server: string;
  defaultSecurity: Array<Record<string, string[]>>;
  origin: OperationOrigin;
  source: string;
}

const LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'cookie'];

/** Turns a raw OpenAPI 3.0 operation object (schemas still inline) into our stored shape; throws a plain reason on nonsense. */
export function normalizeOperation(raw: Record<string, unknown>, context: OperationContext): OperationSpec {
  const method = context.method.toUpperCase() as HttpMethod;
  if (!HTTP_METHODS.includes(method)) throw new Error(`unknown HTTP method "${context.method}"`);
  if (!context.path.startsWith('/')) throw new Error(`path "${context.path}" does not start with "/"`);
  const operationId = typeof raw['operationId'] === 'string' ? raw['operationId'] : derivedOperationId(method, context.path);
  if (!/^[A-Za-z0-9_.-]+$/.test(operationId)) throw new Error(`operationId "${operationId}" is not a usable file name`);
  const operation: OperationSpec = {
    operationId,
    method,
    path: context.path,
    server: context.server,
    tags: Array.isArray(raw['tags']) ? raw['tags'].filter((t): t is string => typeof t === 'string') : [],
    security: Array.isArray(raw['security']) ? (raw['security'] as OperationSpec['security']) : context.defaultSecurity,
    parameters: normalizeParameters(raw['parameters']),
    responses: normalizeResponses(raw['responses']),
    origin: context.origin,
    source: context.source,
  };
  const description = raw['description'] ?? raw['summary'];
  if (typeof description === 'string' && description !== '') operation.description = description;
  const body = normalizeRequestBody(raw['requestBody']);
  if (body) operation.requestBody = body;
  return operation;
}

export function derivedOperationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/[{}:]/g, '').replace(/[^A-Za-z0-9]+/g, '_'));
  return [...words, method.toLowerCase()].join('_');
}

function normalizeParameters(raw: unknown): ParameterSpec[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((p, index) => {
    if (!isPlainObject(p) || typeof p['name'] !== 'string') throw new Error(`parameter #${index} has no name`);
    const location = p['in'] as ParameterLocation;
    if (!LOCATIONS.includes(location)) throw new Error(`parameter "${p['name']}" has unknown location "${String(p['in'])}"`);
    const parameter: ParameterSpec = {
      name: p['name'],
      in: location,
      required: location === 'path' || p.required === true,
      schema: isPlainObject(p['schema']) ? p['schema'] : { type: 'string' },
    };
    if (typeof p['description'] === 'string') parameter.description = p['description'];
    return parameter;
  });
}

function normalizeContent(raw: unknown): Record<string, MediaSpec> | undefined {
  if (!isPlainObject(raw)) return undefined;
  const content: Record<string, MediaSpec> = {};
  for (const [type, media] of Object.entries(raw)) {
    const schema = isPlainObject(media) && isPlainObject(media['schema']) ? media['schema'] : {};
    content[type] = { schema: schema as JsonSchema };
  }
  return Object.keys(content).length > 0 ? content : undefined;
}

function normalizeRequestBody(raw: unknown): RequestBodySpec | undefined {
  if (!isPlainObject(raw)) return undefined;
  const content = normalizeContent(raw['content']);
  return content ? { required: raw.required === true, content } : undefined;
}

function normalizeResponses(raw: unknown): Record<string, ResponseSpec> {
  if (!isPlainObject(raw) || Object.keys(raw).length === 0) throw new Error('operation documents no responses');
  const responses: Record<string, ResponseSpec> = {};
  for (const status of Object.keys(raw).sort()) {
    const response = raw[status];
    const spec: ResponseSpec = {
      description: isPlainObject(response) && typeof response['description'] === 'string' ? response['description'] : '',
    };
    const content = isPlainObject(response) ? normalizeContent(response['content']) : undefined;
    if (content) spec.content = content;
    responses[status] = spec;
  }
  return responses;
}
