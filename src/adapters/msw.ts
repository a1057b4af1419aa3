import { http, type HttpHandler } from 'msw';
import { Contract } from '../contract/contract.js';
import { MockServer, type MockOptions } from '../mock-server.js';
import { CONTROL_PREFIX } from '../core/control.js';
import { forgetKeptWorld, keepPageState, pageWorldOptions, type PersistIn } from './page-state.js';
import { keepCookiesInPage, withPageCookies } from './page-cookies.js';

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
  /**
   * Browser only: keep the world (and what the app created) across reloads in this Web Storage. Without it each
   * load starts from the seed, but ids created after a reload still never collide with ids created before it.
   */
  persist?: PersistIn;
};

export type MswHandlers = HttpHandler[] & { mock: MockServer };

const NEEDS_CONTRACT =
  'createHandlers(): in a browser, pass the contract — the module `npx authentik-mock bundle --out public/authentik-contract.js` ' +
  "writes, e.g. createHandlers({ contract: (await import('/authentik-contract.js')).contract }). " +
  '(Only in Node does authentik-mock/msw read a schemas folder, or the package’s own, by itself.)';

const NEEDS_VALIDATORS =
  'createHandlers(): this page does not allow eval (a strict Content-Security-Policy), and the contract given is plain ' +
  'JSON without precompiled validators, so the mock could not validate a single write. Write the contract as an ES ' +
  'module with its validators — `npx authentik-mock bundle --out public/authentik-contract.js` — and load it with ' +
  "`const { contract } = await import('/authentik-contract.js')`.";

/** Whether code from a string may run here (ajv compiles validators so); a strict CSP forbids it. */
function canEvaluate(): boolean {
  try {
    return new Function('return true')() === true;
  } catch {
    return false;
  }
}

/** A contract without precompiled validators needs eval to validate: say so now rather than answer 500 to the first write. */
function checkValidatable(contract: NonNullable<MswMockOptions['contract']>): void {
  if (contract instanceof Contract || ('validators' in contract && contract.validators)) return;
  if (!canEvaluate()) throw new Error(NEEDS_VALIDATORS);
}

/**
 * MSW handlers that answer every request under the contract's server bases and /_mock/ with `mock.fetch(request)`.
 * `handlers.mock.scenarios` forces statuses, delays and network failures (a rejected fetch) from code.
 */
export function handlersFor(mock: MockServer, origin?: string): MswHandlers {
  const from = origin?.replace(/\/+$/, '') ?? '*';
  const bases = new Set([...mock.contract.operations.map((o) => o.server), CONTROL_PREFIX]);
  // MSW hands its web Request straight to the core (with the page's cookies, see page-cookies.ts); a forced network
  // failure is `Response.error()`, which MSW turns into a rejected fetch, as on a dropped connection.
  const answer = async ({ request, cookies }: { request: Request; cookies: Record<string, string> }) => {
    const response = await mock.fetch(withPageCookies(request, cookies));
    keepCookiesInPage(response);
    return response;
  };
  const handlers = [...bases].map((base) => http.all(`${from}${base.replace(/\/?$/, '/')}*`, answer));
  // authentik's routes outside the API that features add (OAuth2's /application/o/…, the flows' pages): answered where
  // the mock has one; anything else (the app's own files) passes through. `/` is the app's own page here: authentik's
  // root redirect is for a server that owns the origin (serve), never for a page the mock runs in.
  const ours = (url: URL) => url.pathname !== '/' && mock.site.for(url.pathname) !== undefined;
  handlers.push(http.all(`${from}/*`, (info) => (ours(new URL(info.request.url)) ? answer(info) : undefined)));
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
  checkValidatable(options.contract);
  const mock = pageMock({ ...options, contract: options.contract });
  keepPageState(mock, options.persist);
  return handlersFor(mock, options.origin);
}

/** The page's mock: from the kept world when there is one that still fits, else from the seed. */
function pageMock(options: MswMockOptions & { contract: MockOptions['contract'] }): MockServer {
  const page = pageWorldOptions(options.persist);
  const createdIds = { ...page.createdIds, ...options.createdIds };
  const data = options.data ?? page.data;
  try {
    return new MockServer({ ...options, createdIds, ...(data === undefined ? {} : { data }) });
  } catch (error) {
    if (options.data !== undefined || page.data === undefined) throw error;
    console.warn(`authentik-mock: the world kept in ${options.persist} does not fit (${(error as Error).message}); starting over`);
    forgetKeptWorld(options.persist);
    return new MockServer({ ...options, createdIds });
  }
}
