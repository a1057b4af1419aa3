/** `authentik-mock/vitest`: the contract matcher, and the mock over HTTP for a test file. */
export { contractMatchers, startMock, useContract, useMock, type ContractResponse, type RunningMock } from '../adapters/vitest.js';
