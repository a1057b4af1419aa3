import { describe, expect, it } from 'vitest';
import { Contract, type ContractInput } from '../src/contract/contract.js';
import { contractModule } from '../src/node/standalone-validators.js';
import { booleanValue, filterParams, filterValueError } from '../src/contract/filter-params.js';
import type { JsonSchema, OperationSpec } from '../src/contract/types.js';
import { FixtureGenerator, createFaker, generate } from '../src/fake/generate.js';
import { mixedDocument } from './support/contracts.js';

const document = mixedDocument();
const contract = new Contract(document);

/** Schemas chosen to be hard to satisfy by accident. */
const hardSchemas: Record<string, JsonSchema> = {
  slugShort: { type: 'string', maxLength: 3, pattern: '^[-a-zA-Z0-9_]+$' },
  exactLength: { type: 'string', minLength: 5, maxLength: 5 },
  codePattern: { type: 'string', pattern: '^[A-Z]{3}-[0-9]{1,4}$' },
  usernamePattern: { type: 'string', pattern: '^[\\w.@+-]+$', maxLength: 150 },
  hexPattern: { type: 'string', pattern: '^#[0-9a-f]{6}$' },
  tightEmail: { type: 'string', format: 'email', maxLength: 12 },
  tightUri: { type: 'string', format: 'uri', maxLength: 20 },
  nullableEnum: { allOf: [{ enum: ['a', 'b'], type: 'string' }], nullable: true },
  nullableEnumDirect: { type: 'string', enum: ['x', 'y', null], nullable: true },
  nestedAllOf: {
    allOf: [
      { allOf: [{ type: 'object', properties: { a: { type: 'integer', minimum: 5, maximum: 6 } }, required: ['a'] }] },
      { type: 'object', properties: { b: { type: 'string', minLength: 2, maxLength: 2 } }, required: ['b'] },
    ],
  },
  boundedNumbers: {
    type: 'object',
    properties: { n: { type: 'number', minimum: -1, maximum: 1 }, i: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 3 } },
  },
  arrays: { type: 'array', minItems: 2, maxItems: 4, items: { type: 'string', format: 'uuid' } },
  typedMap: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
  formats: {
    type: 'object',
    properties: {
      u: { type: 'string', format: 'uuid' },
      d: { type: 'string', format: 'date-time' },
      e: { type: 'string', format: 'email' },
      r: { type: 'string', format: 'uri' },
      l: { type: 'integer', format: 'int64' },
      f: { type: 'number', format: 'double' },
      b: { type: 'string', format: 'binary' },
    },
    required: ['u', 'd', 'e', 'r', 'l', 'f', 'b'],
  },
};

describe('fixtures satisfy their schemas (property test)', () => {
  const subjects: Array<[string, JsonSchema]> = [
    ...Object.keys(document.components).map((name): [string, JsonSchema] => [name, { $ref: `#/components/schemas/${name}` }]),
    ...Object.entries(hardSchemas),
  ];
  for (const [name, schema] of subjects) {
    it(`${name}: 200 seeds, every value valid`, () => {
      const failures: string[] = [];
      for (let seed = 1; seed <= 200; seed++) {
        const value = generate(schema, { seed, components: document.components });
        const errors = contract.check(schema, value);
        if (errors.length > 0) failures.push(`seed ${seed}: ${JSON.stringify(value)} → ${JSON.stringify(errors[0])}`);
      }
      expect(failures.slice(0, 3)).toEqual([]);
    });
  }
});

describe('fixtures look like authentik data', () => {
  const user = generate({ $ref: '#/components/schemas/User' }, { seed: 7, components: document.components }) as Record<string, unknown>;

  it('is deterministic per seed and varies across seeds', () => {
    expect(generate({ $ref: '#/components/schemas/User' }, { seed: 7, components: document.components })).toEqual(user);
    expect(generate({ $ref: '#/components/schemas/User' }, { seed: 8, components: document.components })).not.toEqual(user);
  });

  it('gives people names, emails, slugs and hex uids, never "string" or lorem ipsum', () => {
    const values: string[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const u = generate({ $ref: '#/components/schemas/User' }, { seed, components: document.components }) as Record<string, string>;
      expect(u['name']).toMatch(/^[A-Z][\p{L}'.-]+( [\p{L}'.-]+)+$/u);
      expect(u['uid']).toMatch(/^[0-9a-f]{64}$/);
      values.push(...Object.values(u).filter((v): v is string => typeof v === 'string'));
      const token = generate({ $ref: '#/components/schemas/Token' }, { seed, components: document.components }) as Record<string, string>;
      expect(token['identifier']).toMatch(/^[-a-zA-Z0-9_]+$/);
      values.push(token['description']!);
    }
    expect(values).not.toContain('string');
    expect(values.filter((v) => /\b(lorem|ipsum)\b/i.test(v))).toEqual([]);
  });

  it('makes nullable fields null sometimes, not always', () => {
    const lastLogins = Array.from(
      { length: 100 },
      (_, i) =>
        (generate({ $ref: '#/components/schemas/User' }, { seed: i + 1, components: document.components }) as Record<string, unknown>)[
          'last_login'
        ],
    );
    const nulls = lastLogins.filter((v) => v === null).length;
    expect(nulls).toBeGreaterThan(0);
    expect(nulls).toBeLessThan(50);
  });

  it('in request mode leaves out readOnly fields', () => {
    const body = new FixtureGenerator(createFaker(3), document.components).value(
      { $ref: '#/components/schemas/Widget' },
      'request',
    ) as Record<string, unknown>;
    expect(body).not.toHaveProperty('pk');
    expect(body).not.toHaveProperty('created');
    expect(body).toHaveProperty('secret');
  });
});

describe('request validation → the DRF 400 body', () => {
  const create = contract.operation('widgets_widgets_create') as OperationSpec;
  const patch = contract.operation('widgets_widgets_partial_update') as OperationSpec;
  const valid = { name: 'Blue widget', slug: 'blue-widget' };
  const errorsFor = (extra: Record<string, unknown>, operation = create) =>
    contract.validateRequestBody(operation, 'application/json', { ...valid, ...extra }, operation === patch);

  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['required', { name: undefined }, { name: ['This field is required.'] }],
    ['null', { name: null }, { name: ['This field may not be null.'] }],
    ['blank', { name: '' }, { name: ['This field may not be blank.'] }],
    ['max length', { name: 'x'.repeat(65) }, { name: ['Ensure this field has no more than 64 characters.'] }],
    [
      'min length',
      { sku: 'AB' },
      { sku: ['Ensure this field has at least 3 characters.', 'This value does not match the required pattern.'] },
    ],
    ['integer', { count: 'many' }, { count: ['A valid integer is required.'] }],
    ['boolean', { enabled: 'yes please' }, { enabled: ['Must be a valid boolean.'] }],
    ['choice', { color: 'purple' }, { color: ['"purple" is not a valid choice.'] }],
    ['email', { owner_email: 'not-an-email' }, { owner_email: ['Enter a valid email address.'] }],
    ['url', { homepage: 'not a url' }, { homepage: ['Enter a valid URL.'] }],
    [
      'date-time',
      { released: 'yesterday' },
      { released: ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'] },
    ],
    ['slug pattern', { slug: 'has spaces' }, { slug: ['Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'] }],
    ['other pattern', { sku: 'abc-12' }, { sku: ['This value does not match the required pattern.'] }],
    ['maximum', { count: 11 }, { count: ['Ensure this value is less than or equal to 10.'] }],
    [
      'list items keyed by index',
      { tags: ['ok', 'x'.repeat(21)] },
      { tags: { '1': ['Ensure this field has no more than 20 characters.'] } },
    ],
    ['nested object', { attributes: 'flat' }, { attributes: ['Invalid data. Expected a dictionary, but got str.'] }],
  ];
  for (const [kind, extra, expected] of cases) {
    it(`${kind}`, () => {
      const body = Object.fromEntries(Object.entries({ ...valid, ...extra }).filter(([, v]) => v !== undefined));
      expect(contract.validateRequestBody(create, 'application/json', body)).toEqual(expected);
    });
  }

  it('reports every field at once, and the body validates against the contract 400 schema', () => {
    const errors = errorsFor({ name: '', slug: 'a b', count: 0, color: 'x' });
    expect(Object.keys(errors!).sort()).toEqual(['color', 'count', 'name', 'slug']);
    expect(contract.validateResponse('widgets_widgets_create', 400, errors)).toEqual([]);
  });

  it('rejects a body that is not an object under non_field_errors', () => {
    expect(contract.validateRequestBody(create, 'application/json', [1, 2])).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
  });

  it('ignores readOnly fields in requests; PATCH validates only what is sent', () => {
    expect(errorsFor({ pk: 'not-a-uuid', created: 5 })).toBeUndefined();
    expect(contract.validateRequestBody(patch, 'application/json', { count: 3 }, true)).toBeUndefined();
    expect(contract.validateRequestBody(patch, 'application/json', { count: 30 }, true)).toEqual({
      count: ['Ensure this value is less than or equal to 10.'],
    });
  });

  it('requires readOnly fields in responses', () => {
    const violations = contract.validateResponse('widgets_widgets_retrieve', 200, { name: 'x', slug: 'x' });
    expect(violations.map((v) => v.message)).toEqual(
      expect.arrayContaining(['body: required field "pk" is missing', 'body: required field "created" is missing']),
    );
  });
});

describe('filter parameters are read as django-filter reads them', () => {
  const list = contract.operation('widgets_widgets_list')!;
  const filter = (name: string) => filterParams(contract, list).find((f) => f.name === name)!;
  it('classifies each filter from the contract alone', () => {
    expect(Object.fromEntries(filterParams(contract, list).map((f) => [f.name, f.kind]))).toMatchObject({
      count: 'number',
      enabled: 'boolean',
      color: 'choice',
    });
  });
  it('answers unreadable values with django-filter messages, and never a boolean', () => {
    expect(filterValueError(filter('count'), 'x')).toBe('Enter a number.');
    expect(filterValueError(filter('count'), '3')).toBeUndefined();
    expect(filterValueError(filter('color'), 'pink')).toBe('Select a valid choice. pink is not one of the available choices.');
    expect(filterValueError(filter('enabled'), 'maybe')).toBeUndefined();
    expect(booleanValue('maybe')).toBeUndefined();
    expect(booleanValue('true')).toBe(true);
  });
});

describe('a discriminated oneOf is read by its discriminator', () => {
  const Denied = { type: 'object', properties: { component: { type: 'string' }, error_message: { type: 'string' } }, required: [] };
  const Identify = {
    type: 'object',
    properties: { component: { type: 'string' }, user_fields: { type: 'array', items: { type: 'string' } } },
    required: ['user_fields'],
  };
  const Challenge = {
    oneOf: [{ $ref: '#/components/schemas/Denied' }, { $ref: '#/components/schemas/Identify' }],
    discriminator: {
      propertyName: 'component',
      mapping: { 'ak-denied': '#/components/schemas/Denied', 'ak-identify': '#/components/schemas/Identify' },
    },
  };
  const challenges = new Contract({ components: { Denied, Identify, Challenge }, operations: [] });
  const check = (value: unknown) => challenges.check({ $ref: '#/components/schemas/Challenge' }, value).length;

  it('accepts a value that fits the branch it names, though it fits another branch too', () => {
    expect(check({ component: 'ak-identify', user_fields: ['username'] })).toBe(0);
    expect(check({ component: 'ak-denied' })).toBe(0);
  });

  it('refuses a value that breaks the branch it names, or names no branch', () => {
    expect(check({ component: 'ak-identify' })).toBeGreaterThan(0);
    expect(check({ component: 'ak-unknown', user_fields: [] })).toBeGreaterThan(0);
  });

  it('generates values that name their branch', () => {
    for (let seed = 1; seed <= 20; seed++)
      expect(check(generate({ $ref: '#/components/schemas/Challenge' }, { seed, components: challenges.components }))).toBe(0);
  });
});

describe('ajv in strict mode, with OpenAPI’s keywords declared', () => {
  const Annotated = {
    type: 'object',
    description: 'A serializer as drf-spectacular and other generators write one',
    properties: {
      amount: { type: 'string', format: 'decimal', pattern: '^-?\\d{0,5}(?:\\.\\d{0,2})?$', example: '1.50' },
      legacy: { type: 'integer', deprecated: true, 'x-spec-enum-id': 'abc123' },
      kind: { type: 'string', enum: ['a', 'b'], 'x-enum-descriptions': ['A', 'B'] },
      note: { type: 'string', xml: { name: 'Note' }, externalDocs: { url: 'https://example.com' } },
      any: { oneOf: [{ type: 'string' }, { type: 'integer' }], discriminator: { propertyName: 'kind' } },
    },
    required: ['amount'],
    'x-vendor': { generated: true },
  };
  const annotated = (): Contract => new Contract({ components: { Annotated }, operations: [] });
  const schema = { $ref: '#/components/schemas/Annotated' };

  it('compiles annotations, vendor extensions and formats it does not know, and still checks what they annotate', () => {
    const contract = annotated();
    expect(contract.check(schema, { amount: '12.5', legacy: 3, kind: 'a', note: 'n', any: 4 })).toEqual([]);
    expect(contract.check(schema, { amount: 12, kind: 'c' }).map((e) => [e.instancePath, e.keyword])).toEqual([
      ['/amount', 'type'],
      ['/kind', 'enum'],
    ]);
  });

  it('reads OpenAPI 3.0’s exclusive bounds (a flag beside the bound) as JSON Schema writes them', () => {
    const contract = annotated();
    const ratio = { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: false };
    expect([0, 0.5, 1, 1.5].map((value) => contract.check(ratio, value).length)).toEqual([1, 0, 0, 1]);
  });

  it('refuses, when compiling, a keyword that is neither JSON Schema nor OpenAPI (a typo is not ignored)', () => {
    expect(() => annotated().check({ type: 'string', maxlength: 3 }, 'long text')).toThrow(/strict mode: unknown keyword: "maxlength"/);
  });

  it('finds a check’s validator by the schema object: compiled once, and once for an equal copy', () => {
    const contract = annotated();
    const field = Annotated.properties.kind;
    for (const value of ['a', 'b', 'c']) contract.check(field, value);
    expect(contract.compiledAtRunTime).toBe(1);
    expect(contract.check({ ...field }, 'c')).toHaveLength(1);
    expect(contract.compiledAtRunTime).toBe(1);
    expect(contract.check(field, 'c', 'request')).toHaveLength(1);
    expect(contract.compiledAtRunTime).toBe(2);
  });

  it('writes the same contract as a module of precompiled validators that load without compiling', async () => {
    const document = { components: { Annotated }, operations: [] };
    const { code } = contractModule(document, { checks: [[schema, 'response']] });
    const loaded = (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as { contract: ContractInput };
    const precompiled = new Contract(loaded.contract);
    expect(precompiled.check(schema, { amount: 12, kind: 'c' })).toEqual(annotated().check(schema, { amount: 12, kind: 'c' }));
    expect(precompiled.compiledAtRunTime).toBe(0);
  });
});
