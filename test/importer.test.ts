import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { inlineComponents, mapOperationSchemas } from '../src/importer/components.js';
import { findEncodedKey, decodeApiKey } from '../src/importer/docs-page.js';
import { importPages, type TextInput } from '../src/importer/import-pages.js';
import { importFiles } from '../src/node/import-files.js';
import { readSchemasDir } from '../src/node/schemas-dir.js';
import type { ContractDocument, OperationSpec } from '../src/contract/types.js';
import { pipeCopy, rawPage, viewerCopy } from './support/pages.js';
import { widgetOperations } from './support/synthetic-operations.js';

const PAGES = join(import.meta.dirname, '..', 'fixtures', 'pages');
const seedFiles = readdirSync(PAGES).sort();
const seed = (prefix: string) =>
  readFileSync(
    join(
      PAGES,
      seedFiles.find((f) => f.startsWith(prefix))!,
    ),
    'utf8',
  );

/** An operation with its components inlined again and the file it came from left out: what it *means*. */
function meaning(contract: ContractDocument, operationId: string): Omit<OperationSpec, 'source'> {
  const operation = contract.operations.find((o) => o.operationId === operationId);
  if (!operation) throw new Error(`no ${operationId}`);
  const { source: _source, ...rest } = mapOperationSchemas(operation, (s) => inlineComponents(s, contract.components));
  return rest;
}

const importOne = (file: string, text: string) => importPages([{ file, text }]);

describe('docs page wrappings', () => {
  for (const prefix of ['000', '001', '003', '004']) {
    it(`seed ${prefix}: raw page, viewer copy and |-interleaved copy import to the same operation`, () => {
      const operation = decodeApiKey(findEncodedKey(seed(prefix))!) as { operationId: string };
      const raw = rawPage(operation);
      const expected = importOne('raw.mdx', raw);
      expect(expected.errors).toEqual([]);
      for (const text of [seed(prefix), viewerCopy(raw), pipeCopy(raw), pipeCopy(viewerCopy(raw))]) {
        const got = importOne('wrapped.txt', text);
        expect(got.errors).toEqual([]);
        expect(meaning(got.contract, operation.operationId)).toEqual(meaning(expected.contract, operation.operationId));
      }
    });
  }
});

describe('encode → page → import round-trip', () => {
  for (const operation of widgetOperations) {
    it(`${operation.operationId} keeps every schema detail`, () => {
      const result = importOne(`${operation.operationId}.mdx`, pipeCopy(viewerCopy(rawPage(operation))));
      expect(result.errors).toEqual([]);
      const got = meaning(result.contract, operation.operationId);
      expect(got.method).toBe(operation.method.toUpperCase());
      expect(got.path).toBe(operation.path);
      expect(got.server).toBe('/api/v3/');
      expect(got.origin).toBe('decoded');
      expect(got.security).toEqual([{ authentik: [] }]);
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(got.responses[status]?.content?.['application/json']?.schema).toEqual(response.content?.['application/json']?.schema);
      }
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {}))
        expect(got.requestBody?.content[type]?.schema).toEqual(media.schema);
    });
  }

  it('stores each titled component once and refers to it', () => {
    const result = importPages(widgetOperations.map((o) => ({ file: `${o.operationId}.mdx`, text: rawPage(o) })));
    expect(Object.keys(result.contract.components)).toEqual(
      expect.arrayContaining([
        'Widget',
        'WidgetRequest',
        'PatchedWidgetRequest',
        'ColorEnum',
        'PaginatedWidgetList',
        'UsedBy',
        'FileUploadRequest',
      ]),
    );
    const retrieve = result.contract.operations.find((o) => o.operationId === 'widgets_widgets_retrieve')!;
    expect(retrieve.responses['200']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Widget' });
    expect(result.contract.components['Widget']!['properties']).toMatchObject({
      color: { allOf: [{ $ref: '#/components/schemas/ColorEnum' }] },
    });
  });

  it('keeps two different shapes under one title apart and says so', () => {
    const [first, second] = [widgetOperations[2]!, widgetOperations[3]!];
    const renamed = JSON.parse(
      JSON.stringify(second)
        .replaceAll('"title":"Widget"', '"title":"Widget","x":1')
        .replace('"name":{"type":"string","maxLength":64}', '"name":{"type":"string","maxLength":99}'),
    );
    const result = importPages([
      { file: 'a.mdx', text: rawPage(first) },
      { file: 'b.mdx', text: rawPage({ ...renamed, responses: { '200': renamed.responses['200'] } }) },
    ]);
    expect(Object.keys(result.contract.components)).toEqual(expect.arrayContaining(['Widget', 'Widget_2']));
    expect(result.notes.join('\n')).toMatch(/two different shapes are titled "Widget".*"Widget_2"/);
  });
});

describe('a rendered page (no encoded key) is inferred', () => {
  const result = importPages(seedFiles.map((f) => ({ file: f, text: readFileSync(join(PAGES, f), 'utf8') })));
  const consent = meaning(result.contract, 'core_user_consent_retrieve');
  const stored = result.contract.operations.find((o) => o.operationId === 'core_user_consent_retrieve')!;
  const schema = consent.responses['200']!.content!['application/json']!.schema as {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
  };

  it('reads method, path, path parameter and response codes, and marks the operation inferred', () => {
    expect(consent.method).toBe('GET');
    expect(consent.path).toBe('/core/user_consent/{id}/');
    expect(consent.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true, schema: { type: 'integer' } })]);
    expect(Object.keys(consent.responses)).toEqual(['200', '400', '403']);
    expect(consent.origin).toBe('inferred');
    expect(result.index.operations.find((o) => o.operationId === 'core_user_consent_retrieve')?.origin).toBe('inferred');
  });

  it('infers the fields from the example and the field notes', () => {
    expect(schema.properties['pk']).toMatchObject({ type: 'integer' });
    expect(schema.properties['expires']).toMatchObject({ type: 'string', format: 'date-time', nullable: true });
    expect(schema.properties['expiring']).toMatchObject({ type: 'boolean' });
    expect(schema.properties['permissions']).toMatchObject({ type: 'string' });
    const application = schema.properties['application'] as { type: string; properties: Record<string, unknown> };
    expect(application.type).toBe('object');
    expect(application.properties['slug']).toMatchObject({ type: 'string', maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$' });
    expect(schema.required).toEqual(expect.arrayContaining(['user', 'application']));
  });

  it('uses the User component the access-tokens page defines', () => {
    const raw = (stored.responses['200']!.content!['application/json']!.schema as { $ref: string }).$ref;
    const component = result.contract.components[raw.split('/').pop()!]!;
    expect((component['properties'] as Record<string, unknown>)['user']).toEqual({ $ref: '#/components/schemas/User' });
    expect(stored.responses['403']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/GenericError' });
  });
});

describe('OpenAPI documents', () => {
  const yamlDoc = [
    'openapi: 3.0.3',
    'info: {title: authentik, version: 2024.8.2}',
    'servers: [{url: /api/v3/}]',
    'security: [{authentik: []}]',
    'paths:',
    '  /things/{id}/:',
    '    parameters: [{in: path, name: id, required: true, schema: {type: integer}}]',
    '    get:',
    '      operationId: things_retrieve',
    '      responses:',
    "        '200': {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}",
    "        '403': {$ref: '#/components/responses/GenericErrorResponse'}",
    'components:',
    '  schemas:',
    '    Thing: {type: object, properties: {pk: {type: integer, readOnly: true}, child: {$ref: "#/components/schemas/Thing"}}, required: [pk]}',
    '    GenericError: {type: object, properties: {detail: {type: string}}, required: [detail]}',
    '  responses:',
    "    GenericErrorResponse: {description: '', content: {application/json: {schema: {$ref: '#/components/schemas/GenericError'}}}}",
  ].join('\n');

  it('imports operations with components named by their keys, path parameters inherited, security from the document', () => {
    const result = importOne('schema.yml', yamlDoc);
    expect(result.errors).toEqual([]);
    const thing = result.contract.operations[0]!;
    expect(thing).toMatchObject({
      operationId: 'things_retrieve',
      method: 'GET',
      path: '/things/{id}/',
      origin: 'openapi',
      security: [{ authentik: [] }],
    });
    expect(thing.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
    expect(thing.responses['200']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Thing' });
    expect(result.contract.components['Thing']!['properties']).toMatchObject({ child: { $ref: '#/components/schemas/Thing' } });
    expect(thing.responses['403']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/GenericError' });
  });

  it('reads the same document as JSON', () => {
    const result = importOne('schema.json', JSON.stringify(parseYaml(yamlDoc)));
    expect(result.errors).toEqual([]);
    expect(result.contract.operations.map((o) => o.operationId)).toEqual(['things_retrieve']);
  });
});

describe('bad input', () => {
  const good = rawPage(widgetOperations[2]!);
  const corrupt = good.replace(/^api: (\S{40})\S+/m, 'api: $1AAAA');
  const brokenRef =
    'openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths:\n  /x/:\n    get:\n      responses: {"200": {description: "", content: {application/json: {schema: {$ref: "#/components/schemas/Nope"}}}}}\n';

  const inputs: TextInput[] = [
    { file: 'good.mdx', text: good },
    { file: 'corrupt.mdx', text: corrupt },
    { file: 'notes.txt', text: 'shopping list\n- milk\n' },
    { file: 'broken.yml', text: brokenRef },
    { file: 'nokey.mdx', text: '---\nid: x\ntitle: "x"\n---\nhello\n' },
  ];

  it('names each failing file with its reason and still imports the rest', () => {
    const result = importPages(inputs);
    expect(result.contract.operations.map((o) => o.operationId)).toEqual(['widgets_widgets_retrieve']);
    const messages = result.errors.map((e) => e.message);
    expect(messages).toEqual([
      expect.stringMatching(/^corrupt\.mdx: the api key does not inflate/),
      expect.stringMatching(/^notes\.txt: not an authentik API docs page or OpenAPI 3 document$/),
      'broken.yml: /x/: broken $ref "#/components/schemas/Nope"',
      expect.stringMatching(/^nokey\.mdx: docs page without an "api:" key$/),
    ]);
  });

  it('the CLI-level import writes the good pages, reports the bad ones, and never leaves schemas/ half-written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-'));
    const input = join(dir, 'pages', 'nested');
    mkdirSync(input, { recursive: true });
    inputs.forEach((i) => writeFileSync(join(input, i.file), i.text));
    const out = join(dir, 'schemas');
    const result = importFiles([join(dir, 'pages')], { out });
    expect(result.errors).toHaveLength(4);
    expect(readSchemasDir(out).operations.map((o) => o.operationId)).toEqual(['widgets_widgets_retrieve']);
    expect(readdirSync(dir).sort()).toEqual(['pages', 'schemas']);
    expect(existsSync(join(out, 'index.json'))).toBe(true);
  });
});

describe('determinism and re-import', () => {
  it('gives byte-identical files whatever the input order, and a re-imported page replaces its operation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'determinism-'));
    const pages = widgetOperations.map((o) => ({ name: `${o.operationId}.mdx`, text: rawPage(o) }));
    const write = (sub: string, order: typeof pages) => {
      mkdirSync(join(dir, sub));
      order.forEach((p, i) => writeFileSync(join(dir, sub, `${String(i).padStart(2, '0')}-${p.name}`), p.text));
    };
    write('a', pages);
    write('b', [...pages].reverse());
    const read = (out: string) =>
      readdirSync(join(out, 'components'))
        .map((f) => readFileSync(join(out, 'components', f), 'utf8'))
        .join();
    importFiles([join(dir, 'a')], { out: join(dir, 'out-a') });
    importFiles([join(dir, 'b')], { out: join(dir, 'out-b') });
    expect(read(join(dir, 'out-b'))).toBe(read(join(dir, 'out-a')));

    const changed = { ...widgetOperations[2]!, description: 'Changed' };
    writeFileSync(join(dir, 'changed.mdx'), rawPage(changed));
    importFiles([join(dir, 'changed.mdx')], { out: join(dir, 'out-a') });
    const after = readSchemasDir(join(dir, 'out-a'));
    expect(after.operations).toHaveLength(widgetOperations.length);
    expect(after.operations.find((o) => o.operationId === 'widgets_widgets_retrieve')?.description).toBe('Changed');
  });
});
