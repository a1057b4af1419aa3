import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { inlineComponents, mapOperationSchemas } from '../src/importer/components.js';
import { importPages } from '../src/importer/import-pages.js';
import { readSchemasDir } from '../src/node/schemas-dir.js';
import type { ContractDocument, JsonSchema, OperationSpec } from '../src/contract/types.js';
import {
  ADDED_FIELD,
  DEFAULT_PATH_PREFIXES,
  OTHER_VERSION,
  WIDGET_OPERATION_IDS,
  otherVersionContract,
  otherVersionDocument,
} from './support/other-version.js';

const reference = readSchemasDir(join(import.meta.dirname, '..', 'schemas'));

function operation(contract: ContractDocument, operationId: string): OperationSpec {
  const found = contract.operations.find((o) => o.operationId === operationId);
  if (!found) throw new Error(`no ${operationId}`);
  return found;
}

/** An operation with its components inlined, without where it came from or how: what it means. */
function meaning(contract: ContractDocument, operationId: string): Omit<OperationSpec, 'source' | 'origin'> {
  const {
    source: _source,
    origin: _origin,
    ...rest
  } = mapOperationSchemas(operation(contract, operationId), (s) => inlineComponents(s, contract.components));
  return rest;
}

const schemaOf = (contract: ContractDocument, operationId: string, status: string) =>
  operation(contract, operationId).responses[status]?.content?.['application/json']?.schema;
const properties = (schema: JsonSchema | undefined) => schema?.['properties'] as Record<string, JsonSchema>;

describe(`a later authentik version's OpenAPI document (synthetic ${OTHER_VERSION})`, () => {
  const contract = otherVersionContract();
  const slice = reference.operations.filter((o) => DEFAULT_PATH_PREFIXES.some((p) => o.path.startsWith(p)));

  it('imports every operation of the slice and the new resource, with no errors', () => {
    expect(slice.length).toBeGreaterThan(60);
    expect(contract.operations.map((o) => o.operationId).sort()).toEqual(
      [...slice.map((o) => o.operationId), ...WIDGET_OPERATION_IDS].sort(),
    );
    expect(contract.operations.every((o) => o.origin === 'openapi' && o.server === '/api/v3/')).toBe(true);
  });

  it('resolves `#/components/responses/*`: 400 is the ValidationError schema, 403 the GenericError one', () => {
    for (const id of ['core_groups_list', 'core_users_partial_update', 'rbac_roles_destroy', 'core_widgets_create']) {
      expect(schemaOf(contract, id, '400')).toEqual({ $ref: '#/components/schemas/ValidationError' });
      expect(schemaOf(contract, id, '403')).toEqual({ $ref: '#/components/schemas/GenericError' });
    }
    expect(contract.components['ValidationError']).toEqual(reference.components['ValidationError']);
    expect(contract.components['GenericError']).toEqual(reference.components['GenericError']);
  });

  it('means exactly what the reference means where nothing changed', () => {
    for (const id of ['rbac_roles_retrieve', 'rbac_roles_update', 'core_groups_retrieve', 'core_brands_update']) {
      expect(meaning(contract, id)).toEqual(meaning(reference, id));
    }
  });

  it('keeps the extra required `autocomplete` of every list envelope', () => {
    const envelopes = Object.keys(contract.components).filter((name) => /^Paginated\w+List$/.test(name));
    expect(envelopes).toEqual(
      expect.arrayContaining(['PaginatedGroupList', 'PaginatedUserList', 'PaginatedRoleList', 'PaginatedWidgetList']),
    );
    for (const name of envelopes) {
      const envelope = contract.components[name]!;
      expect(envelope['required']).toEqual(['autocomplete', 'pagination', 'results']);
      expect(properties(envelope)['autocomplete']).toEqual({ type: 'object', additionalProperties: {} });
    }
    expect(schemaOf(contract, 'core_groups_list', '200')).toEqual({ $ref: '#/components/schemas/PaginatedGroupList' });
  });

  it('imports the new resource and the new field like any other', () => {
    expect(operation(contract, 'core_widgets_retrieve')).toMatchObject({
      method: 'GET',
      path: '/core/widgets/{id}/',
      parameters: [{ name: 'id', in: 'path', schema: { type: 'integer' } }],
    });
    expect(operation(contract, 'core_widgets_partial_update').requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/PatchedWidgetRequest',
    });
    const widget = properties(contract.components['Widget']);
    expect(widget['group_obj']).toEqual({ allOf: [{ $ref: '#/components/schemas/Group' }], readOnly: true, nullable: true });
    expect(widget['kind']).toEqual({ $ref: '#/components/schemas/WidgetKindEnum' });
    expect(widget['slug']).toMatchObject({ maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$' });
    const user = contract.components[ADDED_FIELD.component]!;
    expect(properties(user)[ADDED_FIELD.field]).toEqual({ type: 'string', format: 'uri', nullable: true, readOnly: true });
    expect(user['required']).toContain(ADDED_FIELD.field);
  });

  it('is deterministic: the same contract every time, from the object, its YAML or its JSON, whatever the order of paths', () => {
    const doc = otherVersionDocument();
    const file = `authentik-${OTHER_VERSION}.yml`;
    const reversed = { ...doc, paths: Object.fromEntries(Object.entries(doc['paths'] as object).reverse()) };
    const expected = JSON.stringify(contract);
    for (const input of [
      { file, document: otherVersionDocument() },
      { file, text: toYaml(doc) },
      { file, text: JSON.stringify(doc) },
      { file, document: reversed },
    ]) {
      const result = importPages([input]);
      expect(result.errors).toEqual([]);
      expect(JSON.stringify(result.contract)).toBe(expected);
    }
  });
});

describe('shared OpenAPI components other than schemas', () => {
  const doc = {
    openapi: '3.0.3',
    info: { title: 'x', version: '1' },
    paths: {
      '/things/{id}/': {
        parameters: [{ $ref: '#/components/parameters/ThingId' }],
        put: {
          operationId: 'things_update',
          parameters: [{ $ref: '#/components/parameters/Verbose' }],
          requestBody: { $ref: '#/components/requestBodies/ThingBody' },
          responses: {
            '200': { $ref: '#/components/responses/ThingResponse' },
            '400': { $ref: '#/components/responses/ValidationErrorResponse' },
          },
        },
      },
    },
    components: {
      schemas: {
        Thing: { type: 'object', properties: { pk: { type: 'integer', readOnly: true } } },
        ThingRequest: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        ValidationError: { type: 'object', additionalProperties: {} },
      },
      parameters: {
        ThingId: { in: 'path', name: 'id', required: true, schema: { type: 'integer' } },
        Verbose: { in: 'query', name: 'verbose', schema: { type: 'boolean' } },
      },
      requestBodies: {
        ThingBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingRequest' } } } },
      },
      responses: {
        ThingResponse: { description: 'the thing', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
        ValidationErrorResponse: {
          description: '',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ValidationError' } } },
        },
      },
    },
  };

  it('resolves `#/components/parameters/*`, `requestBodies/*` and `responses/*`', () => {
    const result = importPages([{ file: 'doc.json', document: doc }]);
    expect(result.errors).toEqual([]);
    const thing = result.contract.operations[0]!;
    expect(thing.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
      { name: 'verbose', in: 'query', required: false, schema: { type: 'boolean' } },
    ]);
    expect(thing.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingRequest' } } },
    });
    expect(thing.responses['200']).toEqual({
      description: 'the thing',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
    });
    expect(thing.responses['400']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/ValidationError' });
  });

  it('names a broken one, and rejects an in-memory object that is not an OpenAPI 3 document', () => {
    const broken = { ...doc, components: { ...doc.components, responses: {} } };
    expect(importPages([{ file: 'broken.json', document: broken }]).errors.map((e) => e.message)).toEqual([
      'broken.json: /things/{id}/: broken $ref "#/components/responses/ThingResponse"',
    ]);
    expect(importPages([{ file: 'swagger.json', document: { swagger: '2.0', paths: {} } }]).errors.map((e) => e.message)).toEqual([
      'swagger.json: an OpenAPI document needs "openapi" and "paths"',
    ]);
  });
});
