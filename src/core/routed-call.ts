import type { Contract } from '../contract/contract.js';
import type { OperationSpec } from '../contract/types.js';
import type { RawQuery } from '../contract/query-parameters.js';
import type { Principal, World } from '../world/world.js';
import type { OperationCall } from './operations.js';
import { parseRequestBody, readBody, type ParsedBody } from './request-body.js';
import type { RequestContext } from './request-context.js';

/**
 * The call of an operation a request was routed to, once its caller is known. Its query is parsed and its body read
 * only when the operation asks (a retrieve does neither); a class, so that a request makes one object here, not an
 * object and the closures of its lazy members.
 */
export class RoutedCall implements OperationCall {
  constructor(
    readonly world: World,
    private readonly contract: Contract,
    readonly operation: OperationSpec,
    readonly pathParams: Record<string, string>,
    readonly principal: Principal,
    readonly context: RequestContext,
  ) {}

  get query(): RawQuery {
    return this.context.query;
  }

  /** Reads and parses the body (after routing, authentication and permissions); a function of its own, as handlers pass it on. */
  get body(): () => Promise<ParsedBody> {
    return async () => {
      const { operation, context, contract } = this;
      const bytes = await readBody(context.request);
      return parseRequestBody(operation, context.headers.get('content-type') ?? undefined, bytes, (s) => contract.resolve(s));
    };
  }
}
