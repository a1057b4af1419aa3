/**
 * Operations written the way the docs encode them (every $ref inlined, components carrying `title`), covering the
 * features the full reference uses. Used by importer round-trips, the contract core and the mock, so no behaviour
 * can be specific to the five seed pages.
 */
import { GenericError, Pagination, ValidationError } from './common-components.js';

const servers = [{ url: '/api/v3/' }];
const security = [{ authentik: [] }];
const securitySchemes = { authentik: { type: 'http', scheme: 'bearer' } };

const errors = {
  '400': { content: { 'application/json': { schema: ValidationError } }, description: '' },
  '403': { content: { 'application/json': { schema: GenericError } }, description: '' },
};
export const pageParams = [
  { name: 'ordering', required: false, in: 'query', schema: { type: 'string' } },
  { name: 'page', required: false, in: 'query', schema: { type: 'integer' } },
  { name: 'page_size', required: false, in: 'query', schema: { type: 'integer' } },
  { name: 'search', required: false, in: 'query', schema: { type: 'string' } },
];

const ColorEnum = { enum: ['red', 'green', 'blue'], type: 'string', title: 'ColorEnum' };

/** A "widget" resource: slug lookup, every constraint kind, nullable enum via allOf, readOnly fields. */
export const Widget = {
  type: 'object',
  description: 'Widget Serializer',
  properties: {
    pk: { type: 'string', format: 'uuid', readOnly: true, title: 'Widget uuid' },
    name: { type: 'string', maxLength: 64 },
    slug: { type: 'string', maxLength: 50, pattern: '^[-a-zA-Z0-9_]+$' },
    sku: { type: 'string', minLength: 3, maxLength: 8, pattern: '^[A-Z]{3}-[0-9]{1,4}$' },
    color: { allOf: [ColorEnum], nullable: true },
    weight: { type: 'number', format: 'double', minimum: 0, maximum: 1000 },
    count: { type: 'integer', minimum: 1, maximum: 10, format: 'int64' },
    enabled: { type: 'boolean' },
    owner_email: { type: 'string', format: 'email', maxLength: 254 },
    homepage: { type: 'string', format: 'uri', nullable: true },
    released: { type: 'string', format: 'date-time', nullable: true },
    tags: { type: 'array', items: { type: 'string', maxLength: 20 } },
    attributes: { type: 'object', additionalProperties: {} },
    created: { type: 'string', format: 'date-time', readOnly: true },
    secret: { type: 'string', writeOnly: true },
  },
  required: ['created', 'name', 'pk', 'slug'],
  title: 'Widget',
};
export const WidgetRequest = {
  type: 'object',
  description: 'Widget Serializer',
  properties: Object.fromEntries(
    Object.entries(Widget.properties)
      .filter(([, s]) => !(s as { readOnly?: boolean }).readOnly)
      .map(([k, s]) => [k, k === 'name' || k === 'slug' ? { ...s, minLength: 1 } : s]),
  ),
  required: ['name', 'slug'],
  title: 'WidgetRequest',
};
const PatchedWidgetRequest = { ...WidgetRequest, required: [], title: 'PatchedWidgetRequest' };
const slugParam = [{ in: 'path', name: 'slug', schema: { type: 'string' }, required: true }];

/** An operation object as a docs page encodes it. */
export interface PageOperation {
  operationId: string;
  method: string;
  path: string;
  parameters?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }>; required?: boolean };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  [keyword: string]: unknown;
}

function op(
  method: string,
  path: string,
  body: Pick<PageOperation, 'operationId' | 'responses' | 'parameters' | 'requestBody'>,
): PageOperation {
  return {
    ...body,
    tags: ['widgets'],
    security,
    method,
    path,
    servers,
    securitySchemes,
    info: { title: 'authentik', version: '2024.8.2' },
  };
}
const json = (schema: unknown) => ({ content: { 'application/json': { schema } }, description: '' });

export const widgetOperations: PageOperation[] = [
  op('get', '/widgets/widgets/', {
    operationId: 'widgets_widgets_list',
    parameters: [
      ...pageParams,
      { in: 'query', name: 'enabled', schema: { type: 'boolean' } },
      { in: 'query', name: 'color', schema: { type: 'string', enum: ['red', 'green', 'blue'] } },
      { in: 'query', name: 'count', schema: { type: 'integer' } },
    ],
    responses: {
      '200': json({
        type: 'object',
        properties: { pagination: Pagination, results: { type: 'array', items: Widget } },
        required: ['pagination', 'results'],
        title: 'PaginatedWidgetList',
      }),
      ...errors,
    },
  }),
  op('post', '/widgets/widgets/', {
    operationId: 'widgets_widgets_create',
    requestBody: { content: { 'application/json': { schema: WidgetRequest } }, required: true },
    responses: { '201': json(Widget), ...errors },
  }),
  op('get', '/widgets/widgets/{slug}/', {
    operationId: 'widgets_widgets_retrieve',
    parameters: slugParam,
    responses: { '200': json(Widget), ...errors },
  }),
  op('put', '/widgets/widgets/{slug}/', {
    operationId: 'widgets_widgets_update',
    parameters: slugParam,
    requestBody: { content: { 'application/json': { schema: WidgetRequest } }, required: true },
    responses: { '200': json(Widget), ...errors },
  }),
  op('patch', '/widgets/widgets/{slug}/', {
    operationId: 'widgets_widgets_partial_update',
    parameters: slugParam,
    requestBody: { content: { 'application/json': { schema: PatchedWidgetRequest } } },
    responses: { '200': json(Widget), ...errors },
  }),
  op('delete', '/widgets/widgets/{slug}/', {
    operationId: 'widgets_widgets_destroy',
    parameters: slugParam,
    responses: { '204': { description: 'No response body' }, ...errors },
  }),
  op('post', '/widgets/widgets/{slug}/set_icon/', {
    operationId: 'widgets_widgets_set_icon_create',
    parameters: slugParam,
    requestBody: {
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: { file: { type: 'string', format: 'binary' }, clear: { type: 'boolean', default: false } },
            title: 'FileUploadRequest',
          },
        },
      },
    },
    responses: { '200': { description: 'Success' }, ...errors },
  }),
  op('get', '/widgets/widgets/{slug}/used_by/', {
    operationId: 'widgets_widgets_used_by_list',
    parameters: slugParam,
    responses: {
      '200': json({
        type: 'array',
        items: {
          type: 'object',
          properties: { app: { type: 'string' }, model_name: { type: 'string' }, pk: { type: 'string' }, name: { type: 'string' } },
          required: ['app', 'model_name', 'name', 'pk'],
          title: 'UsedBy',
        },
      }),
      ...errors,
    },
  }),
];
