import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPages, type TextInput } from '../src/importer/import-pages.js';
import type { ContractDocument, JsonSchema } from '../src/contract/types.js';
import { rawPage } from './support/pages.js';

/**
 * Rendered docs pages name some fields in their schema notes that the JSON example leaves out (authentik's examples
 * skip them). Those fields belong in the schema all the same.
 */

const ROOT = join(import.meta.dirname, '..');
const seeds = (): TextInput[] =>
  readdirSync(join(ROOT, 'fixtures', 'pages'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(ROOT, 'fixtures', 'pages', file), 'utf8') }));
const seed002 = (): TextInput => seeds().find((input) => input.file.startsWith('002'))!;

function responseSchema(contract: ContractDocument, operationId: string): JsonSchema {
  const schema = contract.operations.find((o) => o.operationId === operationId)!.responses['200']!.content!['application/json']!.schema;
  const name = typeof schema['$ref'] === 'string' ? schema['$ref'].split('/').pop()! : undefined;
  return name ? contract.components[name]! : schema;
}
const properties = (schema: JsonSchema) => schema['properties'] as Record<string, JsonSchema>;

describe('seed 002: application.provider_obj is in the notes (required) but not in the example', () => {
  it('with the other seeds, the field is kept as an object, required', () => {
    const result = importPages(seeds());
    expect(result.errors).toEqual([]);
    const application = properties(responseSchema(result.contract, 'core_user_consent_retrieve'))['application']!;
    expect(properties(application)['provider_obj']).toEqual({ type: 'object', additionalProperties: {} });
    expect(application['required']).toContain('provider_obj');
    // The constraints around it still land where they did.
    expect(properties(application)['slug']).toMatchObject({ maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$' });
  });

  it('imported with a page that defines Application, the object is that component, provider_obj included', () => {
    const applicationPage = {
      file: 'core-applications-retrieve.api.mdx',
      text: readFileSync(join(ROOT, 'fixtures', 'reference', 'core-applications-retrieve.api.mdx'), 'utf8'),
    };
    const result = importPages([seed002(), applicationPage]);
    expect(result.errors).toEqual([]);
    expect(properties(responseSchema(result.contract, 'core_user_consent_retrieve'))['application']).toEqual({
      $ref: '#/components/schemas/Application',
    });
    expect(properties(result.contract.components['Application']!)['provider_obj']).toEqual({
      allOf: [{ $ref: '#/components/schemas/Provider' }],
      readOnly: true,
    });
  });
});

/** A rendered page for GET /things/{id}/ with these schema notes and this example. */
function renderedPage(notes: string[], example: unknown): TextInput {
  const lines = [
    'things_retrieve',
    'GET/things/:id/',
    'Thing Viewset',
    'Request',
    'Path Parameters',
    'A unique integer value identifying this Thing.',
    'Responses',
    '- 200',
    '- application/json',
    '- Schema',
    '- Example (from schema)',
    'Schema',
    ...notes,
    JSON.stringify(example, null, 1).replace(/^ +/gm, ''),
  ];
  return { file: 'things.txt', text: lines.join('\n') };
}

const notes = [
  'owner',
  'object',
  'required',
  'Owner Serializer',
  'avatar_obj',
  'object',
  'nullable',
  'Avatar Serializer',
  'Possible values: <= 99 characters', // inside avatar_obj, which the example does not show
  'extras',
  'object[]',
  'required',
  'badge',
  'object',
  'Badge Serializer',
  'meta',
  'object',
  'required',
  'Possible values: <= 30 characters',
  'history',
  'object[]',
  'nullable',
];
const example = { pk: 0, owner: { pk: 0, handle: 'string', nick: 'string', avatar: 0 }, meta: { note: 'string' }, title: 'string' };

/** Decoded pages that define Owner (with avatar_obj) and Badge. */
function definingPages(): TextInput[] {
  const json = (schema: unknown) => ({ '200': { description: '', content: { 'application/json': { schema } } } });
  const avatar = { type: 'object', title: 'Avatar', properties: { pk: { type: 'integer' }, url: { type: 'string', format: 'uri' } } };
  const owner = {
    type: 'object',
    title: 'Owner',
    properties: {
      pk: { type: 'integer', readOnly: true },
      handle: { type: 'string', maxLength: 20 },
      nick: { type: 'string' },
      avatar: { type: 'integer' },
      avatar_obj: { allOf: [avatar], nullable: true },
    },
  };
  const badge = { type: 'object', title: 'Badge', properties: { pk: { type: 'integer', readOnly: true }, label: { type: 'string' } } };
  return [
    { operationId: 'owners_retrieve', method: 'get', path: '/owners/{id}/', responses: json(owner) },
    { operationId: 'badges_retrieve', method: 'get', path: '/badges/{id}/', responses: json(badge) },
  ].map((operation) => ({ file: `${operation.operationId}.mdx`, text: rawPage(operation) }));
}

describe('fields named in the notes but missing from the example', () => {
  it('nothing known: each lands in the object it belongs to, typed from the notes, marked as the notes say', () => {
    const result = importPages([renderedPage(notes, example)]);
    expect(result.errors).toEqual([]);
    const thing = responseSchema(result.contract, 'things_retrieve');
    const owner = properties(thing)['owner']!;
    // An embed goes beside the pk field it shows.
    expect(properties(owner)['avatar_obj']).toEqual({ type: 'object', additionalProperties: {}, nullable: true });
    expect(owner['required']).not.toContain('avatar_obj');
    // The next field the notes name (`meta`) is the root's: so are `extras` and `badge`, which come before it.
    expect(properties(thing)['extras']).toEqual({ type: 'array', items: { type: 'object', additionalProperties: {} } });
    expect(properties(thing)['badge']).toEqual({ type: 'object', additionalProperties: {} });
    expect(thing['required']).toEqual(expect.arrayContaining(['owner', 'extras', 'meta']));
    expect(thing['required']).not.toContain('badge');
    // A constraint inside a missing object describes none of the fields we have; the one under `meta` lands there.
    expect(properties(owner)['handle']).not.toHaveProperty('maxLength');
    expect(properties(owner)['nick']).not.toHaveProperty('maxLength');
    expect(properties(properties(thing)['meta']!)['note']).toMatchObject({ maxLength: 30 });
    // With no field named after it, the last one stays in the object the notes were in.
    expect(properties(properties(thing)['meta']!)['history']).toEqual({
      type: 'array',
      items: { type: 'object', additionalProperties: {} },
      nullable: true,
    });
  });

  it('known from other pages: the component that has the field, or the one the notes name', () => {
    const result = importPages([renderedPage(notes, example), ...definingPages()]);
    expect(result.errors).toEqual([]);
    const thing = responseSchema(result.contract, 'things_retrieve');
    expect(properties(thing)['owner']).toEqual({ $ref: '#/components/schemas/Owner' });
    expect(properties(thing)['badge']).toEqual({ $ref: '#/components/schemas/Badge' });
    expect(properties(thing)['extras']).toEqual({ type: 'array', items: { type: 'object', additionalProperties: {} } });
  });

  it('a field the example has, named out of order, is not replaced; the result does not depend on input order', () => {
    const reordered = ['meta', 'object', ...notes]; // `owner` now comes after `meta`: not found in order
    const once = importPages([renderedPage(reordered, example), ...definingPages()]);
    const twice = importPages([...definingPages().reverse(), renderedPage(reordered, example)]);
    expect(once.errors).toEqual([]);
    expect(JSON.stringify(twice.contract)).toBe(JSON.stringify(once.contract));
    const thing = responseSchema(once.contract, 'things_retrieve');
    expect(Object.keys(properties(properties(thing)['owner']!))).toEqual(['pk', 'handle', 'nick', 'avatar']);
    expect(properties(properties(thing)['meta']!)).not.toHaveProperty('owner');
  });
});
