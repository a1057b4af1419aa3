/**
 * A shared demo cannot be taken over or crashed: the control API is locked, bounds hold, dumps are checked whole
 * before anything changes, ids never collide. In process (the core) and over HTTP (the Express bridge), loopback only.
 */
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import express from 'express';
import { createApp } from '../src/adapters/express.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMock } from '../src/adapters/vitest.js';
import { Contract } from '../src/contract/contract.js';
import { MockServer, type MockOptions } from '../src/mock-server.js';
import { LARGE_ANSWER_CHARS, UnsentAnswers } from '../src/core/unsent-answers.js';
import { referenceDocument } from './support/contracts.js';
import { rawRequest } from './support/raw-http.js';
import { coreRequester, type Requester } from './support/requester.js';

const contract = new Contract(referenceDocument());
const ADMIN = 'demo-admin-key';

function mockWith(options: Partial<MockOptions> = {}): { mock: MockServer; request: Requester } {
  const mock = new MockServer({ contract, seed: 4, adminToken: ADMIN, recordsPerEntity: 5, ...options });
  return { mock, request: coreRequester(mock) };
}

const api = (path: string) => `/api/v3${path}`;

/** Promises half a body on a new loopback connection, sends some of it, and goes away. */
function sendHalfAndGo(port: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /api/v3/core/groups/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name": "half`,
        () => setTimeout(() => socket.destroy(), 50),
      );
    });
    socket.on('close', () => resolve());
    socket.on('error', () => undefined);
  });
}

/** The statuses of the POSTs the mock answers from now on, in turn (the request log); `next` fails after 5 s without one. */
function loggedPosts(mock: MockServer): { next: () => Promise<number> } {
  const statuses: number[] = [];
  mock.onRequest((entry) => void (entry.method === 'POST' && statuses.push(entry.status)));
  return {
    next: async () => {
      for (let waited = 0; statuses.length === 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      if (statuses.length === 0) throw new Error('no POST answered');
      return statuses.shift()!;
    },
  };
}

/** The statuses of the first `count` answers on a new loopback connection to which `send` writes (then dropped). */
function answerStatuses(port: number, count: number, send: (socket: Socket) => void): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      // An answer follows the body before it directly: its status line is not at a line start.
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]!);
      if (statuses.length < count) return;
      socket.destroy();
      resolve(statuses);
    });
    socket.on('error', () => undefined);
    send(socket);
    setTimeout(() => reject(new Error(`${count} answers expected: ${text.slice(0, 200)}`)), 10_000).unref();
  });
}

describe('the control API is locked', () => {
  const { mock, request } = mockWith({ allowedHosts: ['localhost', '127.0.0.1'] });

  it('needs the control token (the admin key by default): no token, another key → 403, secrets never shown', async () => {
    for (const path of ['/_mock/', '/_mock/tokens', '/_mock/dump', '/_mock/resources', '/_mock/scenarios']) {
      expect((await request('GET', path, { token: null })).status, path).toBe(403);
      expect((await request('GET', path, { token: mock.world.userToken })).status, path).toBe(403);
    }
    expect((await request('POST', '/_mock/reset', { token: null })).status).toBe(403);
    const summary = await request('GET', '/_mock/', { token: ADMIN });
    expect(summary.status).toBe(200);
    expect(summary.text).not.toContain(ADMIN);
    expect(summary.text).not.toContain(mock.world.userToken);
  });

  it('answers only to allowed Host names (against DNS rebinding)', async () => {
    const evil = await mock.fetch('http://attacker.example/_mock/tokens', { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { detail: string }).detail).toMatch(/Host "attacker\.example" is not allowed/);
    const local = await mock.fetch('http://127.0.0.1:9000/_mock/tokens', { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(local.status).toBe(200);
  });

  it('takes JSON only: a text/plain load (sendable by any web page without a preflight) is a 415 and changes nothing', async () => {
    const dump = (await request('GET', '/_mock/dump', { token: ADMIN })).text;
    const version = mock.world.version;
    const reply = await request('POST', '/_mock/load', { token: ADMIN, raw: dump, contentType: 'text/plain' });
    expect(reply.status).toBe(415);
    expect(mock.world.version).toBe(version);
  });

  it('holds at most 1000 scenario rules: a post past that is a 400 and adds none', async () => {
    const { mock, request } = mockWith();
    const rule = { match: { operationId: 'core_groups_list' }, respond: { status: 503 } };
    expect((await request('POST', '/_mock/scenarios', { token: ADMIN, json: Array(1000).fill(rule) })).status).toBe(201);
    const refused = await request('POST', '/_mock/scenarios', { token: ADMIN, json: [rule] });
    expect(refused.status).toBe(400);
    expect(mock.scenarios.size).toBe(1000);
  });

  it('a separate control token replaces the admin key; controlToken: false turns the control API off', async () => {
    const separate = mockWith({ controlToken: 'operator-key' });
    expect((await separate.request('GET', '/_mock/', { token: ADMIN })).status).toBe(403);
    expect((await separate.request('GET', '/_mock/', { token: 'operator-key' })).status).toBe(200);
    const off = mockWith({ controlToken: false });
    expect((await off.request('GET', '/_mock/', { token: ADMIN })).status).toBe(404);
    expect((await off.request('GET', '/_mock/ui/', { token: null })).status).toBe(404);
    expect((await off.request('GET', api('/core/groups/'), { token: ADMIN })).status).toBe(200);
  });
});

describe('found in review, kept from coming back', () => {
  it('a PATCH whose body arrives after a DELETE answers 404 and does not bring the record back', async () => {
    const { mock, request } = mockWith();
    const group = ((await request('POST', api('/core/groups/'), { token: ADMIN, json: { name: 'short-lived' } })).body as { pk: string })
      .pk;
    let send!: (text: string) => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        send = (text) => {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        };
      },
    });
    const patch = mock.fetch(
      new Request(`http://localhost${api(`/core/groups/${group}/`)}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect((await request('DELETE', api(`/core/groups/${group}/`), { token: ADMIN })).status).toBe(204);
    send('{"name": "resurrected"}');
    expect((await patch).status).toBe(404);
    expect((await request('GET', api(`/core/groups/${group}/`), { token: ADMIN })).status).toBe(404);
  });

  it('a media type named like an Object member is not JSON: 415', async () => {
    const { request } = mockWith();
    for (const type of ['constructor', '__proto__', 'toString'])
      expect((await request('POST', api('/core/groups/'), { token: ADMIN, raw: '{"name":"x"}', contentType: type })).status, type).toBe(
        415,
      );
  });

  it('a scenario path of many stars matches in linear time, and a malformed rule id is a 404', async () => {
    const { mock, request } = mockWith();
    mock.scenarios.add({ match: { path: `/core/${'*a'.repeat(40)}*b/` }, respond: { status: 503 } });
    expect((await request('GET', api(`/core/groups/${'a'.repeat(60)}/`), { token: ADMIN })).status).toBe(404);
    expect((await request('DELETE', '/_mock/scenarios/%E0', { token: ADMIN })).status).toBe(404);
  });
});

describe('bounds', () => {
  it('many-to-many writes are de-duplicated as Django’s .set() does: 520,000 repeats store and show one', async () => {
    const { mock, request } = mockWith();
    const group = ((await request('GET', api('/core/groups/?page_size=1'), { token: ADMIN })).body as { results: Array<{ pk: string }> })
      .results[0]!;
    const user = ((await request('GET', api('/core/users/?page_size=1'), { token: ADMIN })).body as { results: Array<{ pk: number }> })
      .results[0]!;
    const raw = `{"users": [${Array(520_000).fill(user.pk).join(',')}]}`;
    expect(raw.length).toBeGreaterThan(1_000_000);
    const reply = await request('PATCH', api(`/core/groups/${group.pk}/`), { token: ADMIN, raw, contentType: 'application/json' });
    expect([200, 413]).toContain(reply.status);
    const shown = (await request('GET', api(`/core/groups/${group.pk}/`), { token: ADMIN })).body as { users: number[] };
    expect(shown.users.filter((pk) => pk === user.pk).length).toBeLessThanOrEqual(1);
    expect(mock.usage().writtenBytes).toBeLessThan(10_000);
  });

  it('huge answers are served but never cached; the cache stays within its bytes whatever the query strings', async () => {
    const { mock, request } = mockWith({ recordsPerEntity: 300, cache: { maxBytes: 1_000_000, maxEntryBytes: 100_000 } });
    // Each URL twice: an answer is cached from the second time it is asked.
    for (let junk = 0; junk < 80; junk++) {
      const reply = await request('GET', api(`/core/users/?page_size=100000&junk=${junk >> 1}`), { token: ADMIN });
      expect(reply.status).toBe(200);
    }
    for (let junk = 0; junk < 400; junk++) await request('GET', api(`/core/groups/?page_size=5&junk=${junk >> 1}`), { token: ADMIN });
    const usage = mock.usage();
    expect(usage.cachedBytes).toBeLessThanOrEqual(1_000_000);
    expect(usage.cachedAnswers).toBeGreaterThan(0);
  });

  it('a create past the record budget is a 400 that says so, and changes nothing', async () => {
    // The fresh install's groups and two generated ones are there: two more fit, a third does not.
    const held = new MockServer({ contract, seed: 4, adminToken: ADMIN, recordsPerEntity: 2 }).world.table('Group').size;
    const { mock, request } = mockWith({ recordsPerEntity: 2, limits: { maxRecordsPerTable: held + 2 } });
    const create = (n: number) => request('POST', api('/core/groups/'), { token: ADMIN, json: { name: `budget ${n}` } });
    expect((await create(1)).status).toBe(201);
    expect((await create(2)).status).toBe(201);
    const before = mock.world.version;
    const refused = await create(3);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ non_field_errors: [`This mock holds at most ${held + 2} Group records: delete some first.`] });
    expect(mock.world.version).toBe(before);
  });

  it('written bytes are budgeted: big attributes are refused once the budget is reached, and deleting frees it', async () => {
    const { mock, request } = mockWith({ limits: { maxStoredBytes: 3_000_000 } });
    const attributes = { blob: 'x'.repeat(900_000) };
    const made: string[] = [];
    for (let n = 0; n < 3; n++) {
      const reply = await request('POST', api('/core/groups/'), { token: ADMIN, json: { name: `big ${n}`, attributes } });
      expect(reply.status).toBe(201);
      made.push((reply.body as { pk: string }).pk);
    }
    expect((await request('POST', api('/core/groups/'), { token: ADMIN, json: { name: 'big 3', attributes } })).status).toBe(400);
    expect(mock.usage().writtenBytes).toBeLessThanOrEqual(3_000_000);
    expect((await request('DELETE', api(`/core/groups/${made[0]}/`), { token: ADMIN })).status).toBe(204);
    expect((await request('POST', api('/core/groups/'), { token: ADMIN, json: { name: 'big 3', attributes } })).status).toBe(201);
  });
});

describe('dumps', () => {
  it('dump → load round-trips, and reset returns to the loaded start, not the seed', async () => {
    const { request } = mockWith();
    await request('POST', api('/core/groups/'), { token: ADMIN, json: { name: 'made before the dump' } });
    const dump = (await request('GET', '/_mock/dump', { token: ADMIN })).body;
    const restarted = mockWith({ data: dump });
    const names = async (r: Requester) =>
      ((await r('GET', api('/core/groups/?page_size=1000'), { token: ADMIN })).body as { results: Array<{ name: string }> }).results.map(
        (g) => g.name,
      );
    expect(await names(restarted.request)).toContain('made before the dump');
    await restarted.request('POST', api('/core/groups/'), { token: ADMIN, json: { name: 'made after the start' } });
    expect((await restarted.request('POST', '/_mock/reset', { token: ADMIN })).status).toBe(200);
    const after = await names(restarted.request);
    expect(after).toContain('made before the dump');
    expect(after).not.toContain('made after the start');
  });

  it('a dump for other schemas, or with wrong values inside, is refused naming the first problem; nothing changes', async () => {
    const { mock, request } = mockWith();
    const dump = (await request('GET', '/_mock/dump', { token: ADMIN })).body as {
      contract: string;
      records: Record<string, Array<Record<string, unknown>>>;
    };
    const version = mock.world.version;
    const before = (await request('GET', '/_mock/dump', { token: ADMIN })).text;
    const variants: Array<[string, (d: typeof dump) => void, RegExp]> = [
      ['other contract', (d) => (d.contract = '3-deadbeef'), /made for another contract/],
      ['wrong type', (d) => (d.records['Group']![0]!['name'] = 42), /Group #0 .*"name"/],
      ['unsafe integer pk', (d) => (d.records['User']![0]!['pk'] = 2 ** 53), /User #0: "pk" must be a safe integer/],
      ['duplicate pk', (d) => (d.records['User']![1]!['pk'] = d.records['User']![0]!['pk']), /appears twice/],
      ['dangling link', (d) => (d.records['Token']![0]!['user'] = 999_999), /Token #0 .*"user" points at User 999999/],
      ['unknown entity', (d) => (d.records['Spaceship'] = []), /no such entity/],
    ];
    for (const [name, spoil, message] of variants) {
      const copy = structuredClone(dump);
      spoil(copy);
      const reply = await request('POST', '/_mock/load', { token: ADMIN, json: copy });
      expect(reply.status, name).toBe(400);
      expect((reply.body as { detail: string }).detail, name).toMatch(message);
    }
    expect(mock.world.version).toBe(version);
    expect((await request('GET', '/_mock/dump', { token: ADMIN })).text).toBe(before);
  });

  it('GET /_mock/dump streams the same text as the dump, a record at a time (never one string of it all)', async () => {
    const { mock, request } = mockWith({ recordsPerEntity: 40 });
    const streamed = (await request('GET', '/_mock/dump', { token: ADMIN })).text;
    expect(streamed).toBe(JSON.stringify(mock.world.dump()));
    const pieces = [...mock.world.dumpText()];
    expect(pieces.length).toBeGreaterThan(1000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100_000);
  });

  it('ids are never reused: a create after deletes takes a new integer pk', async () => {
    const { request } = mockWith();
    const create = async (name: string) =>
      ((await request('POST', api('/core/users/'), { token: ADMIN, json: { username: name, name } })).body as { pk: number }).pk;
    const first = await create('first-new');
    expect((await request('DELETE', api(`/core/users/${first}/`), { token: ADMIN })).status).toBe(204);
    const second = await create('second-new');
    expect(second).toBeGreaterThan(first);
  });
});

describe('over HTTP', () => {
  let origin: string;
  let close: () => Promise<void>;
  let mock: MockServer;

  beforeAll(async () => {
    const running = await startMock({
      contract,
      seed: 4,
      adminToken: ADMIN,
      recordsPerEntity: 5,
      cors: ['http://localhost:5173'],
      allowedHosts: ['127.0.0.1', 'localhost'],
    });
    ({ mock, origin, close } = running);
  });
  afterAll(() => close());

  it('an unauthenticated request is refused before its body is read: the 403 comes while the body is still unsent', async () => {
    // Promises a megabyte, sends a few bytes, and stalls.
    const statuses = await answerStatuses(Number(new URL(origin).port), 1, (socket) =>
      socket.write(
        `POST /api/v3/core/groups/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{"na`,
      ),
    );
    expect(statuses).toEqual(['403']);
    const alive = await fetch(`${origin}/api/v3/core/groups/?page_size=1`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(alive.status).toBe(200);
  });

  it('CORS for the allowed origin: the preflight is answered without auth, errors carry the headers too', async () => {
    const preflight = await fetch(`${origin}/api/v3/core/groups/`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
    const denied = await fetch(`${origin}/api/v3/core/groups/`, { headers: { origin: 'http://localhost:5173' } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await fetch(`${origin}/api/v3/core/groups/`, { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the control API answers no other origin: no CORS there, even for an origin the API allows', async () => {
    const preflight = await fetch(`${origin}/_mock/load`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const tokens = await fetch(`${origin}/_mock/tokens`, {
      headers: { origin: 'http://localhost:5173', authorization: `Bearer ${ADMIN}` },
    });
    expect(tokens.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a Host header that is not a host is not pasted into the URL (no path or user info smuggled through it)', async () => {
    const port = Number(new URL(origin).port);
    for (const host of ['localhost/_mock/tokens?', 'evil.example@127.0.0.1', 'x#']) {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
        socket.write(`GET /_mock/tokens HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${ADMIN}\r\nConnection: close\r\n\r\n`);
      });
      expect(reply, host).toMatch(/^HTTP\/1\.1 403/);
      expect(reply, host).not.toContain(ADMIN);
    }
  });

  it('a body sent in chunks without a Content-Length is a 413 once past 1 MiB, nothing is written, and the connection goes on', async () => {
    const before = mock.world.table('Group').size;
    const auth = `Host: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN}\r\n`;
    const statuses = await answerStatuses(Number(new URL(origin).port), 2, (socket) => {
      socket.write(`POST /api/v3/core/groups/ HTTP/1.1\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const piece = `{"name": "${'x'.repeat(64 * 1024)}`;
      for (let sent = 0; sent <= 1024 * 1024; sent += piece.length) socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
      // The rest of the body is discarded, and the next request on the connection is answered.
      socket.write(`0\r\n\r\nGET /api/v3/core/groups/?page_size=1 HTTP/1.1\r\n${auth}\r\n`);
    });
    expect(statuses).toEqual(['413', '200']);
    expect(mock.world.table('Group').size).toBe(before);
  });

  it('a client that goes away in the middle of its body gets its 400 (the request ends, in the log), and the server goes on', async () => {
    const logged = loggedPosts(mock);
    await sendHalfAndGo(Number(new URL(origin).port));
    expect(await logged.next()).toBe(400);
    const alive = await fetch(`${origin}/api/v3/core/groups/?page_size=1`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(alive.status).toBe(200);
  });

  it('after every attack above the server still answers, and the world is as it was', async () => {
    const summary = await fetch(`${origin}/_mock/`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(summary.status).toBe(200);
    expect(mock.usage().writtenBytes).toBe(0);
  });
});

describe('forced states on a shared server (forcedStates: "authenticated")', () => {
  const { mock, request } = mockWith({ forcedStates: 'authenticated' });
  const users = api('/core/users/');

  it('an anonymous or unknown caller cannot force anything: the Prefer header and rules give it the usual 403 at once', async () => {
    for (const prefer of ['code=500', 'network=timeout', 'delay=20000', 'network=reset', 'code=abc']) {
      const anonymous = await mock.fetch(users, { headers: { prefer } });
      expect(anonymous.status, prefer).toBe(403);
      expect(await anonymous.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
      expect((await mock.fetch(users, { headers: { prefer, authorization: 'Bearer guessed' } })).status, prefer).toBe(403);
    }
    mock.scenarios.add({ respond: { status: 500 } });
    expect((await request('GET', users, { token: null })).status).toBe(403);
    expect(mock.scenarios.pending).toBe(0);
    mock.scenarios.clear();
  });

  it('an authenticated caller forces as before: the header, and rules (for its identity or anyone)', async () => {
    const forced = await mock.fetch(users, { headers: { prefer: 'code=500', authorization: `Bearer ${mock.world.userToken}` } });
    expect(forced.status).toBe(500);
    const id = mock.scenarios.add({ match: { operationId: 'core_users_list' }, respond: { status: 503 } });
    expect((await request('GET', users, { token: ADMIN })).status).toBe(503);
    mock.scenarios.remove(id);
    expect((await request('GET', users, { token: ADMIN })).status).toBe(200);
  });

  it('by default (in process, or serve on loopback) anyone may force, before auth, as documented', async () => {
    const open = mockWith();
    expect((await open.mock.fetch(users, { headers: { prefer: 'code=500' } })).status).toBe(500);
  });
});

describe("the Express app mounted in an app of the user's", () => {
  /** The mock's app behind `before`, a middleware of the user's, on a free loopback port. */
  async function behind(before: express.RequestHandler): Promise<{ mock: MockServer; port: number; close: () => void }> {
    const { mock } = mockWith();
    const app = express().use(before).use(createApp({ mock }));
    const server = await new Promise<Server>((resolve) => {
      const listening: Server = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    return { mock, port: (server.address() as AddressInfo).port, close: () => void server.close() };
  }

  it('a client gone before the mock reads its body (a middleware waited first) gets its 400: the request ends', async () => {
    const { mock, port, close } = await behind((_req, _res, next) => void setTimeout(next, 300));
    const logged = loggedPosts(mock);
    await sendHalfAndGo(port);
    expect(await logged.next()).toBe(400);
    expect(mock.usage().writtenBytes).toBe(0);
    close();
  });

  it('a body a middleware paused is still read', async () => {
    const { port, close } = await behind((req, _res, next) => {
      req.pause();
      next();
    });
    const reply = await fetch(`http://127.0.0.1:${port}/api/v3/core/groups/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'read after a pause' }),
    });
    expect(reply.status).toBe(201);
    close();
  });
});

describe('held answers (forced delays, network=timeout)', () => {
  it('are capped at 30 s by default: a longer delay is a 400 naming the cap, in a header or a rule', async () => {
    const { mock, request } = mockWith();
    const reply = await mock.fetch(api('/core/users/'), { headers: { prefer: 'delay=31000', authorization: `Bearer ${ADMIN}` } });
    expect(reply.status).toBe(400);
    expect(((await reply.json()) as { detail: string }).detail).toMatch(/from 0 to 30000/);
    const rule = await request('POST', '/_mock/scenarios', { token: ADMIN, json: { respond: { delay: 60_000 } } });
    expect(rule.status).toBe(400);
    expect(() => mock.scenarios.add({ respond: { network: 'timeout', delay: 30_001 } })).toThrow(/30000/);
  });

  it('a timeout is given up after the cap (holds.maxMs), and the held place is free again', async () => {
    const { mock } = mockWith({ holds: { maxMs: 50, total: 1 } });
    const held = await mock.fetch(api('/core/users/'), { headers: { prefer: 'network=timeout', authorization: `Bearer ${ADMIN}` } });
    expect(held.type).toBe('error');
    expect(mock.scenarios.pending).toBe(0);
    const again = await mock.fetch(api('/core/users/'), { headers: { prefer: 'delay=1', authorization: `Bearer ${ADMIN}` } });
    expect(again.status).toBe(200);
  });

  it('count against a limit for all clients: past it, DRF’s 429 with Retry-After, and normal requests still answer', async () => {
    const { mock, request } = mockWith({ holds: { total: 3 } });
    const controller = new AbortController();
    const hold = () =>
      mock.fetch(api('/core/users/'), {
        headers: { prefer: 'network=timeout', authorization: `Bearer ${ADMIN}` },
        signal: controller.signal,
      });
    const held = [hold(), hold(), hold()];
    await vi.waitFor(() => expect(mock.scenarios.pending).toBe(3));
    const refused = await hold();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(((await refused.json()) as { detail: string }).detail).toMatch(
      /^Request was throttled: 3 requests are held .* Expected available in 30 seconds\.$/,
    );
    expect((await request('GET', api('/core/users/'), { token: ADMIN })).status).toBe(200);
    controller.abort();
    await Promise.all(held);
    expect(mock.scenarios.pending).toBe(0);
  });
});

describe('writes refused while the data cannot be kept (refuseWrites)', () => {
  it('unsafe methods answer 503 saying why and change nothing; reads go on; the summary says so; then writes are back', async () => {
    const { mock, request } = mockWith();
    mock.refuseWrites('This mock cannot save its data (world.json: disk full).');
    const version = mock.world.version;
    const refused = await request('POST', api('/core/groups/'), { token: ADMIN, json: { name: 'lost?' } });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      detail: 'Service temporarily unavailable, try again later. This mock cannot save its data (world.json: disk full).',
    });
    const group = ((await request('GET', api('/core/groups/?page_size=1'), { token: ADMIN })).body as { results: Array<{ pk: string }> })
      .results[0]!.pk;
    expect((await request('PATCH', api(`/core/groups/${group}/`), { token: ADMIN, json: { name: 'x' } })).status).toBe(503);
    expect((await request('DELETE', api(`/core/groups/${group}/`), { token: ADMIN })).status).toBe(503);
    expect((await request('POST', api('/core/groups/'), { token: null, json: { name: 'anon' } })).status).toBe(403);
    expect(mock.world.version).toBe(version);
    expect((await request('GET', api(`/core/groups/${group}/`), { token: ADMIN })).status).toBe(200);
    expect((await request('GET', '/_mock/', { token: ADMIN })).body).toMatchObject({
      writes: { accepted: false, reason: 'This mock cannot save its data (world.json: disk full).' },
    });
    mock.refuseWrites(undefined);
    expect((await request('POST', api('/core/groups/'), { token: ADMIN, json: { name: 'kept' } })).status).toBe(201);
    expect((await request('GET', '/_mock/', { token: ADMIN })).body).toMatchObject({ writes: { accepted: true } });
  });
});

describe('the control API hands out only keys that work', () => {
  it('a printed key that no longer authenticates is null, with why', async () => {
    const { request } = mockWith();
    const tokens = async () => (await request('GET', '/_mock/tokens', { token: ADMIN })).body as Record<string, unknown>;
    expect(await tokens()).toEqual({ admin: ADMIN, user: expect.any(String) });
    const expired = { expiring: true, expires: '2001-01-01T00:00:00Z' };
    expect((await request('PATCH', api('/core/tokens/authentik-mock-user/'), { token: ADMIN, json: expired })).status).toBe(200);
    expect(await tokens()).toEqual({
      admin: ADMIN,
      user: null,
      problems: { user: expect.stringMatching(/does not authenticate/) },
    });
  });
});

describe('held answers over HTTP: a limit per client address', () => {
  it('one address holds at most perClient, all addresses at most total; past either a 429 at once; normal requests answer', async () => {
    const running = await startMock({ contract, seed: 4, adminToken: ADMIN, recordsPerEntity: 2, holds: { perClient: 2, total: 3 } });
    const port = Number(new URL(running.origin).port);
    const hold = (localAddress: string) =>
      rawRequest(port, '/api/v3/core/users/', { headers: { prefer: 'network=timeout', authorization: `Bearer ${ADMIN}` }, localAddress });
    try {
      const held = [hold('127.0.0.1'), hold('127.0.0.1')];
      await vi.waitFor(() => expect(running.mock.scenarios.pending).toBe(2));
      const third = hold('127.0.0.1');
      expect(await third.status()).toBe(429);
      expect(await third.text()).toMatch(/this client already has 2 requests held/);
      held.push(hold('127.0.0.2'));
      await vi.waitFor(() => expect(running.mock.scenarios.pending).toBe(3));
      const overAll = hold('127.0.0.3');
      expect(await overAll.status()).toBe(429);
      expect(await overAll.text()).toMatch(/3 requests are held .* for all clients/);
      const normal = await fetch(`${running.apiUrl}core/users/?page_size=1`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(normal.status).toBe(200);
      // A client that goes gives its place back.
      held[0]!.socket.destroy();
      await vi.waitFor(() => expect(running.mock.scenarios.pending).toBe(2));
      for (const request of [...held, third, overAll]) request.socket.destroy();
      await vi.waitFor(() => expect(running.mock.scenarios.pending).toBe(0));
    } finally {
      await running.close();
    }
  });
});

describe('unread answers are bounded in all (maxUnsentBytes: what the Express adapter and serve set)', () => {
  const page = api('/oauth2/access_tokens/?page_size=100000');

  it('past the bound a read is a 503 in DRF’s words; small answers go on; an answer read or cancelled frees its place', async () => {
    const { mock, request } = mockWith({ recordsPerEntity: 1000, maxUnsentBytes: 5_000_000 });
    const get = () => mock.fetch(page, { headers: { authorization: `Bearer ${ADMIN}` } });
    const first = await get();
    const second = await get();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(mock.usage().unsentBytes).toBeGreaterThan(4_000_000);
    const refused = await get();
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(
      /^Service temporarily unavailable, try again later\. This mock holds 5 MiB of answers its clients have not read yet \(at most 5 MiB\)\.$/,
    );
    expect((await request('GET', api('/core/groups/?page_size=1'), { token: ADMIN })).status).toBe(200);
    // The control API's answers are never refused.
    expect((await request('GET', '/_mock/', { token: ADMIN })).status).toBe(200);
    const text = await first.text();
    expect(first.headers.get('content-length')).toBe(String(new TextEncoder().encode(text).length));
    expect(JSON.parse(text)).toMatchObject({ pagination: { count: 1000 } });
    await second.body!.cancel();
    expect(mock.usage().unsentBytes).toBe(0);
    const third = await get();
    expect(third.status).toBe(200);
    expect(await third.text()).toBe(text);
  });

  it('a streamed answer is the same text, byte for byte, even where a piece ends inside a surrogate pair', async () => {
    const unsent = new UnsentAnswers(1_000_000);
    const text = `${'x'.repeat(LARGE_ANSWER_CHARS - 1)}😀é${'y'.repeat(LARGE_ANSWER_CHARS)}€`;
    const answer = unsent.admit({ status: 200, headers: {}, body: text }, new Request('http://localhost/'), 1);
    expect(unsent.heldBytes).toBe(text.length);
    const bytes = new Uint8Array(await new Response(answer.body as ReadableStream<Uint8Array>).arrayBuffer());
    expect(new TextDecoder().decode(bytes)).toBe(text);
    expect(answer.headers['content-length']).toBe(String(bytes.length));
    expect(unsent.heldBytes).toBe(0);
  });
});
