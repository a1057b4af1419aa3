import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock } from '../src/adapters/vitest.js';
import { Contract } from '../src/contract/contract.js';
import { resultLine, type ContractReport } from '../src/harness/report.js';
import { runContract } from '../src/harness/run-contract.js';
import { mixedDocument } from './support/contracts.js';

/**
 * The contract harness against the mock served over real HTTP (Express on a loopback port, the global fetch), not
 * only against the core called in process: what `authentik-mock contract --base-url …` does in CI.
 */
const TOKEN = 'harness-http-token';
const contract = new Contract(mixedDocument());
const FORCED = 'core_groups_retrieve';

describe('the harness over HTTP against the Express mock', () => {
  let origin: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ origin, close } = await startMock({ contract: mixedDocument(), seed: 2, adminToken: TOKEN }));
  });
  afterAll(() => close());
  beforeEach(async () => {
    // Back to the seeded world with no scenario rules, through the control API as a CI job would.
    const reset = await fetch(`${origin}/_mock/reset`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(reset.status).toBe(200);
  });

  const run = () => runContract({ contract, baseUrl: `${origin}/api/v3/`, token: TOKEN, allowWrites: true });
  const failures = (report: ContractReport) => report.results.filter((r) => r.verdict === 'fail').map((r) => resultLine(r));

  it('passes every operation it can check, with writes', async () => {
    const report = await run();
    expect(failures(report)).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.results.map((r) => r.operationId).sort()).toEqual(contract.operations.map((o) => o.operationId).sort());
    expect(report.passed).toBeGreaterThan(contract.operations.length - 3);
  });

  it(`a scenario forcing 500 on ${FORCED} fails exactly that operation`, async () => {
    const rule = await fetch(`${origin}/_mock/scenarios`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ match: { operationId: FORCED }, respond: { status: 500 } }),
    });
    expect(rule.status, await rule.clone().text()).toBe(201);
    // The rule really answers 500 over HTTP, with DRF's body.
    const forced = await fetch(`${origin}/api/v3/core/groups/${crypto.randomUUID()}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([forced.status, await forced.json()]).toEqual([500, { detail: 'A server error occurred.' }]);

    const report = await run();
    expect(report.results.filter((r) => r.verdict === 'fail').map((r) => r.operationId)).toEqual([FORCED]);
    expect(report.failed).toBe(1);
    const failed = report.results.find((r) => r.operationId === FORCED)!;
    expect(failed.findings).toContainEqual(expect.objectContaining({ kind: 'status', operationId: FORCED, received: 500 }));
  });
});
