import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { runContract } from '../src/harness/run-contract.js';
import { referenceDocument, seedDocument } from './support/contracts.js';
import { coreRequester, fetchOf } from './support/requester.js';

describe('the contract harness against a mock with a forced 500', () => {
  it('reports exactly the forced operation as failed', async () => {
    const contract = new Contract(seedDocument());
    const mock = new MockServer({ contract, seed: 3, adminToken: 'harness-token' });
    const run = () =>
      runContract({ contract, baseUrl: 'http://mock.test', token: 'harness-token', allowWrites: true, fetch: fetchOf(mock) });
    const clean = await run();
    expect(clean.results.filter((r) => r.verdict === 'fail').map((r) => r.operationId)).toEqual([]);

    mock.reset();
    mock.scenarios.add({ match: { operationId: 'oauth2_access_tokens_list' }, respond: { status: 500 } });
    const report = await run();
    const failed = report.results.filter((r) => r.verdict === 'fail');
    expect(failed.map((r) => r.operationId)).toEqual(['oauth2_access_tokens_list']);
    expect(failed[0]!.findings).toContainEqual(
      expect.objectContaining({ kind: 'status', check: 'valid request', expected: '200', received: 500 }),
    );
    expect(report.failed).toBe(1);
    expect(report.passed).toBe(clean.passed - 1);
  });
});

describe('an empty world (--records 0) on the whole reference', () => {
  it('answers every list 200 with a contract-valid, possibly empty body', async () => {
    const contract = new Contract(referenceDocument());
    const mock = new MockServer({ contract, seed: 1, recordsPerEntity: 0 });
    const request = coreRequester(mock);
    const problems: string[] = [];
    let lists = 0;
    let empty = 0;
    for (const operation of contract.operations) {
      // Every GET without a path key: the lists, and the collection actions (…/me/, …/metrics/) a screen shows too.
      if (operation.method !== 'GET' || operation.path.includes('{')) continue;
      if (mock.world.roles.get(operation.operationId)?.kind === 'list') lists++;
      const reply = await request('GET', `/api/v3${operation.path}`, { token: mock.world.adminToken });
      const violations = contract.validateResponse(operation.operationId, reply.status, reply.body);
      if (!(reply.status === 200 || reply.status === 204) || violations.length > 0)
        problems.push(`${operation.operationId}: ${reply.status} ${JSON.stringify(violations.slice(0, 2))}`);
      const body = reply.body as { results?: unknown[] } | unknown[] | null;
      if (Array.isArray(body) ? body.length === 0 : body?.results?.length === 0) empty++;
    }
    expect(problems).toEqual([]);
    expect(lists).toBeGreaterThan(100);
    // Only what must exist is there: akadmin, the ordinary user, their tokens (and what hangs off them).
    expect(empty).toBeGreaterThan(lists * 0.7);
    const users = await request('GET', '/api/v3/core/users/', { token: mock.world.userToken });
    expect(users.status).toBe(200);
  });
});
