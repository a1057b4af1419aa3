import { beforeAll, describe, expect, it } from 'vitest';
import { MockServer } from '../src/mock-server.js';
import { libraryContract, query, resource } from './support/library.js';
import { coreRequester, type Reply, type RequestOptions, type Requester } from './support/requester.js';

/**
 * django-filter's lookups as the mock reads them from a list's query parameters (`field__lookup`), checked through
 * requests only, on a small contract written here: a list of books whose parameters use every lookup the mock
 * implements — exact (a bare name), iexact, contains, icontains, startswith, istartswith, endswith, iendswith, gt, gte, lt, lte, isnull —
 * plus `in` (an array parameter, any of its values) and a lookup through a link (`shelf__name`).
 */

const TOKEN = 'filter-lookups-token';

const components = {
  Shelf: {
    type: 'object',
    properties: { pk: { type: 'integer', readOnly: true }, name: { type: 'string', maxLength: 64 } },
    required: ['pk', 'name'],
  },
  ShelfRequest: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['name'] },
  Book: {
    type: 'object',
    properties: {
      pk: { type: 'integer', readOnly: true },
      title: { type: 'string', maxLength: 128 },
      pages: { type: 'integer' },
      released: { type: 'string', format: 'date-time', nullable: true },
      note: { type: 'string', nullable: true },
      shelf: { type: 'integer' },
    },
    required: ['pk', 'title', 'pages', 'shelf'],
  },
  BookRequest: {
    type: 'object',
    properties: {
      title: { type: 'string', minLength: 1, maxLength: 128 },
      pages: { type: 'integer' },
      released: { type: 'string', format: 'date-time', nullable: true },
      note: { type: 'string', nullable: true },
      shelf: { type: 'integer' },
    },
    required: ['title', 'pages', 'shelf'],
  },
};

const BOOK_FILTERS = [
  query('title', { type: 'string' }),
  query('title__iexact', { type: 'string' }),
  query('title__contains', { type: 'string' }),
  query('title__icontains', { type: 'string' }),
  query('title__startswith', { type: 'string' }),
  query('title__istartswith', { type: 'string' }),
  query('title__endswith', { type: 'string' }),
  query('title__iendswith', { type: 'string' }),
  query('pages', { type: 'integer' }),
  query('pages__gt', { type: 'integer' }),
  query('pages__gte', { type: 'integer' }),
  query('pages__lt', { type: 'integer' }),
  query('pages__lte', { type: 'integer' }),
  query('pages__in', { type: 'array', items: { type: 'integer' } }),
  query('released__isnull', { type: 'boolean' }),
  query('note__isnull', { type: 'boolean' }),
  query('shelf__name', { type: 'string' }),
];

const BOOKS = [
  { title: 'Dune', pages: 412, released: '1965-08-01T00:00:00Z', note: null, shelf: 'Fiction' },
  { title: 'dune messiah', pages: 256, released: null, note: 'sequel', shelf: 'Fiction' },
  { title: 'A Brief History of Time', pages: 212, released: '1988-04-01T00:00:00Z', note: 'popular science', shelf: 'Science' },
  { title: 'Cosmos', pages: 396, released: null, note: null, shelf: 'Science' },
];

describe('filter lookups on a list, as django-filter reads them', () => {
  let request: Requester;
  const call = (method: string, path: string, options: RequestOptions = {}): Promise<Reply> =>
    request(method, `/api/v3${path}`, { token: TOKEN, ...options });

  /** The titles the book list answers for a query, in the list's order (creation order). */
  async function titles(queryString: string): Promise<string[]> {
    const reply = await call('GET', `/library/books/?page_size=100&${queryString}`);
    expect(reply.status, reply.text).toBe(200);
    return (reply.body as { results: Array<{ title: string }> }).results.map((book) => book.title);
  }

  beforeAll(async () => {
    const contract = libraryContract(
      { ...resource('/library/shelves/', 'Shelf'), ...resource('/library/books/', 'Book', BOOK_FILTERS) },
      components,
    );
    // No generated records: the world holds exactly the books created here.
    const mock = new MockServer({ contract, seed: 3, recordsPerEntity: 0, adminToken: TOKEN });
    request = coreRequester(mock);
    const shelves = new Map<string, number>();
    for (const name of ['Fiction', 'Science']) {
      const reply = await call('POST', '/library/shelves/', { json: { name } });
      expect(reply.status, reply.text).toBe(201);
      shelves.set(name, (reply.body as { pk: number }).pk);
    }
    for (const book of BOOKS) {
      const reply = await call('POST', '/library/books/', { json: { ...book, shelf: shelves.get(book.shelf) } });
      expect(reply.status, reply.text).toBe(201);
    }
    expect(await titles('')).toEqual(BOOKS.map((b) => b.title));
  });

  it('exact (a bare field name): the whole value, case-sensitive', async () => {
    expect(await titles('title=Dune')).toEqual(['Dune']);
    expect(await titles('title=dune')).toEqual([]);
    expect(await titles('title=Dun')).toEqual([]);
  });

  it('exact on a number compares numbers', async () => {
    expect(await titles('pages=412')).toEqual(['Dune']);
    expect(await titles('pages=0412')).toEqual(['Dune']);
    expect(await titles('pages=41')).toEqual([]);
  });

  it('iexact: the whole value, ignoring case', async () => {
    expect(await titles('title__iexact=DUNE')).toEqual(['Dune']);
    expect(await titles('title__iexact=Dune%20Messiah')).toEqual(['dune messiah']);
    expect(await titles('title__iexact=dun')).toEqual([]);
  });

  it('contains: anywhere in the value, case-sensitive', async () => {
    expect(await titles('title__contains=une')).toEqual(['Dune', 'dune messiah']);
    expect(await titles('title__contains=Dune')).toEqual(['Dune']);
    expect(await titles('title__contains=History')).toEqual(['A Brief History of Time']);
    expect(await titles('title__contains=history')).toEqual([]);
  });

  it('icontains: anywhere in the value, ignoring case', async () => {
    expect(await titles('title__icontains=DUNE')).toEqual(['Dune', 'dune messiah']);
    expect(await titles('title__icontains=history')).toEqual(['A Brief History of Time']);
    expect(await titles('title__icontains=nowhere')).toEqual([]);
  });

  it('startswith: the start of the value, case-sensitive', async () => {
    expect(await titles('title__startswith=Dune')).toEqual(['Dune']);
    expect(await titles('title__startswith=dune')).toEqual(['dune messiah']);
    expect(await titles('title__startswith=Brief')).toEqual([]);
  });

  it('istartswith: the start of the value, ignoring case', async () => {
    expect(await titles('title__istartswith=DUNE')).toEqual(['Dune', 'dune messiah']);
    expect(await titles('title__istartswith=a%20brief')).toEqual(['A Brief History of Time']);
    expect(await titles('title__istartswith=history')).toEqual([]);
  });

  it('endswith and iendswith: the end of the value, case-sensitive or not', async () => {
    expect(await titles('title__endswith=une')).toEqual(['Dune']);
    expect(await titles('title__endswith=Time')).toEqual(['A Brief History of Time']);
    expect(await titles('title__endswith=TIME')).toEqual([]);
    expect(await titles('title__iendswith=TIME')).toEqual(['A Brief History of Time']);
    expect(await titles('title__iendswith=dune')).toEqual(['Dune']);
  });

  it('gt and gte: greater than, and greater or equal, as numbers (412 > 1000 is false)', async () => {
    expect(await titles('pages__gt=396')).toEqual(['Dune']);
    expect(await titles('pages__gte=396')).toEqual(['Dune', 'Cosmos']);
    expect(await titles('pages__gt=1000')).toEqual([]);
    expect(await titles('pages__gte=1000')).toEqual([]);
  });

  it('lt and lte: less than, and less or equal, as numbers (256 < 1000 is true)', async () => {
    expect(await titles('pages__lt=256')).toEqual(['A Brief History of Time']);
    expect(await titles('pages__lte=256')).toEqual(['dune messiah', 'A Brief History of Time']);
    expect(await titles('pages__lt=1000')).toEqual(BOOKS.map((b) => b.title));
    expect(await titles('pages__lte=100')).toEqual([]);
  });

  it('isnull: true keeps the records without a value, false those with one', async () => {
    expect(await titles('released__isnull=true')).toEqual(['dune messiah', 'Cosmos']);
    expect(await titles('released__isnull=false')).toEqual(['Dune', 'A Brief History of Time']);
    expect(await titles('note__isnull=true')).toEqual(['Dune', 'Cosmos']);
    expect(await titles('note__isnull=false')).toEqual(['dune messiah', 'A Brief History of Time']);
    // A boolean filter given anything but true/false is ignored, as django-filter's BooleanFilter does.
    expect(await titles('released__isnull=maybe')).toEqual(BOOKS.map((b) => b.title));
  });

  it('in (an array parameter): any of the values given', async () => {
    expect(await titles('pages__in=412&pages__in=212')).toEqual(['Dune', 'A Brief History of Time']);
    expect(await titles('pages__in=256')).toEqual(['dune messiah']);
    expect(await titles('pages__in=1&pages__in=2')).toEqual([]);
  });

  it('a lookup through a link (shelf__name) compares the linked record', async () => {
    expect(await titles('shelf__name=Science')).toEqual(['A Brief History of Time', 'Cosmos']);
    expect(await titles('shelf__name=science')).toEqual([]);
  });

  it('filters combine: every one must hold', async () => {
    expect(await titles('title__icontains=dune&pages__lt=300')).toEqual(['dune messiah']);
    expect(await titles('released__isnull=false&pages__gte=300')).toEqual(['Dune']);
    expect(await titles('title__startswith=Dune&pages__lt=300')).toEqual([]);
  });

  it('a number lookup given something else is a 400 naming it, in django-filter words', async () => {
    for (const name of ['pages', 'pages__gt', 'pages__lte']) {
      const reply = await call('GET', `/library/books/?${name}=many`);
      expect(reply).toMatchObject({ status: 400, body: { [name]: ['Enter a number.'] } });
    }
  });
});
