/**
 * `authentik-mock/msw` as Node resolves it (the "node" export condition): the browser module, except that
 * `createHandlers()` without a contract reads the schemas folder — `schemas`, else `./schemas` if it is one, else
 * the package's own — and the mock serves the demo console. Bundlers for the browser never see this file.
 */
import { createMock } from '../node/create-mock.js';
import { handlersFor, type MswHandlers, type MswMockOptions } from './msw.js';

export * from './msw.js';

export function createHandlers(options: MswMockOptions = {}): MswHandlers {
  if (options.mock) return handlersFor(options.mock, options.origin);
  return handlersFor(createMock(options), options.origin);
}
