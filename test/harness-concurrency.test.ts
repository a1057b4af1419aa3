import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import type { FetchLike } from '../src/harness/http-client.js';
import type { ContractReport, OperationResult } from '../src/harness/report.js';
import { runContract } from '../src/harness/run-contract.js';
import { mixedDocument } from './support/contracts.js';

/*
 * The harness checks read-only operations several at a time and writes one operation at a time: what it reports must
 * not depend on that, and no write may overlap a request of another operation.
 */

const contract = new Contract(mixedDocument());
const TOKEN = 'concurrency-token';

interface Sent {
  method: string;
  url: string;
  authorization: string | undefined;
  /** Requests in flight when this one started, and the most in flight while it was. */
  start: number;
  end: number;
}

/** The mock in process, each answer a little late (so that requests in flight overlap), every request's span logged. */
function slowMock(mock = new MockServer({ contract, seed: 3, adminToken: TOKEN })): {
  fetch: FetchLike;
  log: Sent[];
  peak: () => number;
  now: () => number;
} {
  const log: Sent[] = [];
  let clock = 0;
  let inFlight = 0;
  let peak = 0;
  const fetch: FetchLike = async (url, init) => {
    const authorization = new Headers(init.headers).get('authorization') ?? undefined;
    const sent: Sent = { method: init.method ?? 'GET', url, authorization, start: clock++, end: Infinity };
    log.push(sent);
    peak = Math.max(peak, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1 + (log.length % 3)));
    const response = await mock.fetch(url, init);
    const text = await response.text();
    inFlight--;
    sent.end = clock++;
    return new Response(response.status === 204 ? null : text, { status: response.status, headers: response.headers });
  };
  return { fetch, log, peak: () => peak, now: () => clock };
}

const comparable = (report: ContractReport) => report.results.map(({ durationMs: _ignored, ...rest }) => rest);

describe('checking read-only operations at once', () => {
  it('reports the same results, in the same order, as one operation at a time', async () => {
    const run = async (concurrency: number) => {
      const server = slowMock();
      const seen: Array<[string, number, number]> = [];
      const report = await runContract({
        contract,
        baseUrl: 'http://mock.test',
        token: TOKEN,
        allowWrites: true,
        fetch: server.fetch,
        concurrency,
        onResult: (result: OperationResult, done, total) => seen.push([result.operationId, done, total]),
      });
      return { report, seen, server };
    };
    const [alone, together] = [await run(1), await run(6)];
    expect(together.server.peak()).toBeGreaterThan(2);
    expect(alone.server.peak()).toBeLessThanOrEqual(2); // an operation's two authentication checks go together
    expect(comparable(together.report)).toEqual(comparable(alone.report));
    expect(together.report.failed).toBe(0);
    // onResult in the report's order, each once, whatever order the checks finished in.
    expect(together.seen).toEqual(together.report.results.map((r, i) => [r.operationId, i + 1, together.report.results.length]));
    expect(together.server.log.length).toBe(alone.server.log.length);
  });

  it('writes only once every read is done, and writes of unrelated records at once', async () => {
    const server = slowMock();
    let readsDone = 0;
    const report = await runContract({
      contract,
      baseUrl: 'http://mock.test',
      token: TOKEN,
      allowWrites: true,
      fetch: server.fetch,
      concurrency: 6,
      onResult: (result) => void (result.method === 'GET' && (readsDone = server.now())),
    });
    expect(report.failed).toBe(0);
    const writes = server.log.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(20);
    expect(Math.min(...writes.map((w) => w.start))).toBeGreaterThan(readsDone);
    // Two writes with credentials to different collections in flight at once: the checks of two operations.
    const collection = (url: string) => new URL(url).pathname.split('/').slice(0, 5).join('/');
    const together = writes.filter(
      (w) =>
        w.authorization === `Bearer ${TOKEN}` &&
        writes.some(
          (o) =>
            o !== w && o.authorization === w.authorization && collection(o.url) !== collection(w.url) && o.start < w.end && w.start < o.end,
        ),
    );
    expect(together.length).toBeGreaterThan(0);
  });

  it('checks an operation that must create a record (its collection is empty) alone, after the others', async () => {
    const mock = new MockServer({ contract, seed: 3, adminToken: TOKEN });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const widgets = (await (await mock.fetch('/api/v3/widgets/widgets/?page_size=1000', { headers })).json()) as {
      results: Array<{ slug: string }>;
    };
    for (const { slug } of widgets.results) await mock.fetch(`/api/v3/widgets/widgets/${slug}/`, { method: 'DELETE', headers });
    const server = slowMock(mock);
    const report = await runContract({
      contract,
      baseUrl: 'http://mock.test',
      token: TOKEN,
      allowWrites: true,
      fetch: server.fetch,
      concurrency: 6,
      only: ['widgets_widgets_retrieve', 'widgets_widgets_used_by_list', 'widgets_widgets_list', 'core_groups_list', 'core_users_list'],
    });
    expect(report.results.map((r) => [r.operationId, r.verdict])).toEqual([
      ['core_groups_list', 'pass'],
      ['core_users_list', 'pass'],
      ['widgets_widgets_list', 'pass'],
      ['widgets_widgets_retrieve', 'pass'],
      ['widgets_widgets_used_by_list', 'pass'],
    ]);
    const made = server.log.filter((r) => r.method === 'POST' || r.method === 'DELETE');
    expect(made.map((r) => r.method)).toEqual(['POST', 'DELETE', 'POST', 'DELETE']);
    for (const write of made) expect(server.log.filter((r) => r !== write && r.start < write.end && write.start < r.end)).toEqual([]);
    // Nothing it made is left.
    const left = (await (await mock.fetch('/api/v3/widgets/widgets/', { headers })).json()) as { pagination: { count: number } };
    expect(left.pagination.count).toBe(0);
  });
});
