import { inlineComponents } from '../../src/importer/components.js';
import type { JsonSchema } from '../../src/contract/types.js';
import { seedDocument } from './contracts.js';
import { GenericError, ValidationError } from './common-components.js';
import { pageParams, type PageOperation } from './synthetic-operations.js';

/**
 * Operations the real reference has but the five seeds do not, written as docs pages would encode them, from the
 * seeds' own components. Importing them must make their endpoints work with no new code.
 */
export function moreAuthentikOperations(): PageOperation[] {
  const { components } = seedDocument();
  const component = (name: string) => inlineComponents({ $ref: `#/components/schemas/${name}` }, components);
  const withoutReadOnly = (schema: JsonSchema, title: string, required: string[]) => {
    const props = Object.fromEntries(
      Object.entries(schema['properties'] as Record<string, JsonSchema>).filter(([, p]) => p['readOnly'] !== true),
    );
    return { type: 'object', properties: props, required, title };
  };
  const Token = component('Token');
  const User = component('User');
  const Group = component('Group');
  const Pagination = component('Pagination');
  const paginated = (item: JsonSchema, title: string) => ({
    type: 'object',
    properties: { pagination: Pagination, results: { type: 'array', items: item } },
    required: ['pagination', 'results'],
    title,
  });
  const page = pageParams;
  const errors = {
    '400': { content: { 'application/json': { schema: ValidationError } }, description: '' },
    '403': { content: { 'application/json': { schema: GenericError } }, description: '' },
  };
  const ok = (schema: unknown) => ({ '200': { content: { 'application/json': { schema } }, description: '' }, ...errors });
  const common = { tags: ['core'], security: [{ authentik: [] }], servers: [{ url: '/api/v3/' }] };
  const identifier = [{ in: 'path', name: 'identifier', schema: { type: 'string' }, required: true }];
  const userId = [
    { in: 'path', name: 'id', schema: { type: 'integer' }, description: 'A unique integer value identifying this User.', required: true },
  ];
  return [
    {
      ...common,
      operationId: 'core_tokens_list',
      method: 'get',
      path: '/core/tokens/',
      parameters: [
        ...page,
        { in: 'query', name: 'identifier', schema: { type: 'string' } },
        { in: 'query', name: 'intent', schema: { type: 'string', enum: ['api', 'app_password', 'recovery', 'verification'] } },
        { in: 'query', name: 'user__username', schema: { type: 'string' } },
      ],
      responses: ok(paginated(Token, 'PaginatedTokenList')),
    },
    {
      ...common,
      operationId: 'core_tokens_retrieve',
      method: 'get',
      path: '/core/tokens/{identifier}/',
      parameters: identifier,
      responses: ok(Token),
    },
    {
      ...common,
      operationId: 'core_tokens_destroy',
      method: 'delete',
      path: '/core/tokens/{identifier}/',
      parameters: identifier,
      responses: { '204': { description: 'No response body' }, ...errors },
    },
    {
      ...common,
      operationId: 'core_tokens_view_key_retrieve',
      method: 'get',
      path: '/core/tokens/{identifier}/view_key/',
      parameters: identifier,
      responses: ok({ type: 'object', properties: { key: { type: 'string', readOnly: true } }, required: ['key'], title: 'TokenView' }),
    },
    {
      ...common,
      operationId: 'core_users_list',
      method: 'get',
      path: '/core/users/',
      parameters: [
        ...page,
        { in: 'query', name: 'is_active', schema: { type: 'boolean' } },
        { in: 'query', name: 'username', schema: { type: 'string' } },
      ],
      responses: ok(paginated(User, 'PaginatedUserList')),
    },
    {
      ...common,
      operationId: 'core_users_partial_update',
      method: 'patch',
      path: '/core/users/{id}/',
      parameters: userId,
      requestBody: { content: { 'application/json': { schema: withoutReadOnly(User, 'PatchedUserRequest', []) } } },
      responses: ok(User),
    },
    {
      ...common,
      operationId: 'core_groups_list',
      method: 'get',
      path: '/core/groups/',
      parameters: [...page, { in: 'query', name: 'is_superuser', schema: { type: 'boolean' } }],
      responses: ok(paginated(Group, 'PaginatedGroupList')),
    },
  ];
}
