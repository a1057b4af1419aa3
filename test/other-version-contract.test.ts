import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/core/mock-server.js';
import type { FetchLike } from '../src/harness/http-client.js';
import { runContract } from '../src/harness/run-contract.js';
import { otherVersionContract, WIDGET_OPERATION_IDS } from './support/other-version.js';

/** The mock as a fetch function: the harness talks to it exactly as to a server. */
function mockFetch(mock: MockServer): FetchLike {
  return async (url, init) => {
    const headers = Object.fromEntries(new Headers(init.headers));
    const body = typeof init.body === 'string' ? init.body : undefined;
    const answer = await mock.handle({ method: init.method ?? 'GET', url, headers, body });
    return new Response(answer.status === 204 ? null : (answer.body ?? null), { status: answer.status, headers: answer.headers });
  };
}

describe('a contract from another authentik version (new resource, components/responses refs, extra envelope field)', () => {
  it('the mock passes the whole harness on it, writes included, with no new code', async () => {
    const contract = new Contract(otherVersionContract());
    const mock = new MockServer({ contract, seed: 3, adminToken: 'other-version-token' });
    const report = await runContract({
      contract,
      baseUrl: 'http://mock.test/api/v3/',
      token: 'other-version-token',
      allowWrites: true,
      fetch: mockFetch(mock),
    });
    const failures = report.results.filter((r) => r.verdict === 'fail').map((r) => `${r.operationId}: ${r.problems.join(' | ')}`);
    expect(failures).toEqual([]);
    expect(report.passed).toBeGreaterThan(60);
    const widgets = report.results.filter((r) => WIDGET_OPERATION_IDS.includes(r.operationId));
    expect(widgets.map((r) => r.verdict)).toEqual(WIDGET_OPERATION_IDS.map(() => 'pass'));
    const list = await mock.handle({
      method: 'GET',
      url: '/api/v3/core/widgets/',
      headers: { authorization: 'Bearer other-version-token' },
    });
    expect(Object.keys(JSON.parse(list.body!) as object)).toContain('autocomplete');
  }, 30_000);
});
