import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { toDrfErrors, type DrfErrors } from './drf-errors.js';
import { componentId, partial, toJsonSchema, type SchemaMode } from './json-schema.js';
import { Router, type RouteMatch } from './router.js';
import { withConsistentRequests } from './consistent-requests.js';
import { isPlainObject, refName, type ContractDocument, type JsonSchema, type OperationSpec } from './types.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

export interface Violation {
  /** JSON pointer into the body, '' for the body itself. */
  path: string;
  message: string;
}

export const JSON_TYPE = 'application/json';

/** The first JSON-ish media type of a content map (application/json, or any +json). */
export function jsonMedia<T>(content: Record<string, T> | undefined): T | undefined {
  if (!content) return undefined;
  return content[JSON_TYPE] ?? Object.entries(content).find(([type]) => /[/+]json$/.test(type))?.[1];
}

/**
 * The loaded contract: operations by id, a router, and AJV validators compiled on first use. Each component is
 * added once per side of the wire and compiled once, shared by every operation that refers to it.
 */
export class Contract {
  readonly operations: readonly OperationSpec[];
  readonly components: Readonly<Record<string, JsonSchema>>;
  private readonly byId = new Map<string, OperationSpec>();
  private readonly router = new Router();
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(given: ContractDocument) {
    const document = withConsistentRequests(given);
    this.operations = document.operations;
    this.components = document.components;
    for (const operation of document.operations) {
      this.byId.set(operation.operationId, operation);
      this.router.add(operation);
    }
    this.ajv = new Ajv({ allErrors: true, strict: false, inlineRefs: false, validateSchema: false, addUsedSchema: false });
    addFormats(this.ajv);
    for (const mode of ['response', 'request'] as const) {
      for (const [name, schema] of Object.entries(document.components))
        this.ajv.addSchema(toJsonSchema(schema, mode), componentId(mode, name));
    }
  }

  operation(operationId: string): OperationSpec | undefined {
    return this.byId.get(operationId);
  }

  match(method: string, pathname: string): RouteMatch {
    return this.router.match(method, pathname);
  }

  /** A component $ref (or an allOf of one) resolved to the schema it names. */
  resolve(schema: JsonSchema): JsonSchema {
    for (let current = schema, depth = 0; depth < 32; depth++) {
      const name = refName(current);
      if (name === undefined) return current;
      current = this.components[name] ?? {};
    }
    return schema;
  }

  /** Top-level fields of a request schema that a client may set (read-only ones left out). */
  writableFields(requestSchema: JsonSchema | undefined): Record<string, JsonSchema> {
    const props = requestSchema ? this.resolve(requestSchema)['properties'] : undefined;
    if (!isPlainObject(props)) return {};
    const isReadOnly = (s: JsonSchema) => s['readOnly'] === true || this.resolve(s)['readOnly'] === true;
    return Object.fromEntries(Object.entries(props as Record<string, JsonSchema>).filter(([, s]) => !isReadOnly(s)));
  }

  responseSchema(operationId: string, status: string): JsonSchema | undefined {
    return jsonMedia(this.byId.get(operationId)?.responses[status]?.content)?.schema;
  }

  private validator(key: string, schema: () => JsonSchema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema());
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** Checks any schema of the contract (an OpenAPI schema, refs into components) against a value. */
  check(schema: JsonSchema, value: unknown, mode: SchemaMode = 'response'): ErrorObject[] {
    const validate = this.validator(`${mode}:${JSON.stringify(schema)}`, () => toJsonSchema(schema, mode));
    return validate(value) ? [] : [...(validate.errors ?? [])];
  }

  /** Violations of a response body against the documented schema for its status ('unexpected status' if none). */
  validateResponse(operationId: string, status: number, body: unknown): Violation[] {
    const operation = this.byId.get(operationId);
    if (!operation) return [{ path: '', message: `unknown operation "${operationId}"` }];
    const response = operation.responses[String(status)] ?? operation.responses['default'];
    if (!response)
      return [{ path: '', message: `status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})` }];
    const schema = jsonMedia(response.content)?.schema;
    if (!schema)
      return body === undefined || body === null || body === ''
        ? []
        : [{ path: '', message: `status ${status} documents no body, but one was sent` }];
    const validate = this.validator(`res:${operationId}:${status}`, () => toJsonSchema(schema, 'response'));
    return validate(body)
      ? []
      : (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => ({ path: e.instancePath, message: describe(e) }));
  }

  /**
   * A request body against the documented schema of its content type, in DRF's terms; `partialUpdate` (PATCH)
   * validates only the fields sent. undefined when valid.
   */
  validateRequestBody(operation: OperationSpec, contentType: string, body: unknown, partialUpdate = false): DrfErrors | undefined {
    const schema = operation.requestBody?.content[contentType]?.schema;
    if (!schema) return undefined;
    const key = `req:${operation.operationId}:${contentType}:${partialUpdate}`;
    const validate = this.validator(key, () => toJsonSchema(partialUpdate ? partial(schema, this.components) : schema, 'request'));
    return validate(body) ? undefined : toDrfErrors(validate.errors ?? [], body);
  }
}

/** An AJV error in plain words, for contract reports. */
export function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'body' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${where}: required field "${String(params['missingProperty'])}" is missing`;
  if (error.keyword === 'type')
    return `${where}: must be ${Array.isArray(params['type']) ? params['type'].join(' or ') : String(params['type'])}`;
  if (error.keyword === 'enum') return `${where}: must be one of ${JSON.stringify(params['allowedValues'])}`;
  return `${where}: ${error.message ?? error.keyword}`;
}
