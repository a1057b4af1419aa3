import { createServer, type AddressInfo } from 'node:net';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerContract } from '../src/cli/contract-command.js';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/core/mock-server.js';
import { ServerUnreachable, type FetchLike } from '../src/harness/http-client.js';
import { closingLine, junitXml, type ContractReport } from '../src/harness/report.js';
import { runContract } from '../src/harness/run-contract.js';
import { mixedDocument } from './support/contracts.js';

const contract = new Contract(mixedDocument());
/** An answer as the server sent it, for a tamper hook to change. */
interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}
type Tamper = (request: { method: string; url: URL; body: unknown; auth: string | undefined }, response: Reply, mock: MockServer) => Reply;

/** The mock as a fetch function, with a hook to break it the way a faulty server would be broken. */
function serverFetch(tamper?: Tamper): { fetch: FetchLike; mock: MockServer } {
  const mock = new MockServer({ contract, seed: 2, adminToken: 'harness-token' });
  const fetch: FetchLike = async (url, init) => {
    const headers = Object.fromEntries(new Headers(init.headers));
    const text = typeof init.body === 'string' ? init.body : undefined;
    const sent = await mock.fetch(url, init);
    const response: Reply = { status: sent.status, headers: Object.fromEntries(sent.headers), body: await sent.text() };
    const request = {
      method: init.method ?? 'GET',
      url: new URL(url),
      body: text && headers['content-type']?.includes('json') ? JSON.parse(text) : text,
      auth: headers['authorization'],
    };
    const answer = tamper ? tamper(request, response, mock) : response;
    return new Response(answer.status === 204 ? null : (answer.body ?? null), { status: answer.status, headers: answer.headers });
  };
  return { fetch, mock };
}

const run = (tamper?: Tamper, only?: string[]) =>
  runContract({
    contract,
    baseUrl: 'http://mock.test',
    token: 'harness-token',
    allowWrites: true,
    fetch: serverFetch(tamper).fetch,
    ...(only ? { only } : {}),
  });

function bodyOf(response: Reply): Record<string, unknown> {
  return JSON.parse(response.body ?? 'null') as Record<string, unknown>;
}

function withBody(response: Reply, body: unknown, status = response.status): Reply {
  return { ...response, status, body: JSON.stringify(body) };
}

function failureOf(report: ContractReport, operationId: string): string {
  const result = report.results.find((r) => r.operationId === operationId)!;
  expect(result.verdict, `${operationId} should fail`).toBe('fail');
  return result.problems.join('\n');
}

describe('the harness against the mock', () => {
  it('passes every operation it can check, and says why it skips the rest', async () => {
    const report = await run();
    const failures = report.results.filter((r) => r.verdict === 'fail').map((r) => `${r.operationId}: ${r.problems.join(' | ')}`);
    expect(failures).toEqual([]);
    expect(report.passed).toBeGreaterThan(contract.operations.length - 3);
    for (const skipped of report.results.filter((r) => r.verdict === 'skip'))
      expect(skipped.reason).toMatch(/cannot read the record|no key|no create/);
    expect(closingLine(report)).toBe(`${report.passed} passed, 0 failed, ${report.skipped} skipped`);
  });

  it('checks nothing that writes without allowWrites, and reports those operations as skipped, not passed', async () => {
    const report = await runContract({ contract, baseUrl: 'http://mock.test/api/v3/', token: 'harness-token', fetch: serverFetch().fetch });
    const writes = report.results.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes)
      expect([write.verdict, write.reason]).toEqual(['skip', 'writes are checked only with --allow-writes (authentication was checked)']);
  });
});

describe('the harness catches a broken server', () => {
  it('a field of the wrong type', async () => {
    const report = await run(
      (req, res) =>
        req.url.pathname.startsWith('/api/v3/core/groups/') && res.status === 200 && req.method === 'GET'
          ? withBody(res, { ...bodyOf(res), name: 123 })
          : res,
      ['core_groups_retrieve'],
    );
    expect(failureOf(report, 'core_groups_retrieve')).toMatch(
      /valid request: 200 body does not match the contract: \/name: must be string/,
    );
  });

  it('a missing required field', async () => {
    const report = await run(
      (req, res) => {
        if (req.url.pathname !== '/api/v3/oauth2/access_tokens/' || res.status !== 200) return res;
        const body = bodyOf(res) as { results: Array<Record<string, unknown>> };
        return withBody(res, { ...body, results: body.results.map(({ pk: _pk, ...rest }) => rest) });
      },
      ['oauth2_access_tokens_list'],
    );
    expect(failureOf(report, 'oauth2_access_tokens_list')).toMatch(/required field "pk" is missing/);
  });

  it('a 401 instead of a 403', async () => {
    const report = await run((req, res) => (res.status === 403 && !req.auth ? { ...res, status: 401 } : res), ['core_groups_retrieve']);
    expect(failureOf(report, 'core_groups_retrieve')).toMatch(/without credentials: expected 403, got 401/);
  });

  it('a 400 body of the wrong shape', async () => {
    const report = await run(
      (_req, res) => (res.status === 400 ? withBody(res, { non_field_errors: 'not a list' }) : res),
      ['widgets_widgets_update'],
    );
    expect(failureOf(report, 'widgets_widgets_update')).toMatch(/400 body does not match the contract: \/non_field_errors: must be array/);
  });

  it('a 400 that does not name the offending field', async () => {
    const report = await run(
      (_req, res) => (res.status === 400 ? withBody(res, { detail: 'bad request' }) : res),
      ['widgets_widgets_create'],
    );
    expect(failureOf(report, 'widgets_widgets_create')).toMatch(/the 400 body does not name "slug"/);
  });

  it('pagination numbers that do not add up', async () => {
    const report = await run(
      (req, res) => {
        if (req.url.pathname !== '/api/v3/oauth2/access_tokens/' || res.status !== 200) return res;
        const body = bodyOf(res) as { pagination: Record<string, number> };
        return withBody(res, { ...body, pagination: { ...body.pagination, total_pages: body.pagination['total_pages']! + 1 } });
      },
      ['oauth2_access_tokens_list'],
    );
    expect(failureOf(report, 'oauth2_access_tokens_list')).toMatch(/pagination: count \d+ at page_size 2 needs total_pages \d+, got \d+/);
  });

  it('a rejected write that changes state', async () => {
    const report = await run(
      (req, res, mock) => {
        if (req.method === 'PUT' && res.status === 400) {
          const key = decodeURIComponent(req.url.pathname.split('/').at(-2)!);
          const record = mock.world.table('Widget').find('slug', key);
          if (record) mock.world.save('Widget', { ...record, name: 'changed by a rejected write' });
        }
        return res;
      },
      ['widgets_widgets_update'],
    );
    expect(failureOf(report, 'widgets_widgets_update')).toMatch(/the rejected write changed the data/);
  });

  it('a server that does not answer is an error, not a failure list', async () => {
    const refused: FetchLike = () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
    await expect(runContract({ contract, baseUrl: 'http://127.0.0.1:9', token: 'x', fetch: refused })).rejects.toThrow(ServerUnreachable);
  });
});

describe('reports', () => {
  it('JUnit XML has a testcase per operation, failures with their problems', async () => {
    const report = await run(
      (_req, res) => (res.status === 403 ? { ...res, status: 401 } : res),
      ['core_groups_retrieve', 'core_users_list'],
    );
    const xml = junitXml(report, contract.operations);
    expect(xml).toContain('<testsuites tests="2" failures="2" skipped="0"');
    expect(xml).toMatch(
      /<testcase classname="authentik.core" name="core_groups_retrieve \(GET \/core\/groups\/\{group_uuid\}\/\)" time="[\d.]+"><failure message="without credentials: expected 403, got 401/,
    );
  });
});

/** A loopback port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the contract CLI', () => {
  const logs: string[] = [];
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    logs.length = 0;
  });

  it('exits 2 with one clear line when the server does not answer', async () => {
    vi.spyOn(console, 'error').mockImplementation((line: string) => void logs.push(line));
    const program = new Command().exitOverride();
    registerContract(program);
    const port = await closedPort();
    await program.parseAsync([
      'node',
      'authentik-mock',
      'contract',
      '--base-url',
      `http://127.0.0.1:${port}`,
      '--token',
      'x',
      '--only',
      'core_groups_retrieve',
    ]);
    expect(process.exitCode).toBe(2);
    expect(logs).toEqual([expect.stringMatching(new RegExp(`^error: cannot reach http://127\\.0\\.0\\.1:${port}/\\S+: ECONNREFUSED$`))]);
  });
});
