import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { formBody } from '../src/contract/drf-fields.js';
import type { OperationSpec } from '../src/contract/types.js';
import { MockServer } from '../src/mock-server.js';
import { mixedDocument, referenceDocument } from './support/contracts.js';
import { libraryContract, ref, resource } from './support/library.js';
import { coreRequester, type Reply, type RequestOptions } from './support/requester.js';

/*
 * What real clients send is read as authentik's serializers (Django REST framework) read it: authentik's admin UI
 * sends `""` for an optional field left empty, forms send text. The rules come from the schema of each field, so
 * they are shown on the reference contract, on a synthetic one, and on a library API written here.
 */

const BLANK = 'This field may not be blank.';
const NULL = 'This field may not be null.';

describe('bodies authentik’s admin UI sends, on the whole reference', () => {
  const mock = new MockServer({ contract: new Contract(referenceDocument()), seed: 1 });
  const request = coreRequester(mock);
  const as = (method: string, path: string, json?: unknown): Promise<Reply> =>
    request(method, `/api/v3${path}`, json === undefined ? { token: mock.world.adminToken } : { token: mock.world.adminToken, json });
  const created = async (path: string, json: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const reply = await as('POST', path, json);
    expect(reply.status, reply.text).toBe(201);
    return reply.body as Record<string, unknown>;
  };

  it('a group with parent "" has no parent (a nullable relation reads "" as null)', async () => {
    const group = await created('/core/groups/', { name: 'UI group', parent: '', is_superuser: false });
    expect(group).toMatchObject({ parent: null, parent_name: null });
    expect((await as('GET', `/core/groups/${String(group['pk'])}/`)).body).toMatchObject({ parent: null, parent_name: null });
  });

  it('a user with email "" keeps a blank email (an EmailField that allows blank)', async () => {
    const user = await created('/core/users/', { username: 'ui-user', name: 'UI User', email: '', path: 'users' });
    expect(user['email']).toBe('');
    expect((await as('GET', `/core/users/${String(user['pk'])}/`)).body).toMatchObject({ email: '' });
  });

  it('an application with meta_launch_url "" and provider "" has a blank URL and no provider', async () => {
    const app = await created('/core/applications/', { name: 'UI app', slug: 'ui-app', meta_launch_url: '', provider: '' });
    const shown = (await as('GET', '/core/applications/ui-app/')).body;
    for (const body of [app, shown]) expect(body).toMatchObject({ meta_launch_url: '', provider: null, provider_obj: null });
  });

  it('unsetting a parent with "" on a PATCH stores null', async () => {
    const parent = await created('/core/groups/', { name: 'Parent' });
    const child = await created('/core/groups/', { name: 'Child', parent: parent['pk'] });
    expect(child['parent_name']).toBe('Parent');
    const patched = await as('PATCH', `/core/groups/${String(child['pk'])}/`, { parent: '' });
    expect(patched).toMatchObject({ status: 200, body: { parent: null, parent_name: null } });
  });

  it('"" where a field refuses it: DRF’s message for that field, and nothing is stored', async () => {
    const before = JSON.stringify(mock.world.dump());
    expect(await as('POST', '/core/groups/', { name: '' })).toMatchObject({ status: 400, body: { name: [BLANK] } });
    expect(await as('POST', '/core/users/', { username: ' ', name: 'x' })).toMatchObject({ status: 400, body: { username: [BLANK] } });
    // A relation that may not be empty: "" is None to DRF, so its message is the null one.
    expect(await as('POST', '/core/tokens/', { identifier: 'ui-token', user: '' })).toMatchObject({ status: 400, body: { user: [NULL] } });
    // An IntegerField: "" is no integer.
    const binding = await as('POST', '/policies/bindings/', { target: crypto.randomUUID(), order: '' });
    expect(binding).toMatchObject({ status: 400, body: { order: ['A valid integer is required.'] } });
    expect(JSON.stringify(mock.world.dump())).toBe(before);
  });

  it('keys sent as text are the records they name, stored as numbers', async () => {
    const users = (await as('GET', '/core/users/?page_size=2')).body as { results: Array<{ pk: number }> };
    const pks = users.results.map((u) => u.pk);
    const group = await created('/core/groups/', { name: 'Text keys', users: pks.map(String) });
    expect(group['users']).toEqual(pks);
  });
});

describe('DRF’s field reading on a synthetic operation (no code of its own)', () => {
  const contract = new Contract(mixedDocument());
  const create = contract.operation('widgets_widgets_create') as OperationSpec;
  const read = (body: Record<string, unknown>) => contract.readRequestBody(create, 'application/json', body);

  it('reads what each field takes: text trimmed, numbers from text, DRF’s boolean words, choices by their text', () => {
    const body = {
      name: '  Blue widget  ',
      slug: 'blue',
      count: '7',
      weight: '2.5',
      enabled: 'on',
      color: 'red',
      tags: [' a ', 3],
      homepage: '',
      owner_email: '',
      sku: ' ABC-1 ',
    };
    expect(read(body)).toEqual({
      value: {
        name: 'Blue widget',
        slug: 'blue',
        count: 7,
        weight: 2.5,
        enabled: true,
        color: 'red',
        tags: ['a', '3'],
        homepage: '',
        owner_email: '',
        sku: 'ABC-1',
      },
    });
    for (const [word, value] of [
      ['off', false],
      ['False', false],
      ['1', true],
      [0, false],
    ] as const)
      expect(read({ name: 'n', slug: 's', enabled: word }).value).toMatchObject({ enabled: value });
    expect(read({ name: 'n', slug: 's', count: '4.0' }).value).toMatchObject({ count: 4 });
    expect(read({ name: 42, slug: 's' }).value).toMatchObject({ name: '42' });
  });

  it('"" and text a field refuses keep DRF’s messages', () => {
    const errors = read({
      name: '   ',
      slug: '',
      sku: '',
      count: '',
      weight: '',
      enabled: '',
      color: '',
      released: '',
    }).errors;
    expect(errors).toEqual({
      name: [BLANK],
      slug: [BLANK],
      sku: [BLANK],
      count: ['A valid integer is required.'],
      weight: ['A valid number is required.'],
      enabled: ['Must be a valid boolean.'],
      color: ['"" is not a valid choice.'],
      released: ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'],
    });
    expect(read({ name: true, slug: 's', count: '1.5', enabled: 'maybe' }).errors).toEqual({
      name: ['Not a valid string.'],
      count: ['A valid integer is required.'],
      enabled: ['Must be a valid boolean.'],
    });
  });

  it('a blank email or URL is blank, any other text still has to be one', () => {
    expect(read({ name: 'n', slug: 's', owner_email: 'nope', homepage: 'not a url' }).errors).toEqual({
      owner_email: ['Enter a valid email address.'],
      homepage: ['Enter a valid URL.'],
    });
  });

  it('validateRequestBody reads the body in place: what the mock stores is what DRF would', () => {
    const body: Record<string, unknown> = { name: ' Widget ', slug: 'w', count: '3' };
    expect(contract.validateRequestBody(create, 'application/json', body)).toBeUndefined();
    expect(body).toEqual({ name: 'Widget', slug: 'w', count: 3 });
  });

  it('the mock stores and shows what was read', async () => {
    const mock = new MockServer({ contract: mixedDocument(), seed: 3 });
    const reply = await coreRequester(mock)('POST', '/api/v3/widgets/widgets/', {
      token: mock.world.adminToken,
      json: { name: ' Read ', slug: 'read-widget', count: '2', enabled: 'yes', owner_email: '', homepage: '' },
    });
    expect(reply).toMatchObject({
      status: 201,
      body: { name: 'Read', slug: 'read-widget', count: 2, enabled: true, owner_email: '', homepage: '' },
    });
  });
});

describe('form bodies, read as DRF reads HTML input', () => {
  const FORMS = ['application/x-www-form-urlencoded', 'multipart/form-data'];
  /** A library API whose shelves are created from JSON or from a form, as drf-spectacular documents a view taking both. */
  function formContract() {
    const paths = resource('/library/shelves/', 'Shelf');
    const collection = paths['/library/shelves/'] as { post: { requestBody: { content: Record<string, unknown> } } };
    for (const type of FORMS) collection.post.requestBody.content[type] = { schema: ref('ShelfRequest') };
    const fields = {
      name: { type: 'string', minLength: 1, maxLength: 50 },
      label: { type: 'string', maxLength: 50 },
      capacity: { type: 'integer', minimum: 0 },
      floor: { type: 'integer', nullable: true },
      public: { type: 'boolean' },
      open: { type: 'boolean' },
      parent: { type: 'integer', nullable: true },
      tags: { type: 'array', items: { type: 'string' } },
    };
    return libraryContract(paths, {
      Shelf: { type: 'object', properties: { pk: { type: 'integer', readOnly: true }, ...fields }, required: ['pk', 'name'] },
      ShelfRequest: { type: 'object', properties: fields, required: ['name'] },
    });
  }
  const mock = new MockServer({ contract: formContract(), seed: 2, recordsPerEntity: 2 });
  const request = coreRequester(mock);
  const post = (options: RequestOptions) => request('POST', '/api/v3/library/shelves/', { token: mock.world.adminToken, ...options });
  const urlencoded = (text: string): RequestOptions => ({ raw: text, contentType: FORMS[0] });
  const multipart = (entries: Array<[string, string]>): RequestOptions => {
    const form = new FormData();
    for (const [name, value] of entries) form.append(name, value);
    return { form };
  };

  it('booleans from "on"/"true", numbers from text, "" as null or blank, lists from repeated names', async () => {
    const parent = (mock.world.table('Shelf').all()[0] as { pk: number }).pk;
    const entries: Array<[string, string]> = [
      ['name', 'Top shelf'],
      ['label', ''],
      ['capacity', '12'],
      ['floor', ''],
      ['public', 'on'],
      ['parent', String(parent)],
      ['tags', 'a'],
      ['tags', 'b'],
    ];
    const expected = { name: 'Top shelf', label: '', capacity: 12, floor: null, public: true, parent, tags: ['a', 'b'] };
    const text = new URLSearchParams(entries).toString();
    expect(await post(urlencoded(text))).toMatchObject({ status: 201, body: { ...expected, open: false } });
    // The same as multipart/form-data (another name: names are unique under one parent).
    const reply = await post(multipart([['name', 'Second shelf'], ...entries.slice(1)]));
    expect(reply, reply.text).toMatchObject({ status: 201, body: { ...expected, name: 'Second shelf', open: false } });
  });

  it('a relation given "" is null; text a field refuses has DRF’s message', async () => {
    const reply = await post(urlencoded('name=x&parent=&capacity=many&public=maybe&tags[1]=second&tags[0]=first'));
    expect(reply).toMatchObject({
      status: 400,
      body: { capacity: ['A valid integer is required.'], public: ['Must be a valid boolean.'] },
    });
    expect(Object.keys(reply.body as object).sort()).toEqual(['capacity', 'public']);
    const ok = await post(urlencoded('name=x&parent=&tags[1]=second&tags[0]=first'));
    expect(ok).toMatchObject({ status: 201, body: { parent: null, tags: ['first', 'second'] } });
  });

  it('a required field left empty, and one left out, are refused as DRF refuses them', async () => {
    expect(await post(urlencoded('name='))).toMatchObject({ status: 400, body: { name: [BLANK] } });
    expect(await post(urlencoded('label=x'))).toMatchObject({ status: 400, body: { name: ['This field is required.'] } });
  });

  it('a partial update leaves out what the form does not name, booleans included', () => {
    const contract = new Contract(formContract());
    const schema = contract.operation('library_shelves_create')!.requestBody!.content[FORMS[0]!]!.schema;
    const form = new Map([['label', ['x']]]);
    expect(formBody(contract.fields, schema, form, true)).toEqual({ label: 'x' });
    expect(formBody(contract.fields, schema, form, false)).toEqual({ label: 'x', public: false, open: false });
  });
});
