// Issue 17 item 6: the rules the newest client's document needed, each on small synthesised operations (no
// authentik version has them), so each is tested apart from that one document.
import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import type { ContractDocument, JsonSchema, OperationSpec, ParameterSpec } from '../src/contract/types.js';
import { MockServer } from '../src/mock-server.js';
import { FILTER_MESSAGES } from '../src/contract/authentik-messages.js';
import { runContract } from '../src/harness/run-contract.js';
import { resultLine } from '../src/harness/report.js';
import { invalidRequests, uniqueVariant } from '../src/harness/request-builder.js';
import { stableUuid } from '../src/contract/stable-uuid.js';
import { COMMON_COMPONENTS } from './support/common-components.js';
import { coreRequester, fetchOf } from './support/requester.js';

const TOKEN = 'any-version-token';
const API = '/api/v3';
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const errors = {
  '400': { description: '', content: json(ref('ValidationError')) },
  '403': { description: '', content: json(ref('GenericError')) },
};
const answers = (schema: JsonSchema, status: string) => ({ [status]: { description: '', content: json(schema) }, ...errors });
const query = (name: string, schema: JsonSchema): ParameterSpec => ({ name, in: 'query', required: false, schema });
const PAGE_PARAMS = ['page', 'page_size'].map((name) => query(name, { type: 'integer' }));
const uuid: JsonSchema = { type: 'string', format: 'uuid' };

function op(operationId: string, method: OperationSpec['method'], path: string, rest: Partial<OperationSpec>): OperationSpec {
  return {
    operationId,
    method,
    path,
    server: '/api/v3/',
    tags: ['lab'],
    security: [{ authentik: [] }],
    parameters: [],
    responses: {},
    origin: 'openapi',
    source: 'test',
    ...rest,
  };
}

/**
 * A resource's list, create, retrieve and destroy: `created` is what the create documents (status and component),
 * `filters` the list's query parameters.
 */
function resource(
  name: string,
  key: { param: string; schema: JsonSchema },
  record: string,
  created: { schema: JsonSchema; status: string },
  filters: ParameterSpec[] = [],
): OperationSpec[] {
  const path = `/lab/${name}/`;
  const id = `lab_${name.replace(/-/g, '_')}`;
  const item = `${path}{${key.param}}/`;
  const itemParams: ParameterSpec[] = [{ name: key.param, in: 'path', required: true, schema: key.schema }];
  const page = { type: 'object', properties: { pagination: ref('Pagination'), results: { type: 'array', items: ref(record) } } };
  return [
    op(`${id}_list`, 'GET', path, {
      parameters: [...PAGE_PARAMS, ...filters],
      responses: answers({ ...page, required: ['pagination', 'results'] }, '200'),
    }),
    op(`${id}_create`, 'POST', path, {
      requestBody: { required: true, content: json(ref(`${record}Request`)) },
      responses: answers(created.schema, created.status),
    }),
    op(`${id}_retrieve`, 'GET', item, { parameters: itemParams, responses: answers(ref(record), '200') }),
    op(`${id}_destroy`, 'DELETE', item, { parameters: itemParams, responses: { '204': { description: '' }, ...errors } }),
  ];
}

/** The record schema and its request schema (the writable fields; `required` of the request). */
function component(
  properties: Record<string, JsonSchema>,
  required: string[],
  requestRequired: string[],
): { record: JsonSchema; request: JsonSchema } {
  const writable = Object.fromEntries(Object.entries(properties).filter(([, s]) => s.readOnly !== true));
  return {
    record: { type: 'object', properties, required },
    request: { type: 'object', properties: writable, required: requestRequired },
  };
}

const key = component(
  { pk: { type: 'integer', readOnly: true }, name: { type: 'string' }, note: { type: 'string' } },
  ['pk', 'name'],
  ['name'],
);
const grant = component({ uuid, note: { type: 'string', minLength: 1 } }, ['uuid', 'note'], ['note']);
const rule = component({ uuid, name: { type: 'string', minLength: 1 } }, ['uuid', 'name'], ['name']);
const binding = component(
  { uuid, rule: uuid, rule_obj: { allOf: [ref('Rule')], readOnly: true }, order: { type: 'integer' } },
  ['uuid', 'rule', 'rule_obj', 'order'],
  ['rule', 'order'],
);
// A key the client may choose, under another name than the item path's parameter (`pk` of `/lab/groups/{id}/`).
const group = component({ pk: uuid, name: { type: 'string' } }, ['pk', 'name'], ['name']);
// The link may be empty; its embed is a bare `$ref`, neither required nor nullable itself.
const device = component(
  { pk: { type: 'integer', readOnly: true }, name: { type: 'string' }, group: { ...uuid, nullable: true }, group_obj: ref('Group') },
  ['pk', 'name'],
  ['name'],
);

const components: Record<string, JsonSchema> = {
  ...COMMON_COMPONENTS,
  Key: key.record,
  KeyRequest: key.request,
  // What a create gives once (a secret) with the record inside, as authentik's AgentCreated {agent, token}.
  KeyCreated: {
    type: 'object',
    properties: { key: { allOf: [ref('Key')], readOnly: true }, secret: { type: 'string', readOnly: true }, name: { type: 'string' } },
    required: ['key', 'secret', 'name'],
  },
  Grant: grant.record,
  GrantRequest: grant.request,
  // Nothing of the record at all, as authentik's Link {link}.
  Link: { type: 'object', properties: { link: { type: 'string' } }, required: ['link'] },
  Rule: rule.record,
  RuleRequest: rule.request,
  RuleBinding: binding.record,
  RuleBindingRequest: binding.request,
  Group: group.record,
  GroupRequest: group.request,
  Device: device.record,
  DeviceRequest: device.request,
  UploadRequest: {
    type: 'object',
    properties: {
      file: { type: 'string', format: 'binary' },
      usage: { type: 'string', minLength: 1 },
      label: { type: 'string', minLength: 1 },
    },
    required: ['file', 'label'],
  },
};

const uuidKey = { param: 'uuid', schema: uuid };
const operations = [
  ...resource('keys', { param: 'id', schema: { type: 'integer' } }, 'Key', { schema: ref('KeyCreated'), status: '201' }),
  ...resource('grants', uuidKey, 'Grant', { schema: ref('Link'), status: '200' }),
  // `/lab/rule-bindings/` comes before `/lab/rules/`: the rule is known only after the binding that embeds it.
  ...resource('rule-bindings', uuidKey, 'RuleBinding', { schema: ref('RuleBinding'), status: '201' }, [query('rule', uuid)]),
  ...resource('rules', uuidKey, 'Rule', { schema: ref('Rule'), status: '201' }),
  ...resource('groups', { param: 'id', schema: uuid }, 'Group', { schema: ref('Group'), status: '201' }),
  ...resource('devices', { param: 'id', schema: { type: 'integer' } }, 'Device', { schema: ref('Device'), status: '201' }),
  op('lab_uploads_create', 'POST', '/lab/uploads/', {
    requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('UploadRequest') } } },
    responses: { '200': { description: 'No response body' }, ...errors },
  }),
];

const document: ContractDocument = { operations, components };
const contract = new Contract(document);

function mock(records = 3) {
  const server = new MockServer({ contract, seed: 4, adminToken: TOKEN, recordsPerEntity: records });
  return { server, request: coreRequester(server) };
}

interface Page {
  results: Array<Record<string, unknown>>;
}

describe('a create documented to answer another component than its record', () => {
  it('answers that component: the record where a property shows it, its values where names match, the rest generated', async () => {
    const { request } = mock();
    const created = await request('POST', `${API}/lab/keys/`, { token: TOKEN, json: { name: 'deploy key', note: 'ci' } });
    expect(created.status).toBe(201);
    const body = created.body as { key: Record<string, unknown>; secret: unknown; name: unknown };
    expect(Object.keys(body).sort()).toEqual(['key', 'name', 'secret']);
    const stored = await request('GET', `${API}/lab/keys/${String(body.key['pk'])}/`, { token: TOKEN });
    expect(body.key).toEqual(stored.body);
    expect(body.key).toMatchObject({ name: 'deploy key', note: 'ci' });
    expect(body.name).toBe('deploy key');
    expect(typeof body.secret).toBe('string');
    expect(contract.validateResponse('lab_keys_create', 201, body)).toEqual([]);
  });

  it('answers a component holding nothing of the record (a link) in its documented status, and still makes the record', async () => {
    const { request } = mock();
    const before = ((await request('GET', `${API}/lab/grants/?page_size=100`, { token: TOKEN })).body as Page).results.length;
    const created = await request('POST', `${API}/lab/grants/`, { token: TOKEN, json: { note: 'let me in' } });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body as object)).toEqual(['link']);
    expect(contract.validateResponse('lab_grants_create', 200, created.body)).toEqual([]);
    const after = ((await request('GET', `${API}/lab/grants/?page_size=100`, { token: TOKEN })).body as Page).results;
    expect(after).toHaveLength(before + 1);
    expect(after.map((g) => g['note'])).toContain('let me in');
  });

  it('is the same answer for the same seed and requests', async () => {
    const send = async () => (await mock().request('POST', `${API}/lab/keys/`, { token: TOKEN, json: { name: 'k' } })).text;
    expect(await send()).toBe(await send());
  });
});

describe('a relation filter on a record keyed by its item path (no `pk`), registered after the record that embeds it', () => {
  it('links the embed to its field, and refuses a key naming no record as django-filter does', async () => {
    const { request } = mock();
    const bindings = ((await request('GET', `${API}/lab/rule-bindings/?page_size=100`, { token: TOKEN })).body as Page).results;
    expect(bindings.length).toBeGreaterThan(0);
    for (const b of bindings) expect((b['rule_obj'] as { uuid: string }).uuid).toBe(b['rule']);
    const unknown = await request('GET', `${API}/lab/rule-bindings/?rule=ffffffff-ffff-4fff-bfff-ffffffffffff`, { token: TOKEN });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ rule: [FILTER_MESSAGES.invalidRelation] });
    const first = bindings[0]!['rule'] as string;
    const filtered = ((await request('GET', `${API}/lab/rule-bindings/?rule=${first}`, { token: TOKEN })).body as Page).results;
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((b) => b['rule'] === first)).toBe(true);
  });
});

describe('an embed that is a bare $ref beside a nullable link', () => {
  it('reads as nullable: a device without a group shows `group_obj: null`, valid for the contract', async () => {
    const { request } = mock();
    const created = await request('POST', `${API}/lab/devices/`, { token: TOKEN, json: { name: 'laptop', group: null } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ group: null, group_obj: null });
    expect(contract.validateResponse('lab_devices_create', 201, created.body)).toEqual([]);
    expect(contract.validateResponse('lab_devices_retrieve', 200, { pk: 1, name: 'x', group_obj: 5 })).not.toEqual([]);
  });
});

describe('the harness on these operations', () => {
  it('varies a client-chosen UUID key into another UUID (a suffix would make it no UUID at all)', () => {
    const create = contract.operation('lab_rules_create')!;
    const original = { uuid: '3f1c2a8e-9b7d-4c3e-8f2a-1b2c3d4e5f60', name: 'r' };
    const varied = uniqueVariant(contract, create, original, 'contract-1-2');
    expect(varied['uuid']).not.toBe(original.uuid);
    expect(contract.check(uuid, varied['uuid'])).toEqual([]);
    expect(uniqueVariant(contract, create, original, 'contract-1-2')).toEqual(varied);
    const group = uniqueVariant(contract, contract.operation('lab_groups_create')!, { pk: original.uuid, name: 'g' }, 'contract-1-2');
    expect(group['pk']).not.toBe(original.uuid);
    expect(stableUuid('a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('expects a form to refuse a blank only for a required field (DRF reads an optional one left blank as not given)', async () => {
    const upload = contract.operation('lab_uploads_create')!;
    const blanks = invalidRequests(contract, upload, { file: 'x', label: 'l' }).filter((v) => v.constraint === 'minLength');
    expect(blanks.map((v) => v.field)).toEqual(['label']);
    const { request } = mock();
    const form = (fields: Record<string, string>) => {
      const data = new FormData();
      data.set('file', new Blob(['x']), 'f.txt');
      for (const [name, value] of Object.entries(fields)) data.set(name, value);
      return data;
    };
    expect((await request('POST', `${API}/lab/uploads/`, { token: TOKEN, form: form({ label: 'l', usage: '' }) })).status).toBe(200);
    expect((await request('POST', `${API}/lab/uploads/`, { token: TOKEN, form: form({ label: '' }) })).status).toBe(400);
  });

  it('passes every operation with writes, deleting what the creates made (found in the answer, or in the list)', async () => {
    const { server } = mock();
    const report = await runContract({
      contract,
      baseUrl: 'http://mock.test/api/v3/',
      token: TOKEN,
      allowWrites: true,
      fetch: fetchOf(server),
    });
    expect(report.results.filter((r) => r.verdict !== 'pass').map((r) => resultLine(r))).toEqual([]);
    expect(report.passed).toBe(operations.length);
  });
});
