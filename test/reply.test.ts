import { describe, expect, it } from 'vitest';
import { MockServer } from '../src/mock-server.js';
import { createServedMock } from '../src/adapters/express.js';
import type { IncomingRequest, Reply } from '../src/core/http.js';
import { mixedDocument } from './support/contracts.js';

const mock = new MockServer({ contract: mixedDocument(), seed: 1, adminToken: 'reply-test' });
const request = (
  path: string,
  headers: Record<string, string> = { authorization: 'Bearer reply-test' },
  method = 'GET',
): IncomingRequest => ({
  method,
  url: `http://localhost/api/v3${path}`,
  headers: new Headers(headers),
  signal: new AbortController().signal,
  body: null,
});
const bodyOf = (reply: Reply) => JSON.parse(reply.body as string) as Record<string, unknown>;

describe('MockServer.reply: the answer as data, at once when nothing waits', () => {
  it('answers a read, a refusal and an unknown path without a promise, as fetch answers them', async () => {
    for (const [path, headers, status] of [
      ['/core/groups/?page_size=2', undefined, 200],
      ['/core/groups/', {}, 403],
      ['/core/nothing-here/', undefined, 404],
    ] as const) {
      const reply = mock.reply(request(path, headers));
      expect(reply).not.toBeInstanceOf(Promise);
      const response = await mock.fetch(request(path, headers));
      expect([(reply as Reply).status, bodyOf(reply as Reply)]).toEqual([status, await response.json()]);
    }
  });

  it('answers the same at once for a URL asked again (the answer cache) as the first time', () => {
    const first = mock.reply(request('/core/groups/?page_size=3')) as Reply;
    const again = [1, 2, 3].map(() => mock.reply(request('/core/groups/?page_size=3')) as Reply);
    for (const reply of again) expect(reply.body).toBe(first.body);
  });

  it('carries a cached answer’s UTF-8 bytes for the Node server (createServedMock), never for fetch', () => {
    const served = createServedMock({ contract: mixedDocument(), seed: 1, adminToken: 'reply-test' });
    const ask = (on: MockServer) => [1, 2, 3].map(() => on.reply(request('/core/groups/?page_size=3')) as Reply).at(-1)!;
    const bytes = ask(served).bytes;
    expect(new TextDecoder().decode(bytes)).toBe(ask(served).body);
    expect(ask(mock).bytes).toBeUndefined();
  });

  it('gives a promise when the answer waits (a forced delay), with the forced answer', async () => {
    const reply = mock.reply(request('/core/groups/', { authorization: 'Bearer reply-test', prefer: 'code=503, delay=10' }));
    expect(reply).toBeInstanceOf(Promise);
    expect((await reply).status).toBe(503);
  });
});
