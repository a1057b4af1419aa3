import type { Contract } from '../contract/contract.js';
import type { OperationSpec } from '../contract/types.js';
import { checkOperation, rolesOf, RUN_ALONE, type CheckContext, type Outcome } from './checks.js';
import { fetchTransport, HttpClient, type FetchLike, type Transport } from './http-client.js';
import { nearestName } from './nearest-name.js';
import { nodeTransport } from './node-transport.js';
import { PathKeyFinder, type KnownIds } from './path-keys.js';
import { exclusivePool, footprintOf } from './schedule.js';
import { verdictOf, type ContractReport, type OperationResult } from './report.js';
import { checkTokenAccepted } from './token-check.js';

export interface ContractRunOptions {
  contract: Contract;
  /** Where the server is: `http://127.0.0.1:9000` (the contract's `/api/v3/` is added) or the API base itself. */
  baseUrl: string;
  token: string;
  /** Only these operationIds. */
  only?: string[];
  /** Send writes (PUT/PATCH/POST/DELETE); without it only reads and authentication are checked. */
  allowWrites?: boolean;
  ids?: KnownIds;
  seed?: number;
  /** Requests go through this fetch function (a test's in-process server); by default node:http with keep-alive. */
  fetch?: FetchLike;
  /**
   * How many operations are checked at once (default 8; 1: one at a time, in order). Writes come after every read,
   * and two writes run together only when they touch unrelated parts of the contract (`footprintOf`).
   */
  concurrency?: number;
  /** Called once per operation, in the report's order (whatever order concurrent checks finish in). */
  onResult?: (result: OperationResult, done: number, total: number) => void;
}

export const DEFAULT_CONCURRENCY = 8;

/** Reads first, then writes, deletes last: so what a write changes is not what a read was promised. */
const rank = (o: OperationSpec) => (o.method === 'GET' ? 0 : o.method === 'DELETE' ? 2 : 1);

function runOrder(operations: OperationSpec[]): OperationSpec[] {
  return [...operations].sort((a, b) => rank(a) - rank(b) || a.operationId.localeCompare(b.operationId));
}

/** `core_user_list (did you mean core_users_list?)` */
const withNearest = (contract: Contract) => (id: string) => {
  const nearest = nearestName(
    id,
    contract.operations.map((o) => o.operationId),
  );
  return nearest ? `${id} (did you mean ${nearest}?)` : id;
};

/**
 * Checks a live server (a real authentik, or the mock) against the contract, operation by operation. Throws
 * ServerUnreachable when the server does not answer at all, and TokenRejected when it refuses the token.
 *
 * Read-only operations are checked `concurrency` at a time: none of them changes anything. One that finds its
 * collection empty and would create a record to check it waits, and runs alone once the concurrent reads are done;
 * so does one that failed, and its verdict alone is the one reported.
 * Then writes (deletes last), up to `concurrency` at a time but never two whose footprints meet: each reads what it
 * changes before and after its refused writes, and nothing another check does may show there. Within one operation
 * every request waits for the one before it. A write that fails while another ran beside it is checked again alone,
 * and that verdict is the one reported: what the contract does not show (a real authentik's signals) cannot make a
 * failure.
 */
export async function runContract(options: ContractRunOptions): Promise<ContractReport> {
  const started = performance.now();
  const unknown = (options.only ?? []).filter((id) => !options.contract.operation(id));
  if (unknown.length > 0)
    throw new Error(`--only names operations the contract does not have: ${unknown.map(withNearest(options.contract)).join(', ')}`);
  const asked = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isFinite(asked) || asked < 1) throw new Error(`concurrency must be a whole number of 1 or more, not ${asked}`);
  const concurrency = Math.floor(asked);
  const transport: Transport = options.fetch ? fetchTransport(options.fetch) : nodeTransport({ sockets: concurrency });
  const client = new HttpClient(options.baseUrl, options.token, transport);
  const ctx: CheckContext = {
    contract: options.contract,
    client,
    keys: new PathKeyFinder(options.contract, client, options.ids),
    allowWrites: options.allowWrites === true,
    seed: options.seed ?? 1,
    roles: rolesOf(options.contract),
  };
  await checkTokenAccepted(options.contract, client);
  const selected = runOrder(options.contract.operations.filter((o) => !options.only || options.only.includes(o.operationId)));
  const results = new InOrder(selected.length, options.onResult);
  /** Checks one operation; its result, or undefined when it must run alone (RUN_ALONE). */
  const check = async (index: number, shared: boolean): Promise<OperationResult | undefined> => {
    const operation = selected[index]!;
    const began = performance.now();
    const outcome = await checkOperation(ctx, operation, { shared });
    return outcome === RUN_ALONE ? undefined : resultOf(operation, outcome, performance.now() - began);
  };
  const phase = (ranks: number[]) => selected.flatMap((operation, index) => (ranks.includes(rank(operation)) ? [index] : []));
  try {
    // A read that failed beside others is checked again alone too: on a real authentik some reads write (viewing a
    // token's key records an event), which another read's pages could show.
    const alone: number[] = [];
    await exclusivePool(
      phase([0]),
      concurrency,
      () => new Set<string>(),
      async (index) => {
        const result = await check(index, concurrency > 1);
        if (result && !(result.verdict === 'fail' && concurrency > 1)) results.set(index, result);
        else alone.push(index);
      },
    );
    for (const index of alone.sort((a, b) => a - b)) results.set(index, (await check(index, false))!);
    const again: number[] = [];
    for (const writes of [phase([1]), phase([2])]) {
      const footprint = (index: number) => footprintOf(options.contract, ctx.keys, selected[index]!);
      await exclusivePool(writes, concurrency, footprint, async (index, company) => {
        const result = (await check(index, false))!;
        if (result.verdict === 'fail' && company()) again.push(index);
        else results.set(index, result);
      });
    }
    for (const index of again.sort((a, b) => a - b)) results.set(index, (await check(index, false))!);
  } finally {
    client.close();
  }
  const all = results.all();
  const count = (verdict: string) => all.filter((r) => r.verdict === verdict).length;
  return { results: all, passed: count('pass'), failed: count('fail'), skipped: count('skip'), durationMs: performance.now() - started };
}

function resultOf(operation: OperationSpec, outcome: Outcome, durationMs: number): OperationResult {
  const result: OperationResult = {
    operationId: operation.operationId,
    method: operation.method,
    path: operation.path,
    verdict: verdictOf(outcome.findings, outcome.skipped),
    findings: outcome.findings,
    checks: outcome.checks,
    durationMs,
  };
  if (outcome.skipped) result.reason = outcome.skipped;
  return result;
}

/** Results by their place in the run order, reported as soon as every one before them is known. */
class InOrder {
  private readonly results: Array<OperationResult | undefined>;
  private reported = 0;

  constructor(
    size: number,
    private readonly onResult: ContractRunOptions['onResult'],
  ) {
    this.results = new Array<OperationResult | undefined>(size);
  }

  set(index: number, result: OperationResult): void {
    this.results[index] = result;
    for (let next = this.results[this.reported]; next; next = this.results[this.reported]) {
      this.reported++;
      this.onResult?.(next, this.reported, this.results.length);
    }
  }

  all(): OperationResult[] {
    return this.results.filter((r): r is OperationResult => r !== undefined);
  }
}
