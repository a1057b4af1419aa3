import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMock } from '../src/adapters/vitest.js';
import { createHandlers } from '../src/adapters/msw.js';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { parsePrefer, validateRule, type ScenarioRule } from '../src/core/scenarios.js';
import { parseBody } from '../src/harness/http-client.js';
import { mixedDocument } from './support/contracts.js';
import { encode, type RequestOptions } from './support/requester.js';

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

type Options = RequestOptions & { prefer?: string; signal?: AbortSignal };
type Send = (method: string, path: string, options?: Options) => Promise<Reply>;

interface Target {
  name: string;
  mock: MockServer;
  send: Send;
  close: () => Promise<void>;
}

async function headersAndBody(options: Options): Promise<{ headers: Record<string, string>; body?: Uint8Array }> {
  const encoded = await encode(options);
  if (options.prefer !== undefined) encoded.headers['prefer'] = options.prefer;
  return encoded;
}

/** Over fetch (Express on a loopback port, or MSW intercepting fetch): a network failure rejects. */
function fetchSend(origin: string): Send {
  return async (method, path, options = {}) => {
    const { headers, body } = await headersAndBody(options);
    const response = await fetch(`${origin}${path}`, {
      method,
      headers,
      body: body as BodyInit | undefined,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers), body: parseBody(text), text };
  };
}

/** The core called directly, behaving like fetch: a network failure rejects, a client that gives up rejects with its reason. */
function coreSend(mock: MockServer): Send {
  return async (method, path, options = {}) => {
    const { headers, body } = await headersAndBody(options);
    const response = await mock.fetch(path, {
      method,
      headers,
      ...(body ? { body: body as BodyInit } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.signal?.aborted) throw options.signal.reason;
    if (response.type === 'error') throw new TypeError('fetch failed');
    const text = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers), body: parseBody(text), text };
  };
}

const contract = new Contract(mixedDocument());
const SERVER_ERROR = { detail: 'A server error occurred.' };

const targets: Array<[string, () => Promise<Target>]> = [
  [
    'core',
    async () => {
      const mock = new MockServer({ contract, seed: 1 });
      return { name: 'core', mock, send: coreSend(mock), close: async () => {} };
    },
  ],
  [
    'express',
    async () => {
      const running = await startMock({ contract, seed: 1 });
      return { name: 'express', mock: running.mock, send: fetchSend(running.origin), close: running.close };
    },
  ],
  [
    'msw',
    async () => {
      const handlers = createHandlers({ contract, seed: 1, origin: 'http://authentik.test' });
      const server = setupServer(...handlers);
      server.listen({ onUnhandledRequest: 'error' });
      return { name: 'msw', mock: handlers.mock, send: fetchSend('http://authentik.test'), close: async () => server.close() };
    },
  ],
];

type Way = 'header' | 'control' | 'code';
const WAYS: Way[] = ['header', 'control', 'code'];

for (const [name, start] of targets) {
  let t: Target;
  let admin: string;
  let user: string;
  const call: Send = (method, path, options = {}) => t.send(method, `/api/v3${path}`, { token: admin, ...options });
  /** The control API, with the control token (the admin key by default). */
  const control: Send = (method, path, options = {}) => t.send(method, path, { token: admin, ...options });

  /** Installs a rule the given way; for `header`, returns the Prefer header that forces the same answer instead. */
  async function force(way: Way, rule: ScenarioRule): Promise<string | undefined> {
    if (way === 'code') {
      t.mock.scenarios.add(rule);
      return undefined;
    }
    if (way === 'control') {
      const reply = await control('POST', '/_mock/scenarios', { json: rule });
      expect(reply.status, reply.text).toBe(201);
      return undefined;
    }
    const { status, delay, network } = rule.respond;
    return [status !== undefined && `code=${status}`, delay !== undefined && `delay=${delay}`, network && `network=${network}`]
      .filter(Boolean)
      .join(', ');
  }

  describe(`UI states on demand (${name})`, () => {
    beforeAll(async () => {
      t = await start();
      admin = t.mock.world.adminToken;
      user = t.mock.world.userToken;
    });
    beforeEach(async () => {
      expect((await control('POST', '/_mock/reset')).status).toBe(200);
    });
    afterAll(() => t.close());

    for (const way of WAYS) {
      it(`${way}: a 500 on one operation only, with DRF's body`, async () => {
        const prefer = await force(way, { match: { operationId: 'core_users_list' }, respond: { status: 500 } });
        const forced = await call('GET', '/core/users/', { prefer });
        expect(forced.status).toBe(500);
        expect(forced.body).toEqual(SERVER_ERROR);
        expect(forced.headers['content-type']).toMatch(/application\/json/);
        expect((await call('GET', '/core/groups/', { prefer: way === 'header' ? undefined : prefer })).status).toBe(200);
        if (way !== 'header') expect((await call('GET', '/core/users/')).status).toBe(500);
      });

      it(`${way}: a delay delays the real answer`, async () => {
        const prefer = await force(way, { match: { method: 'GET', path: '/core/users/*' }, respond: { delay: 120 } });
        const started = performance.now();
        const reply = await call('GET', '/core/users/?page_size=2', { prefer });
        expect(performance.now() - started).toBeGreaterThanOrEqual(118);
        expect(reply.status).toBe(200);
        expect(contract.validateResponse('core_users_list', 200, reply.body)).toEqual([]);
        expect(t.mock.scenarios.pending).toBe(0);
      });

      it(`${way}: a reset makes the client's fetch reject`, async () => {
        const prefer = await force(way, { match: { operationId: 'core_groups_list' }, respond: { network: 'reset' }, times: 1 });
        await expect(call('GET', '/core/groups/', { prefer })).rejects.toThrow(TypeError);
        expect((await call('GET', '/core/groups/')).status).toBe(200);
      });

      it(`${way}: a timeout never answers; the client's own timeout ends it, and no timer is left`, async () => {
        const prefer = await force(way, { match: { operationId: 'core_groups_list' }, respond: { network: 'timeout' } });
        const started = performance.now();
        await expect(call('GET', '/core/groups/', { prefer, signal: AbortSignal.timeout(200) })).rejects.toMatchObject({
          name: 'TimeoutError',
        });
        expect(performance.now() - started).toBeGreaterThanOrEqual(190);
        await vi.waitFor(() => expect(t.mock.scenarios.pending).toBe(0), { timeout: 2000, interval: 10 });
      });

      it(`${way}: a forced status changes no state`, async () => {
        const before = JSON.stringify(t.mock.world.dump());
        const version = t.mock.world.version;
        const prefer200 = await force(way, { match: { operationId: 'core_users_partial_update' }, respond: { status: 200 }, times: 1 });
        const ok = await call('PATCH', '/core/users/1/', { json: { name: 'Renamed by a forced answer' }, prefer: prefer200 });
        expect(ok.status).toBe(200);
        expect(contract.validateResponse('core_users_partial_update', 200, ok.body)).toEqual([]);
        const prefer500 = await force(way, { match: { operationId: 'widgets_widgets_destroy' }, respond: { status: 500 }, times: 1 });
        const widgets = ((await control('GET', '/_mock/resources')).body as Array<{ path: string; keys: unknown[] }>).find(
          (r) => r.path === '/widgets/widgets/',
        )!;
        const slug = String(widgets.keys[0]);
        expect((await call('DELETE', `/widgets/widgets/${slug}/`, { prefer: prefer500 })).status).toBe(500);
        const prefer204 = await force(way, { match: { operationId: 'widgets_widgets_destroy' }, respond: { status: 204 }, times: 1 });
        expect((await call('DELETE', `/widgets/widgets/${slug}/`, { prefer: prefer204 })).status).toBe(204);
        expect(t.mock.world.version).toBe(version);
        expect(JSON.stringify(t.mock.world.dump())).toBe(before);
        expect((await call('GET', `/widgets/widgets/${slug}/`)).status).toBe(200);
      });
    }

    for (const way of ['control', 'code'] as const) {
      it(`${way}: a 503 once, then normal`, async () => {
        await force(way, { match: { operationId: 'core_users_list' }, respond: { status: 503 }, times: 1 });
        const first = await call('GET', '/core/users/');
        expect(first.status).toBe(503);
        expect(first.body).toEqual({ detail: 'Service Unavailable.' });
        expect((await call('GET', '/core/users/')).status).toBe(200);
        expect(t.mock.scenarios.list()).toEqual([]);
      });

      it(`${way}: a rule scoped to an identity leaves the other alone`, async () => {
        await force(way, { match: { operationId: 'core_groups_list' }, respond: { status: 503 }, identity: 'user' });
        expect((await call('GET', '/core/groups/', { token: user })).status).toBe(503);
        expect((await call('GET', '/core/groups/', { token: admin })).status).toBe(200);
        expect((await call('GET', '/core/groups/', { token: null })).status).toBe(403);
      });

      it(`${way}: first match wins, and POST /_mock/reset clears the rules`, async () => {
        await force(way, { match: { operationId: 'core_groups_list' }, respond: { status: 502 } });
        await force(way, { respond: { status: 500 } });
        expect((await call('GET', '/core/groups/')).status).toBe(502);
        expect((await call('GET', '/core/tokens/')).status).toBe(500);
        expect(((await control('GET', '/_mock/scenarios')).body as unknown[]).length).toBe(2);
        expect((await control('POST', '/_mock/reset')).status).toBe(200);
        expect((await control('GET', '/_mock/scenarios')).body).toEqual([]);
        expect((await call('GET', '/core/groups/')).status).toBe(200);
      });
    }

    it('documented statuses answer the contract’s bodies: 400 ValidationError, 403 GenericError, 404 Not found.', async () => {
      const bad = await call('GET', '/core/users/', { prefer: 'code=400' });
      expect(bad).toMatchObject({ status: 400, body: { non_field_errors: ['Forced by the mock.'] } });
      expect(contract.validateResponse('core_users_list', 400, bad.body)).toEqual([]);
      const denied = await call('GET', '/core/users/', { prefer: 'CODE=403' });
      expect(denied).toMatchObject({ status: 403, body: { detail: 'You do not have permission to perform this action.' } });
      expect(contract.validateResponse('core_users_list', 403, denied.body)).toEqual([]);
      expect(await call('GET', '/core/groups/', { prefer: 'code=404; delay=10' })).toMatchObject({
        status: 404,
        body: { detail: 'Not found.' },
      });
      expect(await call('GET', '/core/groups/', { prefer: 'respond-async, code=429' })).toMatchObject({
        status: 429,
        body: { detail: 'Request was throttled.' },
      });
    });

    it('forced answers come after routing and before auth; a bad Prefer value is a 400 naming it', async () => {
      expect((await call('GET', '/core/nothing-here/', { prefer: 'code=500' })).status).toBe(404);
      expect(await call('GET', '/core/users/', { token: null, prefer: 'code=500' })).toMatchObject({ status: 500, body: SERVER_ERROR });
      const bad = await call('GET', '/core/users/', { prefer: 'code=abc' });
      expect(bad.status).toBe(400);
      expect(String((bad.body as { detail: string }).detail)).toMatch(/code=abc/);
      expect((await call('GET', '/core/users/', { prefer: 'wait=10' })).status).toBe(200);
    });

    it('the control API lists, validates, deletes one rule and all', async () => {
      expect((await control('POST', '/_mock/scenarios', { raw: '{"respond":{"status":500}}', contentType: 'text/plain' })).status).toBe(
        415,
      );
      const bad = await control('POST', '/_mock/scenarios', {
        json: { match: { operationId: 'core_users_list' }, respond: { status: 99 } },
      });
      expect(bad.status).toBe(400);
      expect((bad.body as { detail: string }).detail).toMatch(/respond\.status/);
      expect((await control('POST', '/_mock/scenarios', { json: { respond: { status: 500, network: 'reset' } } })).status).toBe(400);
      expect((await control('POST', '/_mock/scenarios', { json: { respond: {}, times: 0 } })).status).toBe(400);
      expect((await control('POST', '/_mock/scenarios', { raw: '{', contentType: 'application/json' })).status).toBe(400);
      const created = await control('POST', '/_mock/scenarios', {
        json: [
          { match: { operationId: 'core_users_list' }, respond: { status: 500 } },
          { respond: { delay: 5 }, identity: 'admin' },
        ],
      });
      expect(created.status).toBe(201);
      const [first, second] = created.body as Array<{ id: string }>;
      expect((await control('GET', '/_mock/scenarios')).body).toEqual([
        { id: first!.id, match: { operationId: 'core_users_list' }, respond: { status: 500 } },
        { id: second!.id, respond: { delay: 5 }, identity: 'admin' },
      ]);
      expect((await control('DELETE', `/_mock/scenarios/${first!.id}`)).status).toBe(204);
      expect((await control('DELETE', `/_mock/scenarios/${first!.id}`)).status).toBe(404);
      expect((await call('GET', '/core/users/')).status).toBe(200);
      expect((await control('DELETE', '/_mock/scenarios')).status).toBe(204);
      expect(t.mock.scenarios.size).toBe(0);
    });
  });
}

describe('rules and Prefer headers, checked', () => {
  it('names the problem of a bad rule', () => {
    expect(() => validateRule({ respond: { status: 500 }, identity: 'root' })).toThrow(/identity/);
    expect(() => validateRule({ match: { path: 'core/users/' }, respond: { status: 500 } })).toThrow(/match\.path/);
    expect(() => validateRule({ match: { operationId: 'x' }, respond: { status: 500 }, extra: 1 })).toThrow(/"extra"/);
    expect(() => validateRule({ respond: { delay: 400_000 } })).toThrow(/respond\.delay/);
    expect(() => validateRule({ respond: { network: 'slow' } })).toThrow(/respond\.network/);
  });

  it('reads Prism’s Prefer header and the mock’s network preference', () => {
    expect(parsePrefer('code=500, delay=1500')).toEqual({ status: 500, delay: 1500 });
    expect(parsePrefer('Code=404;Delay=5')).toEqual({ status: 404, delay: 5 });
    expect(parsePrefer('network=RESET')).toEqual({ network: 'reset' });
    expect(parsePrefer('return=minimal')).toBeUndefined();
    expect(() => parsePrefer('code=500, network=timeout')).toThrow(/network failure/);
  });
});
