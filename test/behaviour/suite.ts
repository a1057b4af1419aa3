import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Contract, JSON_TYPE, jsonMedia } from '../../src/contract/contract.js';
import type { JsonSchema, OperationSpec } from '../../src/contract/types.js';
import { mixedDocument } from '../support/contracts.js';
import type { MockUnderTest, Reply, RequestOptions } from '../support/requester.js';

interface ResourceInfo {
  path: string;
  entity: string;
  lookup: { param: string; field: string } | null;
  operations: Record<string, string>;
  keys: unknown[];
}

const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

/**
 * An invalid request written here, independently of the harness's own generator, with the 400 body authentik (DRF,
 * django-filter) answers for it. `messages` is the field's whole list, or (`partly`) messages the list must hold
 * when the value breaks another constraint as well (a too-long value that does not match a pattern either).
 */
interface InvalidCase {
  field: string;
  describe: string;
  /** The body to send, from a valid one. */
  body?: (valid: Record<string, unknown>) => Record<string, unknown>;
  query?: Record<string, string>;
  messages: string[];
  partly?: boolean;
}

const NOT_A_CHOICE = 'not-a-choice';
/** DRF's and django-filter's wording (shared/authentik-api-facts.md), written out here rather than imported. */
const DRF = {
  required: 'This field is required.',
  string: 'Not a valid string.',
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
  choice: (value: string) => `"${value}" is not a valid choice.`,
  filterChoice: (value: string) => `Select a valid choice. ${value} is not one of the available choices.`,
};
/** Fields authentik keeps unique (or that name a record): a create changes them so it does not clash. */
const UNIQUE_LOOKING = ['slug', 'identifier', 'username', 'name', 'uid'];

/**
 * What a frontend developer sees, asserted once and run against every adapter: the core called directly, the
 * Express server over HTTP, and MSW intercepting fetch. The contract mixes the seeds with pages written in the tests.
 */
export function behaviourSuite(start: () => Promise<MockUnderTest>): void {
  const contract = new Contract(mixedDocument());
  let t: MockUnderTest;
  let admin: string;
  let user: string;
  let resources: ResourceInfo[];

  const call = (method: string, path: string, options: RequestOptions = {}): Promise<Reply> =>
    t.request(method, path, { token: admin, ...options });
  const api = (path: string) => `/api/v3${path}`;

  /** The operation's URL with its path keys filled from the world (the first record of the resource). */
  function urlOf(operation: OperationSpec, keyIndex = 0): string | undefined {
    let missing = false;
    const path = operation.path.replace(/\{([^}]+)\}/g, (_m, param: string) => {
      const resource = resources.find((r) => r.lookup?.param === param && operation.path.startsWith(r.path));
      const key = resource?.keys[keyIndex];
      if (key === undefined) missing = true;
      return encodeURIComponent(String(key));
    });
    return missing ? undefined : `${operation.server.replace(/\/$/, '')}${path}`;
  }

  function itemRecord(operation: OperationSpec): Record<string, unknown> | undefined {
    const resource = resources.find((r) => operation.path.startsWith(r.path) && r.lookup);
    if (!resource) return undefined;
    return t.mock.world.table(resource.entity).all()[0];
  }

  const jsonRequestSchema = (operation: OperationSpec) => operation.requestBody?.content[JSON_TYPE]?.schema;

  function requiredFields(schema: JsonSchema): string[] {
    const required = contract.resolve(schema)['required'];
    return Array.isArray(required) ? (required as string[]) : [];
  }

  /** The choices of an enum field, also behind a one-element allOf (a nullable enum component). */
  function choicesOf(schema: JsonSchema): unknown[] | undefined {
    const resolved = contract.resolve(schema);
    if (Array.isArray(resolved['enum'])) return resolved['enum'] as unknown[];
    const allOf = resolved['allOf'];
    return Array.isArray(allOf) && allOf.length === 1 ? choicesOf(allOf[0] as JsonSchema) : undefined;
  }

  /**
   * A JSON body the server must accept: the record's writable fields whose values fit the request schema (what a
   * client that read it sends back), with the unique-looking text fields changed for a create.
   */
  function validBody(operation: OperationSpec, schema: JsonSchema): Record<string, unknown> {
    const record = itemRecord(operation) ?? {};
    const body: Record<string, unknown> = {};
    for (const [field, fieldSchema] of Object.entries(contract.writableFields(schema)))
      if (field in record && contract.check(fieldSchema, record[field], 'request').length === 0) body[field] = record[field];
    if (operation.method !== 'POST') return body;
    for (const field of UNIQUE_LOOKING) {
      const value = body[field];
      if (typeof value !== 'string') continue;
      const maxLength = contract.resolve(contract.writableFields(schema)[field]!)['maxLength'];
      body[field] = `${value.slice(0, (typeof maxLength === 'number' ? maxLength : 255) - 4)}-new`;
    }
    return body;
  }

  /** A request the server must accept: current values sent back, made unique for creates. */
  function validRequest(operation: OperationSpec): RequestOptions {
    const media = Object.keys(operation.requestBody?.content ?? {});
    if (media.includes('multipart/form-data')) {
      const form = new FormData();
      form.set('file', new Blob(['icon bytes'], { type: 'image/png' }), 'icon.png');
      form.set('clear', 'false');
      return { form };
    }
    const schema = jsonRequestSchema(operation);
    return schema ? { json: validBody(operation, schema) } : {};
  }

  /**
   * Invalid requests derived here from the operation's schemas: each required field left out (not for PATCH), a
   * boolean for each plain text field (DRF's CharField reads numbers as text, but refuses booleans), one character
   * too many where a text field has a maxLength, a value outside an enum; for a paginated list, a value outside a
   * choice filter's enum.
   */
  function invalidCases(operation: OperationSpec): InvalidCase[] {
    const cases: InvalidCase[] = [];
    const schema = jsonRequestSchema(operation);
    const fields = schema ? contract.writableFields(schema) : {};
    const sending = (field: string, value: unknown) => (valid: Record<string, unknown>) => ({ ...valid, [field]: value });
    if (schema && operation.method !== 'PATCH') {
      for (const field of requiredFields(schema).filter((f) => f in fields)) {
        const without = (valid: Record<string, unknown>) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));
        cases.push({ field, describe: `without required "${field}"`, body: without, messages: [DRF.required] });
      }
    }
    for (const [field, raw] of Object.entries(fields)) {
      const fieldSchema = contract.resolve(raw);
      if (choicesOf(raw)) {
        const messages = [DRF.choice(NOT_A_CHOICE)];
        cases.push({ field, describe: `"${field}" outside its choices`, body: sending(field, NOT_A_CHOICE), messages });
        continue;
      }
      if (fieldSchema['type'] !== 'string' || fieldSchema['format'] !== undefined) continue;
      cases.push({ field, describe: `"${field}" given a boolean`, body: sending(field, true), messages: [DRF.string] });
      const maxLength = fieldSchema['maxLength'];
      if (typeof maxLength === 'number')
        cases.push({
          field,
          describe: `"${field}" one character longer than ${maxLength}`,
          body: sending(field, 'x'.repeat(maxLength + 1)),
          messages: [DRF.maxLength(maxLength)],
          partly: typeof fieldSchema['pattern'] === 'string',
        });
    }
    const success = jsonMedia(operation.responses['200']?.content)?.schema;
    const listed = (success ? contract.resolve(success)['properties'] : undefined) as Record<string, unknown> | undefined;
    const paginated = operation.method === 'GET' && !!listed?.['pagination'] && !!listed['results'];
    for (const parameter of paginated ? operation.parameters : []) {
      if (parameter.in !== 'query' || !choicesOf(parameter.schema)) continue;
      const messages = [DRF.filterChoice(NOT_A_CHOICE)];
      cases.push({
        field: parameter.name,
        describe: `query "${parameter.name}" outside its choices`,
        query: { [parameter.name]: NOT_A_CHOICE },
        messages,
      });
    }
    return cases;
  }

  beforeAll(async () => {
    t = await start();
    admin = t.mock.world.adminToken;
    user = t.mock.world.userToken;
  });
  beforeEach(async () => {
    t.mock.reset();
    resources = (await call('GET', '/_mock/resources')).body as ResourceInfo[];
  });
  afterAll(() => t.close());

  describe('every operation of the contract', () => {
    for (const operation of contract.operations) {
      const id = operation.operationId;

      it(`${id}: 403 with authentik's bodies without a token, with another scheme, and with a bad key`, async () => {
        const url = urlOf(operation) ?? `${operation.server}${operation.path}`;
        const cases: Array<[RequestOptions, string]> = [
          [{ token: null }, 'Authentication credentials were not provided.'],
          [{ authorization: 'Basic YWthZG1pbjpwYXNz' }, 'Unsupported authentication type'],
          [{ authorization: 'Bearer' }, 'Malformed header'],
          [{ token: 'not-a-real-key' }, 'Token invalid/expired'],
        ];
        for (const [options, detail] of cases) {
          const reply = await t.request(operation.method, url, options);
          expect(reply.status, JSON.stringify(options)).toBe(403);
          expect(reply.body).toEqual({ detail });
          expect(contract.validateResponse(id, 403, reply.body)).toEqual([]);
        }
      });

      it(`${id}: documented success with a body that validates`, async () => {
        const url = urlOf(operation);
        expect(url, 'the world has a record to address').toBeDefined();
        const reply = await call(operation.method, url!, validRequest(operation));
        const documented = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
        expect(documented, reply.text).toContain(String(reply.status));
        const hasBody = !!jsonMedia(operation.responses[String(reply.status)]?.content);
        expect(hasBody ? reply.body !== undefined : reply.text === '').toBe(true);
        expect(contract.validateResponse(id, reply.status, reply.body)).toEqual([]);
      });

      // Bodies are sent as JSON here: multipart-only operations have their 400s checked by the harness tests.
      const invalid = invalidCases(operation);
      if (invalid.length > 0) {
        it(`${id}: DRF's 400 naming only the field, in authentik's words, for each invalid request (${invalid.length})`, async () => {
          const url = urlOf(operation)!;
          const schema = jsonRequestSchema(operation);
          const valid = schema ? validBody(operation, schema) : {};
          for (const invalidCase of invalid) {
            const query = invalidCase.query ? `?${new URLSearchParams(invalidCase.query).toString()}` : '';
            const reply = await call(operation.method, `${url}${query}`, invalidCase.body ? { json: invalidCase.body(valid) } : {});
            expect(reply.status, `${invalidCase.describe}: ${reply.text}`).toBe(400);
            const expected = invalidCase.partly ? expect.arrayContaining(invalidCase.messages) : invalidCase.messages;
            expect(reply.body, invalidCase.describe).toEqual({ [invalidCase.field]: expected });
            expect(contract.validateResponse(id, 400, reply.body)).toEqual([]);
          }
        });
      }

      if (operation.method !== 'GET') {
        // The first record of each resource is not the ordinary user's: it is outside their queryset (404), and a
        // create of a model without an owner needs a permission they lack (403).
        it(`${id}: the ordinary user cannot write what is not theirs`, async () => {
          const reply = await t.request(operation.method, urlOf(operation)!, { token: user, ...validRequest(operation) });
          if (/\{[^}]+\}/.test(operation.path))
            expect(reply).toMatchObject({ status: 404, body: { detail: expect.stringMatching(/^No \w+ matches the given query\.$/) } });
          else expect(reply).toMatchObject({ status: 403, body: FORBIDDEN });
        });
      }
    }
  });

  describe('lists and pagination', () => {
    const page = (query: string) => call('GET', api(`/oauth2/access_tokens/${query}`));
    const paginationOf = (reply: Reply) => (reply.body as { pagination: Record<string, number> }).pagination;
    const resultsOf = (reply: Reply) => (reply.body as { results: Array<Record<string, unknown>> }).results;

    it('paginates with authentik numbers: page_size 1, the last page, and past the end', async () => {
      const first = await page('?page_size=1');
      expect(first.status).toBe(200);
      const count = paginationOf(first)['count']!;
      expect(paginationOf(first)).toEqual({ next: 2, previous: 0, count, current: 1, total_pages: count, start_index: 1, end_index: 1 });
      const last = await page(`?page_size=10&page=${Math.ceil(count / 10)}`);
      const expectedOnLast = count - (Math.ceil(count / 10) - 1) * 10;
      expect(resultsOf(last)).toHaveLength(expectedOnLast);
      expect(paginationOf(last)).toMatchObject({ next: 0, previous: Math.ceil(count / 10) - 1, end_index: count });
      expect(await page(`?page_size=10&page=${Math.ceil(count / 10) + 1}`)).toMatchObject({
        status: 404,
        body: { detail: 'Invalid page.' },
      });
      for (const bad of ['0', '-1', 'abc']) expect((await page(`?page=${bad}`)).status).toBe(404);
    });

    it('page_size 1000 returns everything on one page; a bad page_size falls back to 100', async () => {
      const all = await page('?page_size=1000');
      expect(paginationOf(all)).toMatchObject({ current: 1, total_pages: 1, next: 0, previous: 0 });
      expect(resultsOf(all)).toHaveLength(paginationOf(all)['count']!);
      expect(paginationOf(await page('?page_size=nonsense'))['total_pages']).toBe(
        Math.max(1, Math.ceil(paginationOf(all)['count']! / 100)),
      );
    });

    it('an empty result has one page and zero indexes', async () => {
      const reply = await call('GET', api('/core/tokens/?identifier=no-such-token'));
      expect(paginationOf(reply)).toEqual({ next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 });
      expect(resultsOf(reply)).toEqual([]);
    });

    it('filters exactly, by related object, and answers unknown related objects with 400', async () => {
      const all = resultsOf(await page('?page_size=1000'));
      const userOf = (token: Record<string, unknown>) => (token['user'] as { pk: number }).pk;
      const owner = userOf(all[0]!);
      const byUser = resultsOf(await page(`?user=${owner}&page_size=1000`));
      // Not vacuous: the owner has a token, and the filter keeps exactly theirs.
      expect(byUser.length).toBeGreaterThan(0);
      expect(byUser.every((token) => userOf(token) === owner)).toBe(true);
      expect(byUser.map((token) => token['pk'])).toEqual(all.filter((token) => userOf(token) === owner).map((token) => token['pk']));
      expect(await page('?user=999999')).toMatchObject({
        status: 400,
        body: { user: ['Select a valid choice. That choice is not one of the available choices.'] },
      });
      expect(await page('?provider=abc')).toMatchObject({
        status: 400,
        body: { provider: ['Select a valid choice. That choice is not one of the available choices.'] },
      });
      const api_ = await call('GET', api('/core/tokens/?intent=api&page_size=1000'));
      expect(resultsOf(api_).length).toBeGreaterThan(0);
      expect(resultsOf(api_).every((token) => token['intent'] === 'api')).toBe(true);
    });

    it('orders by one or more fields, ignoring names that are not orderable', async () => {
      const names = (reply: Reply) => resultsOf(reply).map((u) => u['username'] as string);
      const ascending = names(await call('GET', api('/core/users/?ordering=username&page_size=1000')));
      expect(ascending).toEqual([...ascending].sort());
      const descending = names(await call('GET', api('/core/users/?ordering=-username&page_size=1000')));
      expect(descending).toEqual([...ascending].reverse());
      expect((await call('GET', api('/core/users/?ordering=no_such_field'))).status).toBe(200);
    });

    it('searches case-insensitively, every word must match', async () => {
      const reply = await call('GET', api('/core/users/?search=AKADMIN'));
      expect(resultsOf(reply).map((u) => u['username'])).toContain('akadmin');
      const none = await call('GET', api('/core/users/?search=akadmin%20zzzznotthere'));
      expect(resultsOf(none)).toEqual([]);
    });

    it('shows the ordinary user only their own records where the model has a user', async () => {
      const mine = await t.request('GET', api('/oauth2/access_tokens/?page_size=1000'), { token: user });
      const owner = t.mock.world.authenticate(user)!.userPk;
      expect(resultsOf(mine).length).toBeGreaterThan(0);
      expect(resultsOf(mine).every((token) => (token['user'] as { pk: unknown }).pk === owner)).toBe(true);
      const other = resources.find((r) => r.path === '/core/tokens/')!.keys.find((k) => k === 'authentik-mock-admin');
      expect(await t.request('GET', api(`/core/tokens/${String(other)}/`), { token: user })).toMatchObject({
        status: 404,
        body: { detail: 'No Token matches the given query.' },
      });
      expect(await t.request('GET', api(`/core/tokens/${String(other)}/view_key/`), { token: user })).toMatchObject({ status: 404 });
      expect(resultsOf(await t.request('GET', api('/widgets/widgets/'), { token: user }))).toEqual([]);
    });
  });

  describe('one consistent world', () => {
    const tokenUrl = (identifier: string) => api(`/core/tokens/${identifier}/`);

    it('a PUT to a token is visible in the next GET and in the list', async () => {
      const before = (await call('GET', tokenUrl('authentik-mock-user'))).body as Record<string, unknown>;
      const put = await call('PUT', tokenUrl('authentik-mock-user'), {
        json: { identifier: 'renamed-token', intent: 'api', user: 1, description: 'edited in a test', expiring: false },
      });
      expect(put.status).toBe(200);
      const after = await call('GET', tokenUrl('renamed-token'));
      expect(after.body).toMatchObject({
        pk: before['pk'],
        identifier: 'renamed-token',
        description: 'edited in a test',
        user: 1,
        user_obj: { pk: 1, username: 'akadmin' },
      });
      expect((await call('GET', tokenUrl('authentik-mock-user'))).status).toBe(404);
      const listed = await call('GET', api('/core/tokens/?identifier=renamed-token'));
      expect((listed.body as { results: unknown[] }).results).toEqual([after.body]);
    });

    it('an answer asked again and again (the answer cache) is the same text, non-ASCII included', async () => {
      const token = ((await call('GET', api('/core/tokens/?page_size=1'))).body as { results: Array<{ identifier: string }> }).results[0]!;
      const description = 'Grüße, ✓ 日本語 — 🦊';
      const put = await call('PUT', tokenUrl(token.identifier), {
        json: { identifier: token.identifier, intent: 'api', user: 1, description, expiring: false },
      });
      expect(put.status).toBe(200);
      const replies = [];
      for (let n = 0; n < 4; n++) replies.push(await call('GET', tokenUrl(token.identifier)));
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(reply.text).toBe(replies[0]!.text);
        expect((reply.body as { description: string }).description).toBe(description);
        const length = reply.headers['content-length'];
        if (length !== undefined) expect(Number(length)).toBe(new TextEncoder().encode(reply.text).byteLength);
      }
    });

    it('a rejected PUT changes nothing', async () => {
      const before = await call('GET', tokenUrl('authentik-mock-admin'));
      const rejected = await call('PUT', tokenUrl('authentik-mock-admin'), {
        json: { identifier: 'not a slug', user: 999999, description: 'must not stick' },
      });
      expect(rejected.status).toBe(400);
      expect(rejected.body).toEqual({
        identifier: ['Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'],
        user: ['Invalid pk "999999" - object does not exist.'],
      });
      expect((await call('GET', tokenUrl('authentik-mock-admin'))).body).toEqual(before.body);
    });

    it('a changed user shows up in every response that embeds them', async () => {
      const users = await call('GET', api('/core/users/?page_size=1000'));
      const member = (users.body as { results: Array<Record<string, unknown>> }).results.find(
        (u) => (u['groups'] as unknown[]).length > 0,
      )!;
      const patched = await call('PATCH', api(`/core/users/${String(member['pk'])}/`), { json: { name: 'Renamed Person' } });
      expect(patched.status).toBe(200);
      const groupUuid = (member['groups'] as string[])[0]!;
      const group = (await call('GET', api(`/core/groups/${groupUuid}/`))).body as {
        users: unknown[];
        users_obj: Array<Record<string, unknown>>;
      };
      expect(group.users).toContain(member['pk']);
      expect(group.users_obj.find((m) => m['pk'] === member['pk'])).toMatchObject({ name: 'Renamed Person', username: member['username'] });
    });

    it('embedded objects are the records their own endpoints return', async () => {
      const token = (await call('GET', tokenUrl('authentik-mock-admin'))).body as { user: number; user_obj: Record<string, unknown> };
      const users = (await call('GET', api(`/core/users/?username=${encodeURIComponent(String(token.user_obj['username']))}`))).body as {
        results: unknown[];
      };
      expect(users.results).toEqual([token.user_obj]);
    });

    it('many-to-many is one relation seen from both sides', async () => {
      const groups = ((await call('GET', api('/core/groups/?page_size=1000'))).body as { results: Array<{ pk: string; users: number[] }> })
        .results;
      const users = ((await call('GET', api('/core/users/?page_size=1000'))).body as { results: Array<{ pk: number; groups: string[] }> })
        .results;
      // Not vacuous: some group has members.
      expect(groups.some((group) => group.users.length > 0)).toBe(true);
      for (const group of groups) for (const pk of group.users) expect(users.find((u) => u.pk === pk)!.groups).toContain(group.pk);
      const target = groups[0]!;
      await call('PATCH', api('/core/users/1/'), { json: { groups: [target.pk] } });
      const after = (await call('GET', api(`/core/groups/${target.pk}/`))).body as { users: number[] };
      expect(after.users).toContain(1);
    });

    it("a token's view_key shows the key that authenticates as that token's user", async () => {
      const shown = await call('GET', tokenUrl('authentik-mock-user') + 'view_key/');
      expect(shown.body).toEqual({ key: user });
      const other = resources.find((r) => r.path === '/core/tokens/')!.keys.at(-1)!;
      await call('PUT', tokenUrl(String(other)), { json: { identifier: String(other), intent: 'api', expiring: false, user: 1 } });
      const key = ((await call('GET', tokenUrl(String(other)) + 'view_key/')).body as { key: string }).key;
      expect(await t.request('GET', api('/core/users/?username=akadmin'), { token: key })).toMatchObject({ status: 200 });
    });

    it('a deleted token is gone, and its key no longer authenticates', async () => {
      expect((await call('DELETE', tokenUrl('authentik-mock-user'))).status).toBe(204);
      expect((await call('GET', tokenUrl('authentik-mock-user'))).status).toBe(404);
      expect(await t.request('GET', api('/core/users/'), { token: user })).toMatchObject({
        status: 403,
        body: { detail: 'Token invalid/expired' },
      });
    });

    it('an expired token or a non-api intent stops authenticating', async () => {
      await call('PUT', tokenUrl('authentik-mock-user'), {
        json: { identifier: 'authentik-mock-user', expiring: true, expires: '2020-01-01T00:00:00Z' },
      });
      expect((await t.request('GET', api('/core/users/'), { token: user })).body).toEqual({ detail: 'Token invalid/expired' });
      await call('PUT', tokenUrl('authentik-mock-user'), {
        json: { identifier: 'authentik-mock-user', expiring: false, intent: 'recovery' },
      });
      expect((await t.request('GET', api('/core/users/'), { token: user })).body).toEqual({ detail: 'Token invalid/expired' });
    });

    it('the same seed gives byte-identical responses; reset brings the seeded world back', async () => {
      const first = await call('GET', api('/oauth2/access_tokens/?page_size=5'));
      await call('PUT', tokenUrl('authentik-mock-user'), { json: { identifier: 'changed' } });
      expect((await call('POST', '/_mock/reset')).status).toBe(200);
      expect((await call('GET', api('/oauth2/access_tokens/?page_size=5'))).text).toBe(first.text);
      expect((await call('GET', tokenUrl('authentik-mock-user'))).status).toBe(200);
    });

    it('dump and load carry the world over', async () => {
      await call('PUT', tokenUrl('authentik-mock-user'), { json: { identifier: 'kept-in-dump' } });
      const dump = (await call('GET', '/_mock/dump')).body;
      await call('POST', '/_mock/reset');
      expect((await call('POST', '/_mock/load', { json: dump })).status).toBe(200);
      expect((await call('GET', tokenUrl('kept-in-dump'))).status).toBe(200);
      expect(await call('POST', '/_mock/load', { json: { nope: 1 } })).toMatchObject({ status: 400 });
      expect(await call('POST', '/_mock/load', { raw: '{not json', contentType: 'application/json' })).toMatchObject({ status: 400 });
      expect(await call('POST', '/_mock/load', { raw: JSON.stringify(dump), contentType: 'text/plain' })).toMatchObject({ status: 415 });
    });
  });

  describe('bad input: the authentik-shaped answer, never a 5xx, nothing changed', () => {
    const tokenUrl = api('/core/tokens/authentik-mock-admin/');

    it('non-JSON → 400 JSON parse error; non-object → non_field_errors', async () => {
      const parse = await call('PUT', tokenUrl, { raw: '{"identifier": ', contentType: 'application/json' });
      expect(parse.status).toBe(400);
      expect((parse.body as { detail: string }).detail).toMatch(/^JSON parse error - /);
      expect(await call('PUT', tokenUrl, { json: ['a'] })).toMatchObject({
        status: 400,
        body: { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] },
      });
    });

    it('a body nested deeper than anyone needs → 400, not a crash', async () => {
      const deep = `{"name": "n", "slug": "deep", "attributes": ${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`;
      const reply = await call('POST', api('/widgets/widgets/'), { raw: deep, contentType: 'application/json' });
      expect(reply.status).toBe(400);
      expect((reply.body as { detail: string }).detail).toBe('JSON parse error - nested deeper than 256 levels');
    });

    it('a body over 1 MiB → 413 JSON', async () => {
      const reply = await call('PUT', tokenUrl, { raw: `{"description": "${'x'.repeat(1024 * 1024)}"}`, contentType: 'application/json' });
      expect(reply.status).toBe(413);
      expect(reply.headers['content-type']).toMatch(/application\/json/);
    });

    it('unknown path → 404 JSON; undocumented method → 405; wrong content type → 415', async () => {
      expect(await call('GET', api('/no/such/thing/'))).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
      expect(await call('DELETE', api('/oauth2/access_tokens/'))).toMatchObject({
        status: 405,
        body: { detail: 'Method "DELETE" not allowed.' },
      });
      expect(await call('PUT', tokenUrl, { raw: 'identifier=x', contentType: 'text/plain' })).toMatchObject({
        status: 415,
        body: { detail: 'Unsupported media type "text/plain" in request.' },
      });
    });

    it('an unknown key → 404 naming the model; a key of the wrong shape too', async () => {
      expect(await call('GET', api('/core/tokens/nope/'))).toMatchObject({
        status: 404,
        body: { detail: 'No Token matches the given query.' },
      });
      expect(await call('GET', api('/core/groups/not-a-uuid/'))).toMatchObject({
        status: 404,
        body: { detail: 'No Group matches the given query.' },
      });
      expect(await call('GET', api('/core/user_consent/abc/'))).toMatchObject({ status: 404 });
    });

    it('multipart bodies are accepted where documented', async () => {
      const reply = await call(
        'POST',
        api(`/widgets/widgets/${String(resources.find((r) => r.path === '/widgets/widgets/')!.keys[0])}/set_icon/`),
        validRequest(contract.operation('widgets_widgets_set_icon_create')!),
      );
      expect(reply.status).toBe(200);
    });

    it('__proto__, constructor and prototype keys are dropped at every level and pollute nothing', async () => {
      // Sent as JSON text: JSON.parse makes "__proto__" an own key, as a server receives it (an object literal would not).
      const dangerous =
        '"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": {"polluted": true}';
      const noPollution = () => {
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty('polluted');
      };
      const clean = (reply: Reply) => expect(reply.text, reply.text).not.toMatch(/__proto__|constructor|prototype|polluted/);

      const put = await call('PUT', tokenUrl, { raw: `{"identifier": "safe", ${dangerous}}`, contentType: 'application/json' });
      expect(put).toMatchObject({ status: 200, body: { identifier: 'safe' } });
      clean(put);
      noPollution();

      // A free-form object (attributes) stores what it is given, except those keys, nested or not.
      const slug = String(resources.find((r) => r.path === '/widgets/widgets/')!.keys[0]);
      const attributes = `{${dangerous}, "kept": {${dangerous}, "deep": [{${dangerous}, "item": 1}]}}`;
      const patched = await call('PATCH', api(`/widgets/widgets/${slug}/`), {
        raw: `{${dangerous}, "name": "proto-safe", "attributes": ${attributes}}`,
        contentType: 'application/json',
      });
      expect(patched.status, patched.text).toBe(200);
      clean(patched);
      expect(JSON.parse(patched.text)).toMatchObject({ name: 'proto-safe', attributes: { kept: { deep: [{ item: 1 }] } } });
      expect(Object.keys((patched.body as { attributes: object }).attributes)).toEqual(['kept']);
      const stored = await call('GET', api(`/widgets/widgets/${slug}/`));
      clean(stored);
      expect(stored.text).toBe(patched.text);

      const created = await call('POST', api('/widgets/widgets/'), {
        raw: `{${dangerous}, "name": "proto-new", "slug": "proto-new", "attributes": ${attributes}}`,
        contentType: 'application/json',
      });
      expect(created.status, created.text).toBe(201);
      clean(created);
      expect(Object.keys((created.body as { attributes: object }).attributes)).toEqual(['kept']);
      noPollution();

      // Later, unrelated requests see no trace either.
      const list = await call('GET', api('/widgets/widgets/?page_size=1000'));
      expect(list.status).toBe(200);
      clean(list);
      const another = await call('POST', api('/widgets/widgets/'), { json: { name: 'after', slug: 'after-proto' } });
      expect(another.status).toBe(201);
      clean(another);
      expect((another.body as { attributes: object }).attributes).toEqual({});
      const query = await call('GET', api('/core/tokens/?__proto__=x&constructor=y&identifier=safe'));
      expect(query.status).toBe(200);
      noPollution();
    });

    it('a write-only field is taken on create and never shown, as DRF leaves write_only fields out', async () => {
      const created = await call('POST', api('/widgets/widgets/'), {
        json: { name: 'with secret', slug: 'with-secret', secret: 's3cret' },
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).not.toHaveProperty('secret');
      const read = await call('GET', api('/widgets/widgets/with-secret/'));
      expect(read.body).toMatchObject({ slug: 'with-secret' });
      expect(read.body).not.toHaveProperty('secret');
      expect(read.text).not.toContain('s3cret');
    });

    it('a rejected create changes nothing', async () => {
      const before = (await call('GET', api('/widgets/widgets/?page_size=1000'))).text;
      expect((await call('POST', api('/widgets/widgets/'), { json: { name: '', slug: 'no spaces allowed' } })).status).toBe(400);
      expect((await call('GET', api('/widgets/widgets/?page_size=1000'))).text).toBe(before);
    });
  });
}
