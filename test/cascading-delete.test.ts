import { beforeEach, describe, expect, it } from 'vitest';
import { MockServer } from '../src/mock-server.js';
import { libraryContract, ref, resource } from './support/library.js';
import { coreRequester, type Reply, type RequestOptions, type Requester } from './support/requester.js';

/**
 * A DELETE removes what cannot live without the record, as Django's on_delete does: CASCADE for a required link
 * (through as many levels as there are), SET_NULL for a nullable one, and a many-to-many loses the pk. Checked
 * through requests only, on a small library written here: a book must be on a shelf, may have an author, has tags;
 * a bookmark must point at a book.
 */

const TOKEN = 'cascading-delete-token';

const named = (field: string) => ({
  type: 'object',
  properties: { pk: { type: 'integer', readOnly: true }, [field]: { type: 'string', maxLength: 64 } },
  required: ['pk', field],
});
const namedRequest = (field: string) => ({
  type: 'object',
  properties: { [field]: { type: 'string', minLength: 1, maxLength: 64 } },
  required: [field],
});
const bookFields = {
  title: { type: 'string', maxLength: 128 },
  shelf: { type: 'integer' },
  author: { type: 'integer', nullable: true },
  tags: { type: 'array', items: { type: 'integer' } },
};

const components = {
  Shelf: named('name'),
  ShelfRequest: namedRequest('name'),
  Author: named('name'),
  AuthorRequest: namedRequest('name'),
  Tag: named('label'),
  TagRequest: namedRequest('label'),
  Book: {
    type: 'object',
    properties: {
      pk: { type: 'integer', readOnly: true },
      ...bookFields,
      author_obj: { allOf: [ref('Author')], nullable: true, readOnly: true },
    },
    required: ['pk', 'title', 'shelf', 'author', 'author_obj', 'tags'],
  },
  BookRequest: { type: 'object', properties: bookFields, required: ['title', 'shelf'] },
  Bookmark: {
    type: 'object',
    properties: { pk: { type: 'integer', readOnly: true }, book: { type: 'integer' }, page: { type: 'integer' } },
    required: ['pk', 'book', 'page'],
  },
  BookmarkRequest: { type: 'object', properties: { book: { type: 'integer' }, page: { type: 'integer' } }, required: ['book', 'page'] },
};

const contract = libraryContract(
  {
    ...resource('/library/shelves/', 'Shelf'),
    ...resource('/library/authors/', 'Author'),
    ...resource('/library/tags/', 'Tag'),
    ...resource('/library/books/', 'Book'),
    ...resource('/library/bookmarks/', 'Bookmark'),
  },
  components,
);

interface Book {
  pk: number;
  title: string;
  shelf: number;
  author: number | null;
  author_obj: { pk: number; name: string } | null;
  tags: number[];
}

describe('a DELETE cascades as Django does', () => {
  let request: Requester;
  const call = (method: string, path: string, options: RequestOptions = {}): Promise<Reply> =>
    request(method, `/api/v3/library${path}`, { token: TOKEN, ...options });

  async function create(path: string, body: object): Promise<number> {
    const reply = await call('POST', path, { json: body });
    expect(reply.status, reply.text).toBe(201);
    return (reply.body as { pk: number }).pk;
  }
  async function list<T>(path: string): Promise<T[]> {
    const reply = await call('GET', `${path}?page_size=1000`);
    expect(reply.status, reply.text).toBe(200);
    return (reply.body as { results: T[] }).results;
  }
  async function destroy(path: string): Promise<void> {
    const reply = await call('DELETE', path);
    expect(reply.status, reply.text).toBe(204);
  }
  const books = () => list<Book>('/books/');
  const titles = async () => (await books()).map((b) => b.title);
  const bookmarkedBooks = async () => (await list<{ book: number }>('/bookmarks/')).map((b) => b.book);

  let shelf: Record<'fiction' | 'science', number>;
  let author: Record<'herbert' | 'sagan', number>;
  let tag: Record<'classic' | 'space' | 'signed', number>;
  let book: Record<'dune' | 'messiah' | 'cosmos', number>;

  beforeEach(async () => {
    // No generated records: the world holds exactly what is created here.
    request = coreRequester(new MockServer({ contract, seed: 4, recordsPerEntity: 0, adminToken: TOKEN }));
    shelf = { fiction: await create('/shelves/', { name: 'Fiction' }), science: await create('/shelves/', { name: 'Science' }) };
    author = { herbert: await create('/authors/', { name: 'Herbert' }), sagan: await create('/authors/', { name: 'Sagan' }) };
    tag = {
      classic: await create('/tags/', { label: 'classic' }),
      space: await create('/tags/', { label: 'space' }),
      signed: await create('/tags/', { label: 'signed' }),
    };
    book = {
      dune: await create('/books/', { title: 'Dune', shelf: shelf.fiction, author: author.herbert, tags: [tag.classic, tag.space] }),
      messiah: await create('/books/', { title: 'Dune Messiah', shelf: shelf.fiction, author: author.herbert, tags: [tag.space] }),
      cosmos: await create('/books/', {
        title: 'Cosmos',
        shelf: shelf.science,
        author: author.sagan,
        tags: [tag.signed, tag.space, tag.classic],
      }),
    };
    for (const [pk, page] of [
      [book.dune, 10],
      [book.dune, 99],
      [book.messiah, 5],
      [book.cosmos, 7],
    ] as const)
      await create('/bookmarks/', { book: pk, page });
  });

  it('deleting a shelf deletes its books (a required link: CASCADE), and the bookmarks of those books in turn', async () => {
    await destroy(`/shelves/${shelf.fiction}/`);
    expect(await titles()).toEqual(['Cosmos']);
    for (const pk of [book.dune, book.messiah]) expect((await call('GET', `/books/${pk}/`)).status).toBe(404);
    expect(await bookmarkedBooks()).toEqual([book.cosmos]);
    // What linked elsewhere is untouched.
    expect((await list<{ name: string }>('/shelves/')).map((s) => s.name)).toEqual(['Science']);
    expect((await list<{ name: string }>('/authors/')).map((a) => a.name)).toEqual(['Herbert', 'Sagan']);
    expect((await list<{ label: string }>('/tags/')).map((t) => t.label)).toEqual(['classic', 'space', 'signed']);
  });

  it('deleting a book deletes its bookmarks, and only those', async () => {
    await destroy(`/books/${book.dune}/`);
    expect(await titles()).toEqual(['Dune Messiah', 'Cosmos']);
    expect(await bookmarkedBooks()).toEqual([book.messiah, book.cosmos]);
  });

  it('deleting an author keeps their books and empties the link (a nullable link: SET_NULL)', async () => {
    await destroy(`/authors/${author.herbert}/`);
    const after = await books();
    expect(after.map((b) => [b.title, b.author, b.author_obj])).toEqual([
      ['Dune', null, null],
      ['Dune Messiah', null, null],
      ['Cosmos', author.sagan, { pk: author.sagan, name: 'Sagan' }],
    ]);
    expect((await call('GET', `/books/${book.dune}/`)).body).toMatchObject({ author: null, author_obj: null, shelf: shelf.fiction });
    expect(await bookmarkedBooks()).toEqual([book.dune, book.dune, book.messiah, book.cosmos]);
  });

  it('deleting a tag takes it out of every book that lists it (many-to-many), the books and other tags stay', async () => {
    await destroy(`/tags/${tag.space}/`);
    expect((await books()).map((b) => [b.title, b.tags])).toEqual([
      ['Dune', [tag.classic]],
      ['Dune Messiah', []],
      ['Cosmos', [tag.signed, tag.classic]],
    ]);
  });

  it('deleting a record nothing links to changes nothing else', async () => {
    const before = await Promise.all(['/shelves/', '/authors/', '/tags/', '/books/'].map((p) => call('GET', `${p}?page_size=1000`)));
    await destroy(`/bookmarks/${(await list<{ pk: number; page: number }>('/bookmarks/')).find((b) => b.page === 99)!.pk}/`);
    const after = await Promise.all(['/shelves/', '/authors/', '/tags/', '/books/'].map((p) => call('GET', `${p}?page_size=1000`)));
    expect(after.map((r) => r.text)).toEqual(before.map((r) => r.text));
    expect(await bookmarkedBooks()).toEqual([book.dune, book.messiah, book.cosmos]);
  });

  it('a deleted record is gone: 404 to read or delete again, and a link to it is refused', async () => {
    await destroy(`/shelves/${shelf.science}/`);
    expect(await call('GET', `/shelves/${shelf.science}/`)).toMatchObject({ status: 404 });
    expect(await call('DELETE', `/shelves/${shelf.science}/`)).toMatchObject({ status: 404 });
    expect(await call('POST', '/books/', { json: { title: 'Contact', shelf: shelf.science } })).toMatchObject({
      status: 400,
      body: { shelf: [`Invalid pk "${shelf.science}" - object does not exist.`] },
    });
    expect(await call('POST', '/bookmarks/', { json: { book: book.cosmos, page: 1 } })).toMatchObject({
      status: 400,
      body: { book: [`Invalid pk "${book.cosmos}" - object does not exist.`] },
    });
  });
});
