/**
 * `authentik-mock/msw` as Node resolves it (the "node" export condition): the browser module, except that
 * `createHandlers()` without a contract reads the schemas folder — `schemas`, else `./schemas` if it is one, else
 * the package's own. Bundlers for the browser never see this file.
 */
import { loadContract } from '../node/index.js';
import { handlersFor, type MswHandlers, type MswMockOptions } from './msw.js';
import { MockServer } from '../core/mock-server.js';

export * from './msw.js';

export function createHandlers(options: MswMockOptions = {}): MswHandlers {
  if (options.mock) return handlersFor(options.mock, options.origin);
  return handlersFor(new MockServer({ ...options, contract: options.contract ?? loadContract(options.schemas) }), options.origin);
}
