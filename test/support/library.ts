/**
 * A small "library" API written in a test (shelves, books…), documented as authentik documents its resources:
 * list (paginated, with the given filters), create, retrieve and destroy, DRF's error bodies. Imported like any
 * OpenAPI document, so the mock serves it with no code of its own.
 */
import type { ContractDocument } from '../../src/contract/types.js';
import { importPages } from '../../src/importer/import-pages.js';
import { COMMON_COMPONENTS } from './common-components.js';

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const query = (name: string, schema: object) => ({ in: 'query', name, required: false, schema });

/** List, create, retrieve and destroy of one resource (`{name}` and `{name}Request` components, an integer key). */
export function resource(path: string, name: string, listParameters: object[] = []): Record<string, object> {
  const json = (schema: object) => ({ description: '', content: { 'application/json': { schema } } });
  const errors = { '400': json(ref('ValidationError')), '403': json(ref('GenericError')) };
  const id = path.replaceAll('/', '_').replace(/^_|_$/g, '');
  const key = [{ in: 'path', name: 'id', required: true, schema: { type: 'integer' } }];
  const listing = [
    ...['ordering', 'search'].map((n) => query(n, { type: 'string' })),
    ...['page', 'page_size'].map((n) => query(n, { type: 'integer' })),
  ];
  return {
    [path]: {
      get: {
        operationId: `${id}_list`,
        tags: ['library'],
        parameters: [...listing, ...listParameters],
        responses: {
          '200': json({
            type: 'object',
            properties: { pagination: ref('Pagination'), results: { type: 'array', items: ref(name) } },
            required: ['pagination', 'results'],
          }),
          ...errors,
        },
      },
      post: {
        operationId: `${id}_create`,
        tags: ['library'],
        requestBody: { required: true, content: { 'application/json': { schema: ref(`${name}Request`) } } },
        responses: { '201': json(ref(name)), ...errors },
      },
    },
    [`${path}{id}/`]: {
      get: { operationId: `${id}_retrieve`, tags: ['library'], parameters: key, responses: { '200': json(ref(name)), ...errors } },
      delete: {
        operationId: `${id}_destroy`,
        tags: ['library'],
        parameters: key,
        responses: { '204': { description: 'No response body' }, ...errors },
      },
    },
  };
}

/** The library's paths and components, imported as one OpenAPI document. */
export function libraryContract(paths: Record<string, object>, components: Record<string, object>): ContractDocument {
  const imported = importPages([
    {
      file: 'library.json',
      document: {
        openapi: '3.0.3',
        info: { title: 'authentik', version: '2024.8.2' },
        servers: [{ url: '/api/v3/' }],
        security: [{ authentik: [] }],
        paths,
        components: {
          schemas: { ...COMMON_COMPONENTS, ...components },
          securitySchemes: { authentik: { type: 'http', scheme: 'bearer' } },
        },
      },
    },
  ]);
  if (imported.errors.length > 0) throw new Error(imported.errors.map((e) => e.message).join('\n'));
  return imported.contract;
}
