import { http, type HttpHandler } from 'msw';
import { MockServer, type MockOptions } from '../core/mock-server.js';
import { CONTROL_PREFIX } from '../core/control.js';

export type MswMockOptions = Omit<MockOptions, 'contract'> & {
  /**
   * The contract, or the parsed JSON of `authentik-mock bundle`. Required in a browser; in Node the default is read
   * from `schemas` if given, else `./schemas` if it is a schemas folder, else the package's own.
   */
  contract?: MockOptions['contract'];
  /** Node only: a schemas/ folder to read when no contract is given. */
  schemas?: string;
  /** Origin the app calls (`http://localhost:9000`); any origin when absent. */
  origin?: string;
  mock?: MockServer;
};

export type MswHandlers = HttpHandler[] & { mock: MockServer };

const NEEDS_CONTRACT =
  'createHandlers(): in a browser, pass the contract — the JSON of `npx authentik-mock bundle --out public/contract.json`, ' +
  "e.g. createHandlers({ contract: await (await fetch('/contract.json')).json() }). " +
  '(Only in Node does authentik-mock/msw read a schemas folder, or the package’s own, by itself.)';

/**
 * MSW handlers that answer every request under the contract's server bases and /_mock/ with `mock.handle()`.
 * `handlers.mock.scenarios` forces statuses, delays and network failures (a rejected fetch) from code.
 */
export function handlersFor(mock: MockServer, origin?: string): MswHandlers {
  const from = origin?.replace(/\/+$/, '') ?? '*';
  const bases = new Set([...mock.contract.operations.map((o) => o.server), CONTROL_PREFIX]);
  // MSW hands its web Request straight to the core; a forced network failure is `Response.error()`, which MSW
  // turns into a rejected fetch, as on a dropped connection.
  const handlers = [...bases].map((base) => http.all(`${from}${base.replace(/\/?$/, '/')}*`, ({ request }) => mock.fetch(request)));
  return Object.assign(handlers, { mock });
}

/**
 * MSW request handlers for `setupServer(...handlers)` (Node) or `setupWorker(...handlers)` (browser): the same core
 * as the HTTP server. This module is the browser build of `authentik-mock/msw` (no Node API): it needs `contract`
 * (or `mock`). Node resolves `authentik-mock/msw` to `msw-node.js`, which reads the schemas when none is given.
 */
export function createHandlers(options: MswMockOptions = {}): MswHandlers {
  if (options.mock) return handlersFor(options.mock, options.origin);
  if (!options.contract) throw new Error(NEEDS_CONTRACT);
  return handlersFor(new MockServer({ ...options, contract: options.contract }), options.origin);
}
