import { createServer, type AddressInfo } from 'node:net';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerContract } from '../src/cli/contract-command.js';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { ServerUnreachable, type FetchLike } from '../src/harness/http-client.js';
import type { ContractFinding } from '../src/harness/findings.js';
import { closingLine, junitXml, resultLine, type ContractReport } from '../src/harness/report.js';
import { runContract } from '../src/harness/run-contract.js';
import { TokenRejected } from '../src/harness/token-check.js';
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

/** The operation failed with (at least) this finding. */
function expectFinding(report: ContractReport, operationId: string, finding: Partial<ContractFinding>): void {
  const result = report.results.find((r) => r.operationId === operationId)!;
  expect(result.verdict, `${operationId} should fail`).toBe('fail');
  expect(result.findings).toContainEqual(expect.objectContaining({ operationId, ...finding }));
}

const API = 'http://mock.test/api/v3';

describe('the harness against the mock', () => {
  it('passes every operation it can check, and says why it skips the rest', async () => {
    const report = await run();
    const failures = report.results.filter((r) => r.verdict === 'fail').map(resultLine);
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
    expectFinding(report, 'core_groups_retrieve', {
      kind: 'schema',
      check: 'valid request',
      request: { method: 'GET', url: expect.stringMatching(new RegExp(`^${API}/core/groups/[0-9a-f-]{36}/$`)) as string },
      status: 200,
      pointer: '/name',
      expected: 'type string',
      received: 123,
    });
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
    expectFinding(report, 'oauth2_access_tokens_list', {
      kind: 'schema',
      check: 'valid request',
      request: { method: 'GET', url: `${API}/oauth2/access_tokens/` },
      pointer: '/results/0/pk',
      expected: 'a value (required)',
      received: undefined,
    });
  });

  it('a 401 instead of a 403', async () => {
    const report = await run((req, res) => (res.status === 403 && !req.auth ? { ...res, status: 401 } : res), ['core_groups_retrieve']);
    expectFinding(report, 'core_groups_retrieve', {
      kind: 'status',
      check: 'without credentials',
      expected: '403',
      received: 401,
      note: 'authentik answers 403: it sends no WWW-Authenticate challenge',
    });
  });

  it('a 400 body of the wrong shape', async () => {
    const report = await run(
      (_req, res) => (res.status === 400 ? withBody(res, { non_field_errors: 'not a list' }) : res),
      ['widgets_widgets_update'],
    );
    expectFinding(report, 'widgets_widgets_update', {
      kind: 'schema',
      check: expect.stringMatching(/^invalid request \(/) as string,
      request: { method: 'PUT', url: expect.stringMatching(new RegExp(`^${API}/widgets/widgets/[^/]+/$`)) as string },
      status: 400,
      pointer: '/non_field_errors',
      expected: 'type array',
      received: 'not a list',
    });
  });

  it('a 400 that does not name the offending field', async () => {
    const report = await run(
      (_req, res) => (res.status === 400 ? withBody(res, { detail: 'bad request' }) : res),
      ['widgets_widgets_create'],
    );
    expectFinding(report, 'widgets_widgets_create', {
      kind: 'field-not-named',
      check: 'invalid request (body without required "slug")',
      expected: 'the field named',
      request: { method: 'POST', url: `${API}/widgets/widgets/` },
      pointer: '/slug',
      received: undefined,
      excerpt: '{"detail":"bad request"}',
    });
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
    const result = report.results.find((r) => r.operationId === 'oauth2_access_tokens_list')!;
    const finding = result.findings.find((f) => f.pointer === '/pagination/total_pages');
    expect(finding).toMatchObject({
      kind: 'pagination',
      check: 'pagination (page 1 of page_size 2)',
      request: { method: 'GET', url: `${API}/oauth2/access_tokens/?page_size=2&page=1` },
      note: expect.stringMatching(/^count \d+ at page_size 2$/) as string,
    });
    expect(finding!.received).toBe(Number(finding!.expected) + 1);
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
    expectFinding(report, 'widgets_widgets_update', {
      kind: 'state-changed',
      request: { method: 'PUT', url: expect.stringMatching(new RegExp(`^${API}/widgets/widgets/[^/]+/$`)) as string },
      status: 400,
      pointer: '/name',
      received: 'changed by a rejected write',
    });
  });

  it('a token the server refuses is one error before any operation, not a failure per operation', async () => {
    const sent: string[] = [];
    const { fetch } = serverFetch();
    const counting: FetchLike = (url, init) => (sent.push(url), fetch(url, init));
    const refused = runContract({ contract, baseUrl: 'http://mock.test', token: 'not-the-token', fetch: counting });
    await expect(refused).rejects.toThrow(TokenRejected);
    await expect(refused).rejects.toThrow(
      /^the server refused the token: GET http:\/\/mock\.test\/api\/v3\/\S+ answered 403 \{"detail":"Token invalid\/expired"\}/,
    );
    expect(sent).toHaveLength(2); // the token, then a made-up key for comparison
  });

  it('a token refused by permission (not as a made-up key is) is accepted: the run goes on', async () => {
    // The first list the contract has (the one the token is tried on) refuses this token for lack of permission.
    const noPermission: Tamper = (req, res) =>
      req.auth === 'Bearer harness-token' && req.url.pathname === '/api/v3/core/groups/'
        ? withBody(res, { detail: 'You do not have permission to perform this action.' }, 403)
        : res;
    const report = await run(noPermission, ['widgets_widgets_retrieve']);
    expect(report.results.map((r) => r.operationId)).toEqual(['widgets_widgets_retrieve']);
  });

  it('--only with an unknown operationId names the nearest one', async () => {
    await expect(run(undefined, ['widgets_widget_list'])).rejects.toThrow(
      '--only names operations the contract does not have: widgets_widget_list (did you mean widgets_widgets_list?)',
    );
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
      /<testcase classname="authentik.core" name="core_groups_retrieve \(GET \/core\/groups\/\{group_uuid\}\/\)" time="[\d.]+"><failure message="without credentials: GET http:\/\/mock.test\/api\/v3\/core\/groups\/[^/]+\/: status expected 403, received 401 \(answer: \{&quot;detail&quot;:&quot;Authentication credentials were not provided.&quot;\}; authentik answers 403: it sends no WWW-Authenticate challenge\)"/,
    );
  });

  it('the text report shows each finding with the request URL and the value received', async () => {
    const report = await run(
      (req, res) =>
        req.method === 'GET' && res.status === 200 && /\/core\/groups\/[^/]+\/$/.test(req.url.pathname)
          ? withBody(res, { ...bodyOf(res), name: 123, users: 'none' })
          : res,
      ['core_groups_retrieve'],
    );
    const [head, ...lines] = resultLine(report.results[0]!).split('\n');
    expect(head).toBe('fail  core_groups_retrieve  (2 problems)');
    const url = `${API}/core/groups/${report.results[0]!.findings[0]!.request.url.split('/').at(-2)}/`;
    expect(lines).toEqual([
      `      valid request: GET ${url}: 200 body /name expected type string, received 123`,
      `      valid request: GET ${url}: 200 body /users expected type array, received "none"`,
    ]);
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
