import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import type { ContractDocument, JsonSchema, OperationSpec, ParameterSpec } from '../src/contract/types.js';
import type { FetchLike } from '../src/harness/http-client.js';
import { COMMON_COMPONENTS } from './support/common-components.js';
import type { ContractFinding } from '../src/harness/findings.js';
import type { ContractReport, OperationResult } from '../src/harness/report.js';
import { runContract } from '../src/harness/run-contract.js';

/*
 * The harness's rules, each against a small synthetic contract and a hand-written server that behaves like
 * authentik, then the same server broken (or the harness's expectation shown to matter): every test can fail.
 */

const TOKEN = 'key-of-the-run';
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const errors = {
  '400': { description: '', content: json(ref('ValidationError')) },
  '403': { description: '', content: json(ref('GenericError')) },
};
const ok = (schema: JsonSchema, status = '200') => ({ [status]: { description: '', content: json(schema) }, ...errors });
const paginated = (item: string): JsonSchema => ({
  type: 'object',
  properties: { pagination: ref('Pagination'), results: { type: 'array', items: ref(item) } },
  required: ['pagination', 'results'],
});
const pathParam = (name: string, schema: JsonSchema = { type: 'string' }): ParameterSpec => ({ name, in: 'path', required: true, schema });
const query = (name: string, schema: JsonSchema, required = false): ParameterSpec => ({ name, in: 'query', required, schema });
const PAGE_PARAMS = [
  query('page', { type: 'integer' }),
  query('page_size', { type: 'integer' }),
  query('ordering', { type: 'string' }),
  query('search', { type: 'string' }),
];

function op(operationId: string, method: OperationSpec['method'], path: string, rest: Partial<OperationSpec>): OperationSpec {
  return {
    operationId,
    method,
    path,
    server: '/api/v3/',
    tags: ['test'],
    security: [{ authentik: [] }],
    parameters: [],
    responses: {},
    origin: 'openapi',
    source: 'test',
    ...rest,
  };
}

function contractOf(operations: OperationSpec[], components: Record<string, JsonSchema>): Contract {
  const document: ContractDocument = { operations, components: { ...COMMON_COMPONENTS, ...components } };
  return new Contract(document);
}

interface Request {
  method: string;
  url: URL;
  body: unknown;
  text: string | undefined;
  contentType: string | undefined;
  params: Record<string, string>;
}
type Reply = { status: number; body?: unknown };
type Handler = (request: Request) => Reply;

/** A server answering the contract's operations with handlers by operationId; authentication as authentik does it. */
function serverOf(contract: Contract, handlers: Record<string, Handler>): { fetch: FetchLike; log: Request[] } {
  const log: Request[] = [];
  const fetch: FetchLike = async (url, init) => {
    const headers = new Headers(init.headers);
    const text = typeof init.body === 'string' ? init.body : undefined;
    const contentType = headers.get('content-type') ?? undefined;
    const parsed = new URL(url);
    const match = contract.match(init.method ?? 'GET', parsed.pathname);
    const request: Request = {
      method: init.method ?? 'GET',
      url: parsed,
      text,
      contentType,
      body: text && contentType?.includes('json') ? JSON.parse(text) : text,
      params: match.kind === 'operation' ? match.pathParams : {},
    };
    log.push(request);
    let reply: Reply;
    if (headers.get('authorization') !== `Bearer ${TOKEN}`) reply = { status: 403, body: { detail: 'Token invalid/expired' } };
    else if (match.kind !== 'operation') reply = { status: 404, body: { detail: 'Not found.' } };
    else reply = handlers[match.operation.operationId]?.(request) ?? { status: 500, body: { detail: 'no handler' } };
    return new Response(reply.status === 204 || reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, log };
}

/** authentik's pagination over records (page_size default 100, 404 past the end). */
function page(records: Array<Record<string, unknown>>, url: URL): Reply {
  const size = Math.max(1, Number(url.searchParams.get('page_size')) || 100);
  const total = Math.max(1, Math.ceil(records.length / size));
  const current = Number(url.searchParams.get('page') ?? '1');
  if (!Number.isInteger(current) || current < 1 || current > total) return { status: 404, body: { detail: 'Invalid page.' } };
  const results = records.slice((current - 1) * size, current * size);
  const start = records.length === 0 ? 0 : (current - 1) * size + 1;
  return {
    status: 200,
    body: {
      pagination: {
        next: current < total ? current + 1 : 0,
        previous: current - 1,
        count: records.length,
        current,
        total_pages: total,
        start_index: start,
        end_index: records.length === 0 ? 0 : start + results.length - 1,
      },
      results,
    },
  };
}

const run = (contract: Contract, fetch: FetchLike, allowWrites = true) =>
  runContract({ contract, baseUrl: 'http://authentik.test', token: TOKEN, allowWrites, fetch });

function resultOf(report: ContractReport, operationId: string): OperationResult {
  const result = report.results.find((r) => r.operationId === operationId);
  if (!result) throw new Error(`${operationId} was not run`);
  return result;
}

function expectPass(report: ContractReport, operationId: string): void {
  const result = resultOf(report, operationId);
  expect([result.verdict, result.reason, result.findings], operationId).toEqual(['pass', undefined, []]);
}

/** The findings of an operation that must have failed. */
function findingsOf(report: ContractReport, operationId: string): ContractFinding[] {
  const result = resultOf(report, operationId);
  expect(result.verdict, `${operationId} should fail`).toBe('fail');
  return result.findings;
}

/** The operation failed with (at least) this finding. */
function expectFinding(report: ContractReport, operationId: string, finding: Partial<ContractFinding>): void {
  expect(findingsOf(report, operationId)).toContainEqual(expect.objectContaining({ operationId, ...finding }));
}

const UUIDS = ['7c9e6679-7425-40de-944b-e07fc1f90ae7', '16fd2706-8baf-433b-82eb-8c7fada847da', '886313e1-3b8a-4372-9b90-0c9aee199e5d'];

// ---------------------------------------------------------------------------------------------------------------

describe('responses documented without a body', () => {
  const contract = contractOf(
    [
      op('things_set_url_create', 'POST', '/things/{slug}/set_url/', {
        parameters: [pathParam('slug')],
        requestBody: { required: true, content: json(ref('FilePathRequest')) },
        responses: {
          '200': { description: '' },
          '400': { description: 'Bad request' },
          '403': { description: '', content: json(ref('GenericError')) },
        },
      }),
      op('things_list', 'GET', '/things/', { parameters: PAGE_PARAMS, responses: ok(paginated('Thing')) }),
      op('things_import_create', 'POST', '/things/import/', {
        requestBody: { required: false, content: json(ref('ImportRequest')) },
        responses: {
          '204': { description: '', content: json(ref('ImportResult')) },
          '400': { description: '', content: json(ref('ImportResult')) },
          '403': errors['403'],
        },
      }),
    ],
    {
      Thing: {
        type: 'object',
        properties: { pk: { type: 'integer', readOnly: true }, slug: { type: 'string' } },
        required: ['pk', 'slug'],
      },
      FilePathRequest: { type: 'object', properties: { url: { type: 'string', minLength: 1 } }, required: ['url'] },
      ImportRequest: { type: 'object', properties: { clear: { type: 'boolean' } } },
      ImportResult: {
        type: 'object',
        properties: { success: { type: 'boolean' }, logs: { type: 'array', items: { type: 'string' } } },
        required: ['success', 'logs'],
      },
    },
  );
  const things = [{ pk: 1, slug: 'one' }];
  /** authentik's set_file_url: a missing url is HttpResponseBadRequest (or a JSON detail), an empty one is accepted. */
  const handlers = (missingUrl: Reply): Record<string, Handler> => ({
    things_list: (r) => page(things, r.url),
    things_set_url_create: (r) => ((r.body as { url?: string }).url === undefined ? missingUrl : { status: 200, body: {} }),
    things_import_create: () => ({ status: 204 }),
  });

  it('accept any body (or none) on a status documented without content, and never read a 204 body', async () => {
    for (const missingUrl of [{ status: 400, body: { detail: 'url is required' } }, { status: 400 }]) {
      const report = await run(contract, serverOf(contract, handlers(missingUrl)).fetch);
      expectPass(report, 'things_set_url_create');
      expectPass(report, 'things_import_create');
    }
  });

  it('still expect the 400 for a missing required field, though not one naming it', async () => {
    const report = await run(contract, serverOf(contract, handlers({ status: 200, body: {} })).fetch);
    expectFinding(report, 'things_set_url_create', {
      kind: 'status',
      check: 'invalid request (body without required "url")',
      request: { method: 'POST', url: 'http://authentik.test/api/v3/things/one/set_url/' },
      expected: '400',
      received: 200,
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('write-only fields', () => {
  const Source = {
    type: 'object',
    properties: {
      pk: { type: 'integer', readOnly: true },
      slug: { type: 'string' },
      name: { type: 'string' },
      consumer_key: { type: 'string' },
    },
    required: ['pk', 'slug', 'name', 'consumer_key'],
  };
  const SourceRequest = {
    type: 'object',
    properties: {
      slug: { type: 'string', minLength: 1 },
      name: { type: 'string', minLength: 1 },
      consumer_key: { type: 'string' },
      consumer_secret: { type: 'string', writeOnly: true, minLength: 1 },
    },
    required: ['slug', 'name', 'consumer_secret'],
  };
  const contract = contractOf(
    [
      op('sources_list', 'GET', '/sources/', { parameters: PAGE_PARAMS, responses: ok(paginated('Source')) }),
      op('sources_create', 'POST', '/sources/', {
        requestBody: { required: true, content: json(ref('SourceRequest')) },
        responses: ok(ref('Source'), '201'),
      }),
      op('sources_retrieve', 'GET', '/sources/{slug}/', { parameters: [pathParam('slug')], responses: ok(ref('Source')) }),
      op('sources_update', 'PUT', '/sources/{slug}/', {
        parameters: [pathParam('slug')],
        requestBody: { required: true, content: json(ref('SourceRequest')) },
        responses: ok(ref('Source')),
      }),
      op('sources_destroy', 'DELETE', '/sources/{slug}/', {
        parameters: [pathParam('slug')],
        responses: { '204': { description: '' }, ...errors },
      }),
    ],
    { Source, SourceRequest },
  );

  /** A DRF serializer: required fields, minLength; the secret is stored but never shown. */
  function sourceServer() {
    const records = new Map<string, Record<string, unknown>>(
      ['alpha', 'beta'].map((slug, i) => [slug, { pk: i + 1, slug, name: slug, consumer_key: `key-${slug}` }]),
    );
    let next = 3;
    const validate = (body: Record<string, unknown>): Reply | undefined => {
      const problems: Record<string, string[]> = {};
      for (const field of ['slug', 'name', 'consumer_secret']) {
        if (body[field] === undefined) problems[field] = ['This field is required.'];
        else if (typeof body[field] !== 'string') problems[field] = ['Not a valid string.'];
        else if (body[field] === '') problems[field] = ['This field may not be blank.'];
      }
      return Object.keys(problems).length > 0 ? { status: 400, body: problems } : undefined;
    };
    const shown = ({ consumer_secret: _secret, ...rest }: Record<string, unknown>) => rest;
    const handlers: Record<string, Handler> = {
      sources_list: (r) => page([...records.values()], r.url),
      sources_retrieve: (r) =>
        records.has(r.params['slug']!)
          ? { status: 200, body: records.get(r.params['slug']!) }
          : { status: 404, body: { detail: 'Not found.' } },
      sources_create: (r) => {
        const body = r.body as Record<string, unknown>;
        const invalid = validate(body);
        if (invalid) return invalid;
        const record = { pk: next++, slug: body['slug'], name: body['name'], consumer_key: body['consumer_key'] ?? '' };
        records.set(String(body['slug']), record);
        return { status: 201, body: shown(record) };
      },
      sources_update: (r) => {
        const current = records.get(r.params['slug']!);
        if (!current) return { status: 404, body: { detail: 'Not found.' } };
        const body = r.body as Record<string, unknown>;
        const invalid = validate(body);
        if (invalid) return invalid;
        Object.assign(current, { name: body['name'], consumer_key: body['consumer_key'] ?? current['consumer_key'] });
        return { status: 200, body: current };
      },
      sources_destroy: (r) => (records.delete(r.params['slug']!) ? { status: 204 } : { status: 404, body: { detail: 'Not found.' } }),
    };
    return { handlers, records };
  }

  it('are generated when required: a PUT built from a read record, and a create built from a listed one', async () => {
    const { handlers } = sourceServer();
    const server = serverOf(contract, handlers);
    const report = await run(contract, server.fetch);
    for (const id of ['sources_create', 'sources_update', 'sources_destroy']) expectPass(report, id);
    const secretOf = (r: Request) => (r.body as Record<string, unknown> | undefined)?.['consumer_secret'];
    const valid = server.log.filter((r) => r.method === 'PUT' && typeof secretOf(r) === 'string' && secretOf(r) !== '');
    expect(valid.length).toBeGreaterThan(0);
  });

  it('are still required: a server that creates a record without the secret is caught', async () => {
    const { handlers, records } = sourceServer();
    const lenient: Handler = (r) => {
      const body = r.body as Record<string, unknown>;
      if (
        body['consumer_secret'] !== undefined ||
        typeof body['slug'] !== 'string' ||
        typeof body['name'] !== 'string' ||
        body['slug'] === '' ||
        body['name'] === ''
      )
        return handlers['sources_create']!(r);
      const record = { pk: 99, slug: body['slug'], name: body['name'], consumer_key: '' };
      records.set(body['slug'], record);
      return { status: 201, body: record };
    };
    const report = await run(contract, serverOf(contract, { ...handlers, sources_create: lenient }).fetch);
    expectFinding(report, 'sources_create', {
      kind: 'status',
      check: 'invalid request (body without required "consumer_secret")',
      request: { method: 'POST', url: 'http://authentik.test/api/v3/sources/' },
      expected: '400',
      received: 201,
    });
  });
});

describe('refused writes', () => {
  const Tag = {
    type: 'object',
    properties: { pk: { type: 'integer', readOnly: true }, slug: { type: 'string' }, name: { type: 'string' } },
    required: ['pk', 'slug', 'name'],
  };
  const TagRequest = {
    type: 'object',
    properties: { slug: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1, maxLength: 20 } },
    required: ['slug', 'name'],
  };
  const slug = [pathParam('slug')];
  const contract = contractOf(
    [
      op('tags_list', 'GET', '/tags/', { parameters: PAGE_PARAMS, responses: ok(paginated('Tag')) }),
      op('tags_retrieve', 'GET', '/tags/{slug}/', { parameters: slug, responses: ok(ref('Tag')) }),
      op('tags_update', 'PUT', '/tags/{slug}/', {
        parameters: slug,
        requestBody: { required: true, content: json(ref('TagRequest')) },
        responses: ok(ref('Tag')),
      }),
    ],
    { Tag, TagRequest },
  );

  /** A DRF serializer; `leak` is the refused body that changes the record anyway (a bug to catch). */
  function tagServer(leak?: (body: Record<string, unknown>) => boolean) {
    const tags = new Map(['a', 'b'].map((s, i) => [s, { pk: i + 1, slug: s, name: `tag ${s}` }]));
    return serverOf(contract, {
      tags_list: (r) => page([...tags.values()], r.url),
      tags_retrieve: (r) => ({ status: 200, body: tags.get(r.params['slug']!) }),
      tags_update: (r) => {
        const body = r.body as Record<string, unknown>;
        const tag = tags.get(r.params['slug']!)!;
        const problems: Record<string, string[]> = {};
        for (const field of ['slug', 'name']) {
          const value = body[field];
          if (value === undefined) problems[field] = ['This field is required.'];
          else if (value === '') problems[field] = ['This field may not be blank.'];
          else if (typeof value === 'string' && value.length > 20) problems[field] = ['Ensure this field has no more than 20 characters.'];
        }
        if (Object.keys(problems).length === 0) return { status: 200, body: Object.assign(tag, { name: body['name'] }) };
        if (leak?.(body)) tag.name = 'changed by a refused write';
        return { status: 400, body: problems };
      },
    });
  }

  it('are each read around once: the reading after one is the reading before the next', async () => {
    const server = tagServer();
    const report = await run(contract, server.fetch);
    expectPass(report, 'tags_update');
    const puts = server.log.filter((r) => r.method === 'PUT' && r.text !== undefined);
    expect(puts.length).toBe(5); // the valid one, then 4 refused: slug and name missing, slug blank, name too long
    const afterValid = server.log.slice(server.log.indexOf(puts[0]!) + 1);
    // GET, PUT, GET, PUT, … GET: one read between two refused writes, none repeated.
    expect(afterValid.map((r) => r.method)).toEqual(['GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT', 'GET']);
    expect(new Set(afterValid.filter((r) => r.method === 'GET').map((r) => r.url.pathname))).toEqual(new Set(['/api/v3/tags/b/']));
  });

  it('that change the record are each caught, named by the write that changed it', async () => {
    // The first refused write changes it: only that one is named, not the writes after it (read before as changed).
    const report = await run(contract, tagServer((body) => body['slug'] === undefined).fetch);
    const changed = findingsOf(report, 'tags_update').filter((f) => f.kind === 'state-changed');
    expect(changed).toEqual([
      expect.objectContaining({
        check: 'invalid request (body without required "slug")',
        pointer: '/name',
        expected: '"tag b", as before the refused write',
        received: 'changed by a refused write',
      }),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('writes on a path without a GET', () => {
  const contract = contractOf(
    [
      op('perms_assigned_list', 'GET', '/perms/assigned/', {
        parameters: [...PAGE_PARAMS, query('model', { type: 'string', enum: ['app.thing', 'app.other'] }, true)],
        responses: ok(paginated('Assigned')),
      }),
      op('perms_assigned_unassign_partial_update', 'PATCH', '/perms/assigned/{id}/unassign/', {
        parameters: [pathParam('id', { type: 'integer' })],
        requestBody: { required: false, content: json(ref('PatchedAssignRequest')) },
        responses: { '204': { description: '' }, ...errors },
      }),
    ],
    {
      Assigned: {
        type: 'object',
        properties: {
          pk: { type: 'integer', readOnly: true },
          username: { type: 'string' },
          permissions: { type: 'array', items: { type: 'object', properties: { codename: { type: 'string' } } } },
        },
        required: ['pk', 'username', 'permissions'],
      },
      PatchedAssignRequest: {
        type: 'object',
        properties: {
          permissions: { type: 'array', items: { type: 'string', minLength: 1 } },
          model: { type: 'string', enum: ['app.thing', 'app.other'] },
        },
      },
    },
  );

  function permsServer(rejectedWriteChanges: boolean) {
    const records = [1, 2, 3].map((pk) => ({ pk, username: `user${pk}`, permissions: [{ codename: 'view_thing' }] }));
    const handlers: Record<string, Handler> = {
      perms_assigned_list: (r) => {
        const model = r.url.searchParams.get('model');
        if (!model) return { status: 400, body: { model: ['This field is required.'] } };
        return ['app.thing', 'app.other'].includes(model)
          ? page(records, r.url)
          : { status: 400, body: { model: [`Select a valid choice. ${model} is not one of the available choices.`] } };
      },
      perms_assigned_unassign_partial_update: (r) => {
        const record = records.find((x) => String(x.pk) === r.params['id']);
        if (!record) return { status: 404, body: { detail: 'Not found.' } };
        const body = r.body as Record<string, unknown>;
        const model = body['model'];
        if (model !== undefined && !['app.thing', 'app.other'].includes(String(model))) {
          if (rejectedWriteChanges) record.permissions = [];
          return { status: 400, body: { model: [`"${String(model)}" is not a valid choice.`] } };
        }
        const permissions = body['permissions'];
        if (permissions !== undefined && (!Array.isArray(permissions) || permissions.some((p) => typeof p !== 'string' || p === '')))
          return { status: 400, body: { permissions: { 0: ['This field may not be blank.'] } } };
        return { status: 204 };
      },
    };
    return handlers;
  }

  it('are checked through the list the record was found in, with the required query it needs', async () => {
    const server = serverOf(contract, permsServer(false));
    const report = await run(contract, server.fetch);
    expectPass(report, 'perms_assigned_unassign_partial_update');
    expectPass(report, 'perms_assigned_list');
    const written = server.log.filter((r) => r.method === 'PATCH').map((r) => r.params['id']);
    expect(written.length).toBeGreaterThan(0);
    expect(new Set(written)).toEqual(new Set(['3'])); // the last listed record, never an id it did not read
  });

  it('catch a rejected write that changed the record, by reading the list before and after', async () => {
    const report = await run(contract, serverOf(contract, permsServer(true)).fetch);
    // The record read back from the list before and after: its one permission is gone.
    expectFinding(report, 'perms_assigned_unassign_partial_update', {
      kind: 'state-changed',
      check: 'invalid request ("model" breaking enum)',
      request: { method: 'PATCH', url: 'http://authentik.test/api/v3/perms/assigned/3/unassign/' },
      status: 400,
      pointer: '/permissions/0',
      received: undefined,
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('the token the run authenticates with', () => {
  const Token = {
    type: 'object',
    properties: {
      pk: { type: 'integer', readOnly: true },
      identifier: { type: 'string', maxLength: 255 },
      description: { type: 'string' },
    },
    required: ['pk', 'identifier'],
  };
  const TokenRequest = {
    type: 'object',
    properties: { identifier: { type: 'string', minLength: 1, maxLength: 255 }, description: { type: 'string' } },
    required: ['identifier'],
  };
  const identifier = [pathParam('identifier')];
  const contract = contractOf(
    [
      op('tokens_list', 'GET', '/tokens/', { parameters: PAGE_PARAMS, responses: ok(paginated('Token')) }),
      op('tokens_retrieve', 'GET', '/tokens/{identifier}/', { parameters: identifier, responses: ok(ref('Token')) }),
      op('tokens_update', 'PUT', '/tokens/{identifier}/', {
        parameters: identifier,
        requestBody: { required: true, content: json(ref('TokenRequest')) },
        responses: ok(ref('Token')),
      }),
      op('tokens_set_key_create', 'POST', '/tokens/{identifier}/set_key/', {
        parameters: identifier,
        requestBody: { required: true, content: json(ref('TokenSetKeyRequest')) },
        responses: { '204': { description: '' }, ...errors },
      }),
      op('tokens_view_key_retrieve', 'GET', '/tokens/{identifier}/view_key/', { parameters: identifier, responses: ok(ref('TokenView')) }),
    ],
    {
      Token,
      TokenRequest,
      TokenSetKeyRequest: { type: 'object', properties: { key: { type: 'string', minLength: 1 } }, required: ['key'] },
      TokenView: { type: 'object', properties: { key: { type: 'string', readOnly: true } }, required: ['key'] },
    },
  );

  /** Tokens ordered by identifier, as authentik orders them: the run's own token sorts last. */
  function tokenServer(identifiers: string[], inUse: string) {
    const records = identifiers.map((id, i) => ({ pk: i + 1, identifier: id, description: '' }));
    const keys = new Map(identifiers.map((id) => [id, id === inUse ? TOKEN : `key-of-${id}`]));
    const find = (r: Request) => records.find((t) => t.identifier === r.params['identifier']);
    const handlers: Record<string, Handler> = {
      tokens_list: (r) => page(records, r.url),
      tokens_retrieve: (r) => (find(r) ? { status: 200, body: find(r) } : { status: 404, body: { detail: 'Not found.' } }),
      tokens_view_key_retrieve: (r) =>
        find(r) ? { status: 200, body: { key: keys.get(find(r)!.identifier) } } : { status: 404, body: { detail: 'Not found.' } },
      tokens_update: (r) => {
        const token = find(r);
        const body = r.body as Record<string, unknown>;
        if (!token) return { status: 404, body: { detail: 'Not found.' } };
        if (typeof body['identifier'] !== 'string' || body['identifier'] === '')
          return { status: 400, body: { identifier: ['This field is required.'] } };
        if (body['identifier'].length > 255)
          return { status: 400, body: { identifier: ['Ensure this field has no more than 255 characters.'] } };
        Object.assign(token, { identifier: body['identifier'], description: body['description'] ?? token.description });
        return { status: 200, body: token };
      },
      tokens_set_key_create: (r) => {
        const key = (r.body as Record<string, unknown>)['key'];
        if (typeof key !== 'string' || key === '') return { status: 400, body: { key: ['This field is required.'] } };
        keys.set(r.params['identifier']!, key);
        return { status: 204 };
      },
    };
    return { handlers, keys };
  }

  const writesTo = (log: Request[], identifier: string) => log.filter((r) => r.method !== 'GET' && r.params['identifier'] === identifier);

  it('is never written to, even when it is the last record of the list', async () => {
    const { handlers, keys } = tokenServer(['alpha', 'beta', 'zulu-mine'], 'zulu-mine');
    const server = serverOf(contract, handlers);
    const report = await run(contract, server.fetch);
    expectPass(report, 'tokens_update');
    expectPass(report, 'tokens_set_key_create');
    expect(writesTo(server.log, 'zulu-mine')).toEqual([]);
    expect(writesTo(server.log, 'beta').length).toBeGreaterThan(0);
    expect(keys.get('zulu-mine')).toBe(TOKEN);
  });

  it('leaves writes skipped, with the reason, when every record is the token in use', async () => {
    const { handlers } = tokenServer(['zulu-mine'], 'zulu-mine');
    const server = serverOf(contract, handlers);
    const report = await run(contract, server.fetch);
    expect(resultOf(report, 'tokens_update').reason).toMatch(/every record of \/tokens\/ is the credential this run authenticates with/);
    expect(writesTo(server.log, 'zulu-mine')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('list filters, as django-filter answers them', () => {
  const Item = {
    type: 'object',
    properties: {
      pk: { type: 'string', format: 'uuid', readOnly: true, title: 'Item uuid' },
      name: { type: 'string' },
      status: { type: 'string', enum: ['ok', 'failed'] },
      is_active: { type: 'boolean' },
      group: { type: 'string', format: 'uuid' },
      group_obj: { type: 'object', properties: { pk: { type: 'string', format: 'uuid' }, name: { type: 'string' } }, readOnly: true },
      provider: { type: 'integer' },
      created: { type: 'string', format: 'date-time', readOnly: true },
    },
    required: ['pk', 'name', 'status', 'is_active', 'group', 'group_obj', 'provider', 'created'],
  };
  const filters = [
    query('name', { type: 'string' }),
    query('status', { type: 'string', enum: ['ok', 'failed'] }),
    query('is_active', { type: 'boolean' }),
    query('group__isnull', { type: 'boolean' }),
    query('group', { type: 'string', format: 'uuid' }),
    query('provider__id', { type: 'integer' }),
    query('item_uuid', { type: 'string', format: 'uuid' }),
    query('created', { type: 'string', format: 'date-time' }),
    query('for_user', { type: 'integer' }),
  ];
  const contract = contractOf(
    [
      op('items_list', 'GET', '/items/', { parameters: [...PAGE_PARAMS, ...filters], responses: ok(paginated('Item')) }),
      op('items_retrieve', 'GET', '/items/{item_uuid}/', {
        parameters: [pathParam('item_uuid', { type: 'string', format: 'uuid' })],
        responses: ok(ref('Item')),
      }),
      op('items_top_list', 'GET', '/items/top/', {
        parameters: [query('top_n', { type: 'integer' })],
        responses: ok({ type: 'array', items: ref('Item') }),
      }),
    ],
    { Item },
  );
  const groups = UUIDS.slice(0, 2);
  const records = UUIDS.map((pk, i) => ({
    pk,
    name: ['Alpha', 'Beta', 'Gamma'][i],
    status: i === 1 ? 'failed' : 'ok',
    is_active: i !== 2,
    group: groups[i % 2],
    group_obj: { pk: groups[i % 2], name: `group ${i % 2}` },
    provider: i + 1,
    created: '2024-09-01T00:00:00Z',
  }));

  type Filter = (value: string, record: (typeof records)[number]) => boolean | { error: string };
  /** django-filter's behaviour for each filter, as authentik's FilterSet would build them. */
  const correct: Record<string, Filter> = {
    name: (v, r) => r.name === v,
    status: (v, r) =>
      ['ok', 'failed'].includes(v) ? r.status === v : { error: `Select a valid choice. ${v} is not one of the available choices.` },
    is_active: (v, r) => (v === 'true' ? r.is_active : v === 'false' ? !r.is_active : true),
    group__isnull: () => true,
    group: (v, r) =>
      groups.includes(v) ? r.group === v : { error: 'Select a valid choice. That choice is not one of the available choices.' },
    provider__id: (v, r) => (/^\d+$/.test(v) ? r.provider === Number(v) : { error: 'Enter a number.' }),
    item_uuid: (v, r) => (/^[0-9a-f-]{36}$/.test(v) ? r.pk === v : { error: 'Enter a valid UUID.' }),
    created: (v, r) => (Number.isNaN(Date.parse(v)) ? { error: 'Enter a valid date/time.' } : r.created === v),
  };

  function itemsServer(overrides: Partial<Record<string, Filter>> = {}) {
    const behaviour = { ...correct, ...overrides };
    const handlers: Record<string, Handler> = {
      items_list: (r) => {
        let selected = records;
        const problems: Record<string, string[]> = {};
        for (const [name, filter] of Object.entries(behaviour)) {
          const value = r.url.searchParams.get(name);
          if (value === null || value === '' || !filter) continue;
          const outcome = records.map((record) => filter(value, record));
          const error = outcome.find((o): o is { error: string } => typeof o === 'object');
          if (error) problems[name] = [error.error];
          else selected = selected.filter((record) => filter(value, record) === true);
        }
        if (r.url.searchParams.has('for_user') && !/^\d+$/.test(r.url.searchParams.get('for_user')!))
          return { status: 500, body: { detail: 'int() failed' } };
        return Object.keys(problems).length > 0 ? { status: 400, body: problems } : page(selected, r.url);
      },
      items_retrieve: (r) => {
        const record = records.find((x) => x.pk === r.params['item_uuid']);
        return record ? { status: 200, body: record } : { status: 404, body: { detail: 'Not found.' } };
      },
      // authentik's top_per_user: int(request.query_params["top_n"]), a 500 for anything else
      items_top_list: (r) =>
        /^\d*$/.test(r.url.searchParams.get('top_n') ?? '')
          ? { status: 200, body: records }
          : { status: 500, body: { detail: 'Server error' } },
    };
    return serverOf(contract, handlers);
  }

  it('expect what django-filter answers, and nothing of booleans or of parameters a view reads itself', async () => {
    const server = itemsServer();
    const report = await run(contract, server.fetch, false);
    expectPass(report, 'items_list');
    expectPass(report, 'items_top_list');
    const sent = server.log.flatMap((r) => [...r.url.searchParams.entries()]);
    for (const name of ['is_active', 'group__isnull'])
      expect(
        sent.filter(([k, v]) => k === name && v !== 'true' && v !== 'false'),
        name,
      ).toEqual([]);
    expect(sent.filter(([k]) => k === 'for_user' || k === 'top_n')).toEqual([]);
    // every typed filter got a bad value, and the relation an unknown pk too
    for (const name of ['status', 'group', 'provider__id', 'item_uuid', 'created'])
      expect(
        sent.some(([k, v]) => k === name && !records.some((r) => Object.values(r).map(String).includes(v))),
        name,
      ).toBe(true);
    expect(sent.some(([k, v]) => k === 'group' && v === 'ffffffff-ffff-4fff-bfff-ffffffffffff')).toBe(true);
  });

  it('a relation filter answering a UUID message instead of "Select a valid choice"', async () => {
    const report = await run(
      contract,
      itemsServer({ group: (v, r) => (/^[0-9a-f-]{36}$/.test(v) ? r.group === v : { error: 'Enter a valid UUID.' }) }).fetch,
      false,
    );
    expectFinding(report, 'items_list', {
      kind: 'message',
      check: 'invalid request (query "group" breaking type)',
      request: { method: 'GET', url: 'http://authentik.test/api/v3/items/?group=not-a-uuid' },
      status: 400,
      pointer: '/group',
      expected: '"Select a valid choice. That choice is not one of the available choices."',
      received: ['Enter a valid UUID.'],
    });
  });

  it('a relation filter that accepts a pk of no record', async () => {
    const report = await run(
      contract,
      itemsServer({
        group: (v, r) =>
          /^[0-9a-f-]{36}$/.test(v) ? r.group === v : { error: 'Select a valid choice. That choice is not one of the available choices.' },
      }).fetch,
      false,
    );
    expectFinding(report, 'items_list', {
      kind: 'status',
      check: 'invalid request (query "group" naming no record)',
      request: { method: 'GET', url: 'http://authentik.test/api/v3/items/?group=ffffffff-ffff-4fff-bfff-ffffffffffff' },
      expected: '400',
      received: 200,
    });
  });

  it('a lookup through a relation answered as a relation rather than as the number it is', async () => {
    const report = await run(
      contract,
      itemsServer({
        provider__id: (v, r) =>
          /^\d+$/.test(v) ? r.provider === Number(v) : { error: 'Select a valid choice. That choice is not one of the available choices.' },
      }).fetch,
      false,
    );
    expectFinding(report, 'items_list', {
      kind: 'message',
      check: 'invalid request (query "provider__id" breaking type)',
      pointer: '/provider__id',
      expected: '"Enter a number."',
      received: ['Select a valid choice. That choice is not one of the available choices.'],
    });
  });

  it('a filter that is ignored: a bad value is not refused, a good one does not filter', async () => {
    const report = await run(contract, itemsServer({ status: () => true }).fetch, false);
    expectFinding(report, 'items_list', {
      kind: 'status',
      check: 'invalid request (query "status" breaking enum)',
      expected: '400',
      received: 200,
    });
    expectFinding(report, 'items_list', {
      kind: 'filter',
      check: 'filter "status=ok" (from the first record)',
      request: { method: 'GET', url: 'http://authentik.test/api/v3/items/?status=ok&page_size=100' },
      pointer: expect.stringMatching(/^\/results\/\d+\/status$/) as string,
      expected: '"status" "ok"',
      received: 'failed',
      note: '1 of 3 records do not match: the filter does not filter',
    });
  });

  it('a date-time filter that does not name itself in the 400', async () => {
    const server = itemsServer();
    const broken: FetchLike = async (url, init) => {
      const response = await server.fetch(url, init);
      if (response.status !== 400 || !new URL(url).searchParams.has('created')) return response;
      return new Response(JSON.stringify({ non_field_errors: ['Enter a valid date/time.'] }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      });
    };
    const report = await run(contract, broken, false);
    expectFinding(report, 'items_list', {
      kind: 'field-not-named',
      check: 'invalid request (query "created" breaking format)',
      status: 400,
      pointer: '/created',
      received: undefined,
      excerpt: '{"non_field_errors":["Enter a valid date/time."]}',
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('keys found by a request rather than skipped', () => {
  const contract = contractOf(
    [
      op('flows_instances_list', 'GET', '/flows/instances/', { parameters: PAGE_PARAMS, responses: ok(paginated('Flow')) }),
      op('flows_bindings_list', 'GET', '/flows/bindings/', { parameters: PAGE_PARAMS, responses: ok(paginated('FlowStageBinding')) }),
      op('flows_executor_get', 'GET', '/flows/executor/{flow_slug}/', {
        parameters: [pathParam('flow_slug'), query('query', { type: 'string' }, true)],
        responses: ok(ref('Challenge')),
      }),
      op('roles_assigned_list', 'GET', '/rbac/assigned_by_roles/', { parameters: PAGE_PARAMS, responses: ok(paginated('RoleAssigned')) }),
      op('roles_assigned_used_by_list', 'GET', '/rbac/assigned_by_roles/{uuid}/used_by/', {
        parameters: [pathParam('uuid', { type: 'string', format: 'uuid' })],
        responses: ok({ type: 'array', items: ref('Challenge') }),
      }),
    ],
    {
      Flow: {
        type: 'object',
        properties: { pk: { type: 'string', format: 'uuid', readOnly: true }, slug: { type: 'string' }, name: { type: 'string' } },
        required: ['pk', 'slug', 'name'],
      },
      FlowStageBinding: {
        type: 'object',
        properties: { pk: { type: 'string', format: 'uuid', readOnly: true }, order: { type: 'integer' } },
        required: ['pk', 'order'],
      },
      RoleAssigned: {
        type: 'object',
        properties: { role_pk: { type: 'string', readOnly: true }, name: { type: 'string', readOnly: true } },
        required: ['role_pk', 'name'],
      },
      Challenge: {
        oneOf: [ref('DeniedChallenge'), ref('IdentifyChallenge')],
        discriminator: {
          propertyName: 'component',
          mapping: {
            'ak-stage-denied': '#/components/schemas/DeniedChallenge',
            'ak-stage-identify': '#/components/schemas/IdentifyChallenge',
          },
        },
      },
      DeniedChallenge: {
        type: 'object',
        properties: { component: { type: 'string', default: 'ak-stage-denied' }, error_message: { type: 'string' } },
      },
      IdentifyChallenge: {
        type: 'object',
        properties: {
          component: { type: 'string', default: 'ak-stage-identify' },
          user_fields: { type: 'array', items: { type: 'string' } },
        },
        required: ['user_fields'],
      },
    },
  );
  const flows = [{ pk: UUIDS[0], slug: 'default-authentication', name: 'Welcome' }];
  const roles = [{ role_pk: UUIDS[1], name: 'Admins' }];

  function flowServer(component = 'ak-stage-identify') {
    return serverOf(contract, {
      flows_instances_list: (r) => page(flows, r.url),
      flows_bindings_list: (r) => page([{ pk: UUIDS[2], order: 0 }], r.url),
      flows_executor_get: (r) => {
        if (!flows.some((f) => f.slug === r.params['flow_slug'])) return { status: 404, body: { detail: 'Not found.' } };
        if (!r.url.searchParams.get('query')) return { status: 400, body: { query: ['This field is required.'] } };
        return { status: 200, body: { component, user_fields: ['username'] } };
      },
      roles_assigned_list: (r) => page(roles, r.url),
      roles_assigned_used_by_list: (r) =>
        roles.some((x) => x.role_pk === r.params['uuid']) ? { status: 200, body: [] } : { status: 404, body: { detail: 'Not found.' } },
    });
  }

  it("a {flow_slug} from the flows list, a {uuid} from the records' role_pk, the required query sent along", async () => {
    const report = await run(contract, flowServer().fetch, false);
    expectPass(report, 'flows_executor_get');
    expectPass(report, 'roles_assigned_used_by_list');
  });

  it('a discriminated answer is checked against the branch its discriminator names', async () => {
    const report = await run(contract, flowServer('ak-stage-unknown').fetch, false);
    expectFinding(report, 'flows_executor_get', {
      kind: 'schema',
      check: 'valid request',
      status: 200,
      pointer: '/component',
      expected: 'one of ["ak-stage-denied","ak-stage-identify"]',
      received: 'ak-stage-unknown',
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('multipart request bodies', () => {
  const contract = contractOf(
    [
      op('providers_import_create', 'POST', '/providers/import/', {
        requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('ImportRequest') } } },
        responses: { '204': { description: '' }, ...errors },
      }),
    ],
    {
      ImportRequest: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1 }, file: { type: 'string', format: 'binary' } },
        required: ['name', 'file'],
      },
    },
  );

  it('are sent as forms with their file parts, and a missing file is expected to be refused', async () => {
    const server = serverOf(contract, {
      providers_import_create: (r) => {
        if (!r.contentType?.startsWith('multipart/form-data; boundary='))
          return { status: 415, body: { detail: `Unsupported media type "${r.contentType}" in request.` } };
        const problems: Record<string, string[]> = {};
        if (!/name="name"\r\n\r\n[^\r]+\r\n/.test(r.text ?? '')) problems['name'] = ['This field is required.'];
        if (!/name="file"; filename="[^"]+"/.test(r.text ?? '')) problems['file'] = ['No file was submitted.'];
        return Object.keys(problems).length > 0 ? { status: 400, body: problems } : { status: 204 };
      },
    });
    const report = await run(contract, server.fetch);
    expectPass(report, 'providers_import_create');
    const broken = serverOf(contract, { providers_import_create: () => ({ status: 204 }) });
    expectFinding(await run(contract, broken.fetch), 'providers_import_create', {
      kind: 'status',
      check: 'invalid request (body without required "file")',
      expected: '400',
      received: 204,
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('an empty collection', () => {
  const Widget = {
    type: 'object',
    properties: { pk: { type: 'integer', readOnly: true }, slug: { type: 'string' }, name: { type: 'string' } },
    required: ['pk', 'slug', 'name'],
  };
  const WidgetRequest = {
    type: 'object',
    properties: { slug: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
    required: ['slug', 'name'],
  };
  const slug = [pathParam('slug')];
  const operations = [
    op('widgets_list', 'GET', '/widgets/', { parameters: PAGE_PARAMS, responses: ok(paginated('Widget')) }),
    op('widgets_create', 'POST', '/widgets/', {
      requestBody: { required: true, content: json(ref('WidgetRequest')) },
      responses: ok(ref('Widget'), '201'),
    }),
    op('widgets_retrieve', 'GET', '/widgets/{slug}/', { parameters: slug, responses: ok(ref('Widget')) }),
    op('widgets_destroy', 'DELETE', '/widgets/{slug}/', { parameters: slug, responses: { '204': { description: '' }, ...errors } }),
  ];

  function widgetServer(contract: Contract) {
    const records = new Map<string, Record<string, unknown>>();
    let next = 1;
    const server = serverOf(contract, {
      widgets_list: (r) => page([...records.values()], r.url),
      widgets_retrieve: (r) =>
        records.has(r.params['slug']!)
          ? { status: 200, body: records.get(r.params['slug']!) }
          : { status: 404, body: { detail: 'Not found.' } },
      widgets_create: (r) => {
        const body = r.body as Record<string, unknown>;
        const problems = Object.fromEntries(
          ['slug', 'name'].filter((f) => typeof body[f] !== 'string' || body[f] === '').map((f) => [f, ['This field is required.']]),
        );
        if (Object.keys(problems).length > 0) return { status: 400, body: problems };
        const record = { pk: next++, slug: body['slug'], name: body['name'] };
        records.set(String(body['slug']), record);
        return { status: 201, body: record };
      },
      widgets_destroy: (r) => (records.delete(r.params['slug']!) ? { status: 204 } : { status: 404, body: { detail: 'Not found.' } }),
    });
    return { ...server, records };
  }

  it('gets a record created for the check and deleted after it, with --allow-writes', async () => {
    const contract = contractOf(operations, { Widget, WidgetRequest });
    const server = widgetServer(contract);
    const report = await run(contract, server.fetch);
    expectPass(report, 'widgets_retrieve');
    expect(
      server.log.some((r) => r.method === 'GET' && r.params['slug'] !== undefined && r.url.pathname.endsWith(`/${r.params['slug']}/`)),
    ).toBe(true);
    expect(server.records.size).toBe(0);
  });

  it('is skipped with its reason without --allow-writes, or when what would be created could not be deleted', async () => {
    const contract = contractOf(operations, { Widget, WidgetRequest });
    const readOnly = widgetServer(contract);
    expect(resultOf(await run(contract, readOnly.fetch, false), 'widgets_retrieve').reason).toMatch(
      /no key for \{slug\}: the list at \/widgets\/ has no records/,
    );
    const undeletable = contractOf(
      operations.filter((o) => o.method !== 'DELETE'),
      { Widget, WidgetRequest },
    );
    const server = widgetServer(undeletable);
    expect(resultOf(await run(undeletable, server.fetch), 'widgets_retrieve').reason).toMatch(/the list at \/widgets\/ has no records/);
  });
});
