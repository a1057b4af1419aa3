/** `authentik-mock/msw` as Node resolves it: the same names, and `createHandlers()` reads the contract itself. */
export { createHandlers } from '../adapters/msw-node.js';
export type { MswHandlers, MswMockOptions } from '../adapters/msw.js';
export type { PersistIn } from '../adapters/page-state.js';
