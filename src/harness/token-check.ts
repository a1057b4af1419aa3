/**
 * Before checking anything, whether the server accepts the token at all: a rejected token would otherwise fail every
 * operation separately (hundreds of failures that say one thing). Derived from the contract: one read that needs
 * credentials and no path key, answered for the token exactly as for a made-up key means the token is refused.
 */
import { allowsAnonymous } from '../contract/operation-shapes.js';
import type { Contract } from '../contract/contract.js';
import type { OperationSpec } from '../contract/types.js';
import type { HttpClient } from './http-client.js';

/** The token is refused: the run stops (the CLI exits 2) with this one sentence. */
export class TokenRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRejected';
  }
}

const MADE_UP_KEY = 'Bearer authentik-mock-not-a-valid-key';

/** A GET with no path parameter that needs credentials; a list first (lists answer any caller, filtered). */
function probeOperation(contract: Contract): OperationSpec | undefined {
  const candidates = contract.operations.filter((o) => o.method === 'GET' && !o.path.includes('{') && !allowsAnonymous(o));
  const isList = (o: OperationSpec) => o.parameters.some((p) => p.in === 'query' && p.name === 'page');
  const byId = (a: OperationSpec, b: OperationSpec) => a.operationId.localeCompare(b.operationId);
  return [...candidates].sort((a, b) => Number(isList(b)) - Number(isList(a)) || byId(a, b))[0];
}

/** Throws TokenRejected when the server answers the token as it answers a made-up key (401/403 alike). */
export async function checkTokenAccepted(contract: Contract, client: HttpClient): Promise<void> {
  const operation = probeOperation(contract);
  if (!operation) return;
  const path = client.url(operation.server, operation.path);
  const withToken = await client.send({ method: 'GET', path });
  if (withToken.status !== 401 && withToken.status !== 403) return;
  const madeUp = await client.send({ method: 'GET', path, authorization: MADE_UP_KEY });
  if (madeUp.status !== withToken.status || madeUp.text !== withToken.text) return; // refused for another reason
  throw new TokenRejected(
    `the server refused the token: GET ${withToken.request.url} answered ${withToken.status} ${withToken.text.trim()}, as it answers a made-up key`,
  );
}
