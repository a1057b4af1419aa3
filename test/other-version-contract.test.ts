import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { runContract } from '../src/harness/run-contract.js';
import { resultLine } from '../src/harness/report.js';
import { fetchOf } from './support/requester.js';
import { otherVersionContract, WIDGET_OPERATION_IDS } from './support/other-version.js';

describe('a contract from another authentik version (new resource, components/responses refs, extra envelope field)', () => {
  it('the mock passes the whole harness on it, writes included, with no new code', async () => {
    const contract = new Contract(otherVersionContract());
    const mock = new MockServer({ contract, seed: 3, adminToken: 'other-version-token' });
    const report = await runContract({
      contract,
      baseUrl: 'http://mock.test/api/v3/',
      token: 'other-version-token',
      allowWrites: true,
      fetch: fetchOf(mock),
    });
    const failures = report.results.filter((r) => r.verdict === 'fail').map((r) => resultLine(r));
    expect(failures).toEqual([]);
    expect(report.passed).toBeGreaterThan(60);
    const widgets = report.results.filter((r) => WIDGET_OPERATION_IDS.includes(r.operationId));
    expect(widgets.map((r) => r.verdict)).toEqual(WIDGET_OPERATION_IDS.map(() => 'pass'));
    const list = await mock.fetch('/api/v3/core/widgets/', { headers: { authorization: 'Bearer other-version-token' } });
    expect(Object.keys((await list.json()) as object)).toContain('autocomplete');
  }, 30_000);
});
