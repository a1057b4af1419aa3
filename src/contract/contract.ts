import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { setOwn, toDrfErrors, type DrfErrors } from './drf-errors.js';
import { DrfFieldReader } from './drf-fields.js';
import { componentId, partial, toJsonSchema, type SchemaMode } from './json-schema.js';
import { Router, type RouteMatch } from './router.js';
import { withNullableEmbeds } from './nullable-embeds.js';
import { forEachSubschema } from './schema-walk.js';
import { isPlainObject, refName, type ContractDocument, type JsonSchema, type OperationSpec } from './types.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

/**
 * How every validator of the contract is compiled, at run time or ahead of it (`authentik-mock bundle`): DRF 400
 * bodies are built from these errors, so both ways must use the same options. Strict: a keyword ajv does not know,
 * a keyword applied to a value of a type it cannot check, or a schema that is not JSON Schema is an error when the
 * schema is compiled, never silently ignored. Union types (`["string", "null"]`) are how `nullable` is written.
 */
export const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true, inlineRefs: false, addUsedSchema: false } as const;

/**
 * OpenAPI 3.0's schema keywords that are no JSON Schema: annotations to a validator. (ajv itself knows `nullable`,
 * `readOnly`, `writeOnly`, `deprecated`, `title`, `description` and `default`; a `discriminator` with a mapping is
 * turned into JSON Schema by `toJsonSchema`, one without stays an annotation.)
 */
const OPENAPI_ANNOTATIONS = ['example', 'discriminator', 'xml', 'externalDocs'] as const;

/**
 * An Ajv with the contract's formats, OpenAPI's annotation keywords declared, and every component added on both
 * sides of the wire (compiled when first used).
 */
export function contractAjv(components: Readonly<Record<string, JsonSchema>>, options: Options = {}): Ajv {
  const ajv = new Ajv({ ...AJV_OPTIONS, ...options });
  addFormats(ajv);
  ajv.addVocabulary([...OPENAPI_ANNOTATIONS]);
  for (const schema of Object.values(components)) declareExtensions(ajv, schema);
  for (const mode of ['response', 'request'] as const) {
    for (const [name, schema] of Object.entries(components)) ajv.addSchema(toJsonSchema(schema, mode), componentId(mode, name));
  }
  return ajv;
}

/**
 * What a schema uses that no vocabulary can list ahead: its `x-*` extension keywords (annotations, as OpenAPI
 * says) and formats ajv-formats does not know (OpenAPI lets a tool ignore a format it does not know: `decimal`…).
 */
export function declareExtensions(ajv: Ajv, schema: JsonSchema): void {
  forEachSubschema(schema, (sub) => {
    for (const keyword of Object.keys(sub)) if (keyword.startsWith('x-') && !ajv.getKeyword(keyword)) ajv.addKeyword({ keyword });
    if (typeof sub.format === 'string' && !ajv.formats[sub.format]) ajv.addFormat(sub.format, true);
  });
}

/** Validators compiled ahead of time (ajv standalone code), by the keys of the contract's lazy cache. */
export type PrecompiledValidators = Readonly<Record<string, ValidateFunction>>;

/**
 * A contract document, optionally with its precompiled validators: what `authentik-mock bundle --out file.js` exports
 * as `contract`. With them, nothing is compiled at run time (no `new Function`, so a page under a strict CSP works).
 */
export type ContractInput = ContractDocument & { validators?: PrecompiledValidators };

/**
 * The keys of the validators compiled ahead of time, shared with the compiler. At run time validators are also
 * cached by the schema object they check (`check()`), so a key is worked out once per schema.
 */
export const validatorKey = {
  check: (schema: JsonSchema, mode: SchemaMode) => `${mode}:${JSON.stringify(schema)}`,
  response: (operationId: string, status: number | string) => `res:${operationId}:${status}`,
  request: (operationId: string, contentType: string, partialUpdate: boolean) => `req:${operationId}:${contentType}:${partialUpdate}`,
};

/** Where a body breaks its schema, from `validateResponse`. */
export interface SchemaViolation {
  /** JSON pointer to the value at fault, '' for the body itself (for a missing required field: where it belongs). */
  path: string;
  /** What the schema wants there, in words: `type string`, `one of ["a","b"]`, `a value (required)`… */
  expected: string;
  /** Where and what, in one line: `/name: must be string`. */
  message: string;
}

/** A request body as DRF's serializer reads it: the values its fields take, and its 400 body when it is refused. */
export interface ReadRequestBody {
  value: unknown;
  errors?: DrfErrors;
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
  /** How DRF's serializer fields read request values, before they are validated. */
  readonly fields = new DrfFieldReader((schema) => this.resolve(schema));
  private compiler: Ajv | undefined;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly checks = { response: new WeakMap<JsonSchema, ValidateFunction>(), request: new WeakMap<JsonSchema, ValidateFunction>() };
  private readonly precompiled: PrecompiledValidators;
  private compiled = 0;
  /** Each `$ref` schema's target, found once: resolving is asked on every request. */
  private readonly resolvedRefs = new WeakMap<JsonSchema, JsonSchema>();

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

  /** A component `$ref` resolved to the schema it names (following `$ref`s to `$ref`s); any other schema as it is. */
  resolve(schema: JsonSchema): JsonSchema {
    if (typeof schema !== 'object' || schema === null || typeof schema.$ref !== 'string') return schema;
    let resolved = this.resolvedRefs.get(schema);
    if (resolved === undefined) this.resolvedRefs.set(schema, (resolved = this.followRefs(schema)));
    return resolved;
  }

  private followRefs(schema: JsonSchema): JsonSchema {
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
    declareExtensions(this.compiler, schema);
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

  /**
   * Checks any schema of the contract (an OpenAPI schema, refs into components) against a value. Its validator is
   * found by the schema object itself: pass the contract's own schema objects, not copies made for each call.
   */
  check(schema: JsonSchema, value: unknown, mode: SchemaMode = 'response'): ErrorObject[] {
    let validate = this.checks[mode].get(schema);
    if (!validate) {
      validate = this.validator(validatorKey.check(schema, mode), () => toJsonSchema(schema, mode));
      this.checks[mode].set(schema, validate);
    }
    return validate(value) ? [] : [...(validate.errors ?? [])];
  }

  /** Violations of a response body against the documented schema for its status ('unexpected status' if none). */
  validateResponse(operationId: string, status: number, body: unknown): SchemaViolation[] {
    const operation = this.byId.get(operationId);
    if (!operation) return [bodyViolation(`a documented operation`, `unknown operation "${operationId}"`)];
    const response = operation.responses[String(status)] ?? operation.responses['default'];
    if (!response) {
      const documented = Object.keys(operation.responses).join(', ');
      return [bodyViolation(`a documented status (${documented})`, `status ${status} is not documented (documented: ${documented})`)];
    }
    const schema = jsonMedia(response.content)?.schema;
    if (!schema)
      return body === undefined || body === null || body === ''
        ? []
        : [bodyViolation('no body', `status ${status} documents no body, but one was sent`)];
    const validate = this.validator(validatorKey.response(operationId, status), () => toJsonSchema(schema, 'response'));
    return validate(body) ? [] : (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(schemaViolation);
  }

  /**
   * A request body as DRF's serializer reads it (what each field takes: `"5"` for an integer, `"on"` for a
   * boolean, text trimmed, `""` for an optional text field, a form's text read per field) and its 400 body when it
   * is refused, against the documented schema of its content type. `partialUpdate` (PATCH) validates only the fields
   * sent. The body is what the parser made of it (a form's fields as `formBody` takes them).
   */
  readRequestBody(operation: OperationSpec, contentType: string, body: unknown, partialUpdate = false): ReadRequestBody {
    const schema = operation.requestBody?.content[contentType]?.schema;
    if (!schema) return { value: body };
    const value = this.fields.read(schema, body);
    const key = validatorKey.request(operation.operationId, contentType, partialUpdate);
    const validate = this.validator(key, () => this.requestSchema(schema, partialUpdate));
    return validate(value) ? { value } : { value, errors: toDrfErrors(validate.errors ?? [], value) };
  }

  /**
   * `readRequestBody`'s 400 body, undefined when the body is valid. A body object is read in place: its fields take
   * the values DRF's fields read from them (what the mock then stores).
   */
  validateRequestBody(operation: OperationSpec, contentType: string, body: unknown, partialUpdate = false): DrfErrors | undefined {
    const { value, errors } = this.readRequestBody(operation, contentType, body, partialUpdate);
    if (isPlainObject(body) && isPlainObject(value) && value !== body) {
      for (const key of Object.keys(body)) if (!Object.hasOwn(value, key)) delete body[key];
      for (const [key, field] of Object.entries(value)) setOwn(body, key, field);
    }
    return errors;
  }
}

function bodyViolation(expected: string, message: string): SchemaViolation {
  return { path: '', expected, message };
}

function schemaViolation(error: ErrorObject): SchemaViolation {
  const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
  const path = missing === undefined ? error.instancePath : `${error.instancePath}/${missing.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return { path, expected: expectation(error), message: describe(error) };
}

/** What an AJV error says the value should be, in words (without where). */
export function expectation(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'a value (required)';
    case 'type':
      return `type ${Array.isArray(params.type) ? params.type.join(' or ') : String(params.type)}`;
    case 'enum':
      return `one of ${JSON.stringify(params['allowedValues'])}`;
    case 'const':
      return JSON.stringify(params['allowedValue']);
    case 'format':
      return `format "${String(params['format'])}"`;
    case 'additionalProperties':
      return `no property "${String(params['additionalProperty'])}"`;
    default:
      return (error.message ?? error.keyword).replace(/^must /, '');
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
