import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { toDrfErrors, type DrfErrors } from './drf-errors.js';
import { componentId, partial, toJsonSchema, type SchemaMode } from './json-schema.js';
import { Router, type RouteMatch } from './router.js';
import { withNullableEmbeds } from './nullable-embeds.js';
import { isPlainObject, refName, type ContractDocument, type JsonSchema, type OperationSpec } from './types.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

/**
 * How every validator of the contract is compiled, at run time or ahead of it (`authentik-mock bundle`): DRF 400
 * bodies are built from these errors, so both ways must use the same options.
 */
export const AJV_OPTIONS = { allErrors: true, strict: false, inlineRefs: false, validateSchema: false, addUsedSchema: false } as const;

/** An Ajv with the contract's formats and every component added on both sides of the wire (compiled when first used). */
export function contractAjv(components: Readonly<Record<string, JsonSchema>>, options: Options = {}): Ajv {
  const ajv = new Ajv({ ...AJV_OPTIONS, ...options });
  addFormats(ajv);
  for (const mode of ['response', 'request'] as const) {
    for (const [name, schema] of Object.entries(components)) ajv.addSchema(toJsonSchema(schema, mode), componentId(mode, name));
  }
  return ajv;
}

/** Validators compiled ahead of time (ajv standalone code), by the keys of the contract's lazy cache. */
export type PrecompiledValidators = Readonly<Record<string, ValidateFunction>>;

/**
 * A contract document, optionally with its precompiled validators: what `authentik-mock bundle --out file.js` exports
 * as `contract`. With them, nothing is compiled at run time (no `new Function`, so a page under a strict CSP works).
 */
export type ContractInput = ContractDocument & { validators?: PrecompiledValidators };

/** The keys of the contract's validator cache, shared with the ahead-of-time compiler. */
export const validatorKey = {
  check: (schema: JsonSchema, mode: SchemaMode) => `${mode}:${JSON.stringify(schema)}`,
  response: (operationId: string, status: number | string) => `res:${operationId}:${status}`,
  request: (operationId: string, contentType: string, partialUpdate: boolean) => `req:${operationId}:${contentType}:${partialUpdate}`,
};

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
 * added once per side of the wire and compiled once, shared by every operation that refers to it. Validators given
 * precompiled (`validators` of the document) are used instead; the compiling Ajv is only made for one that is not.
 */
export class Contract {
  readonly operations: readonly OperationSpec[];
  readonly components: Readonly<Record<string, JsonSchema>>;
  private readonly byId = new Map<string, OperationSpec>();
  private readonly router = new Router();
  private compiler: Ajv | undefined;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly precompiled: PrecompiledValidators;
  private compiled = 0;

  constructor(given: ContractInput) {
    const document = withNullableEmbeds(given);
    this.operations = document.operations;
    this.components = document.components;
    for (const operation of document.operations) {
      this.byId.set(operation.operationId, operation);
      this.router.add(operation);
    }
    this.precompiled = given.validators ?? {};
  }

  /** How many validators were compiled at run time (0 when precompiled ones covered every validation so far). */
  get compiledAtRunTime(): number {
    return this.compiled;
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
    const props = requestSchema ? this.resolve(requestSchema).properties : undefined;
    if (!isPlainObject(props)) return {};
    const isReadOnly = (s: JsonSchema) => s.readOnly === true || this.resolve(s).readOnly === true;
    return Object.fromEntries(Object.entries(props as Record<string, JsonSchema>).filter(([, s]) => !isReadOnly(s)));
  }

  responseSchema(operationId: string, status: string): JsonSchema | undefined {
    return jsonMedia(this.byId.get(operationId)?.responses[status]?.content)?.schema;
  }

  private validator(key: string, schema: () => JsonSchema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = Object.hasOwn(this.precompiled, key) ? this.precompiled[key]! : this.compile(schema());
      this.validators.set(key, validate);
    }
    return validate;
  }

  private compile(schema: JsonSchema): ValidateFunction {
    this.compiler ??= contractAjv(this.components);
    this.compiled++;
    return this.compiler.compile(schema);
  }

  /**
   * Validators to compile ahead of time, by cache key: every request body (PATCH also as a partial update), every
   * documented response with `responses`, and `check()` of each of `checks`.
   */
  validatorSchemas(options: { responses?: boolean; checks?: Iterable<[JsonSchema, SchemaMode]> } = {}): Map<string, JsonSchema> {
    const schemas = new Map<string, JsonSchema>();
    for (const operation of this.operations) {
      for (const [contentType, media] of Object.entries(operation.requestBody?.content ?? {})) {
        for (const partialUpdate of operation.method === 'PATCH' ? [false, true] : [false])
          schemas.set(
            validatorKey.request(operation.operationId, contentType, partialUpdate),
            this.requestSchema(media.schema, partialUpdate),
          );
      }
      if (!options.responses) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = jsonMedia(response.content)?.schema;
        if (schema) schemas.set(validatorKey.response(operation.operationId, status), toJsonSchema(schema, 'response'));
      }
    }
    for (const [schema, mode] of options.checks ?? []) schemas.set(validatorKey.check(schema, mode), toJsonSchema(schema, mode));
    return schemas;
  }

  private requestSchema(schema: JsonSchema, partialUpdate: boolean): JsonSchema {
    return toJsonSchema(partialUpdate ? partial(schema, this.components) : schema, 'request');
  }

  /** Checks any schema of the contract (an OpenAPI schema, refs into components) against a value. */
  check(schema: JsonSchema, value: unknown, mode: SchemaMode = 'response'): ErrorObject[] {
    const validate = this.validator(validatorKey.check(schema, mode), () => toJsonSchema(schema, mode));
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
    const validate = this.validator(validatorKey.response(operationId, status), () => toJsonSchema(schema, 'response'));
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
    const key = validatorKey.request(operation.operationId, contentType, partialUpdate);
    const validate = this.validator(key, () => this.requestSchema(schema, partialUpdate));
    return validate(body) ? undefined : toDrfErrors(validate.errors ?? [], body);
  }
}

/** An AJV error in plain words, for contract reports. */
export function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'body' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${where}: required field "${String(params['missingProperty'])}" is missing`;
  if (error.keyword === 'type') return `${where}: must be ${Array.isArray(params.type) ? params.type.join(' or ') : String(params.type)}`;
  if (error.keyword === 'enum') return `${where}: must be one of ${JSON.stringify(params['allowedValues'])}`;
  return `${where}: ${error.message ?? error.keyword}`;
}
