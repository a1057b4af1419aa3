import type { Contract } from '../contract/contract.js';
import type { OperationSpec } from '../contract/types.js';
import { checkOperation, rolesOf, type CheckContext } from './checks.js';
import { HttpClient, type FetchLike } from './http-client.js';
import { nearestName } from './nearest-name.js';
import { PathKeyFinder, type KnownIds } from './path-keys.js';
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
  fetch?: FetchLike;
  onResult?: (result: OperationResult, done: number, total: number) => void;
}

/** Reads first, then writes, deletes last: so what a write changes is not what a read was promised. */
function runOrder(operations: OperationSpec[]): OperationSpec[] {
  const rank = (o: OperationSpec) => (o.method === 'GET' ? 0 : o.method === 'DELETE' ? 2 : 1);
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
 */
export async function runContract(options: ContractRunOptions): Promise<ContractReport> {
  const started = performance.now();
  const client = new HttpClient(options.baseUrl, options.token, options.fetch);
  const ctx: CheckContext = {
    contract: options.contract,
    client,
    keys: new PathKeyFinder(options.contract, client, options.ids),
    allowWrites: options.allowWrites === true,
    seed: options.seed ?? 1,
    roles: rolesOf(options.contract),
  };
  const unknown = (options.only ?? []).filter((id) => !options.contract.operation(id));
  if (unknown.length > 0)
    throw new Error(`--only names operations the contract does not have: ${unknown.map(withNearest(options.contract)).join(', ')}`);
  await checkTokenAccepted(options.contract, client);
  const selected = options.contract.operations.filter((o) => !options.only || options.only.includes(o.operationId));
  const results: OperationResult[] = [];
  for (const operation of runOrder(selected)) {
    const began = performance.now();
    const outcome = await checkOperation(ctx, operation);
    const result: OperationResult = {
      operationId: operation.operationId,
      method: operation.method,
      path: operation.path,
      verdict: verdictOf(outcome.findings, outcome.skipped),
      findings: outcome.findings,
      checks: outcome.checks,
      durationMs: performance.now() - began,
    };
    if (outcome.skipped) result.reason = outcome.skipped;
    results.push(result);
    options.onResult?.(result, results.length, selected.length);
  }
  const count = (verdict: string) => results.filter((r) => r.verdict === verdict).length;
  return { results, passed: count('pass'), failed: count('fail'), skipped: count('skip'), durationMs: performance.now() - started };
}
