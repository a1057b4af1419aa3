import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, ServerUnreachable } from '../src/harness/http-client.js';
import { nodeTransport } from '../src/harness/node-transport.js';

/** The harness's own HTTP client (node:http, keep-alive) against loopback servers: it must behave as fetch did. */

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += String(chunk)));
    req.on('end', () => handler(req, res, body));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

describe('the harness over node:http', () => {
  const seen: Seen[] = [];
  let connections = 0;
  let main: { server: Server; origin: string };
  let other: { server: Server; origin: string };

  beforeAll(async () => {
    const record = (req: IncomingMessage, body: string) =>
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
    other = await listen((req, res, body) => {
      record(req, body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"elsewhere":true}');
    });
    main = await listen((req, res, body) => {
      record(req, body);
      const [path] = req.url!.split('?');
      if (path === '/see-other') return void res.writeHead(303, { location: '/landed' }).end();
      if (path === '/temporary') return void res.writeHead(307, { location: '/landed' }).end();
      if (path === '/away') return void res.writeHead(302, { location: `${other.origin}/there` }).end();
      if (path === '/slow') return void setTimeout(() => res.end('late'), 500);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path, text: 'zażółć' }));
    });
    main.server.on('connection', () => connections++);
  });
  afterAll(() => {
    main.server.close();
    other.server.close();
  });

  const client = (timeoutMs?: number) => new HttpClient(main.origin, 'the-key', nodeTransport({ timeoutMs }));

  it('keeps one connection for requests one after another, and reads UTF-8 answers whole', async () => {
    const http = client();
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const answer = await http.send({ method: 'GET', path: `/item/${i}/` });
      expect([answer.status, answer.body]).toEqual([200, { path: `/item/${i}/`, text: 'zażółć' }]);
    }
    expect(connections - before).toBe(1);
    expect(seen.at(-1)!.authorization).toBe('Bearer the-key');
    http.close();
  });

  it('follows redirects as fetch does: 303 → GET without a body, 307 keeps both, no key to another origin', async () => {
    const http = client();
    seen.length = 0;
    await http.send({ method: 'POST', path: '/see-other', json: { a: 1 } });
    await http.send({ method: 'POST', path: '/temporary', json: { b: 2 } });
    const away = await http.send({ method: 'GET', path: '/away' });
    expect(away.body).toEqual({ elsewhere: true });
    expect(seen).toEqual([
      { method: 'POST', url: '/see-other', authorization: 'Bearer the-key', body: '{"a":1}' },
      { method: 'GET', url: '/landed', authorization: 'Bearer the-key', body: '' },
      { method: 'POST', url: '/temporary', authorization: 'Bearer the-key', body: '{"b":2}' },
      { method: 'POST', url: '/landed', authorization: 'Bearer the-key', body: '{"b":2}' },
      { method: 'GET', url: '/away', authorization: 'Bearer the-key', body: '' },
      { method: 'GET', url: '/there', authorization: undefined, body: '' },
    ]);
    http.close();
  });

  it('gives up on an answer that does not come in time, and says a closed port does not answer', async () => {
    const slow = client(100);
    await expect(slow.send({ method: 'GET', path: '/slow' })).rejects.toThrow(/cannot reach .*\/slow: no answer within 100 ms/);
    slow.close();
    const closed = await listen(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    const nowhere = new HttpClient(closed.origin, 'k', nodeTransport());
    const refused = nowhere.send({ method: 'GET', path: '/' });
    await expect(refused).rejects.toThrow(ServerUnreachable);
    await expect(refused).rejects.toThrow(/ECONNREFUSED/);
  });
});
