/** `authentik-mock/msw` in a browser (and for every resolver but Node's): the mock as MSW handlers, given a contract. */
export { createHandlers, type MswHandlers, type MswMockOptions } from '../adapters/msw.js';
export type { PersistIn } from '../adapters/page-state.js';
