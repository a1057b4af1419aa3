import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Contract } from '../contract/contract.js';
import type { MockServer } from '../mock-server.js';
import type { Scenarios } from '../core/scenarios.js';
import { loadContract, type NodeMockOptions } from '../node/create-mock.js';
import { startServer } from './http-server.js';

/** What the matcher reads: a status and a parsed body (`body`, or `data` as axios-like clients name it). */
export interface ContractResponse {
  status: number;
  body?: unknown;
  data?: unknown;
}

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** `toMatchContract(operationId)`: the status is documented for the operation and the body validates against it. */
export function contractMatchers(contract: Contract): {
  toMatchContract: (received: ContractResponse, operationId: string) => MatcherResult;
} {
  return {
    toMatchContract(received: ContractResponse, operationId: string): MatcherResult {
      if (!contract.operation(operationId)) return { pass: false, message: () => `the contract has no operation "${operationId}"` };
      if (typeof received?.status !== 'number') return { pass: false, message: () => 'toMatchContract expects { status, body }' };
      const body = 'body' in received ? received.body : received.data;
      const violations = contract.validateResponse(operationId, received.status, body);
      return {
        pass: violations.length === 0,
        message: () =>
          violations.length === 0
            ? `expected ${operationId} → ${received.status} not to match the contract, but it does`
            : `${operationId} → ${received.status} does not match the contract:\n${violations.map((v) => `  - ${v.message}`).join('\n')}`,
      };
    },
  };
}

/**
 * Registers `toMatchContract` with vitest's expect. Against the given contract, else `./schemas` if it is a schemas
 * folder, else the package's own (all of authentik 2024.8).
 */
export function useContract(contract: Contract = loadContract()): Contract {
  expect.extend(contractMatchers(contract));
  return contract;
}

export interface RunningMock {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `http://127.0.0.1:PORT/api/v3/` */
  apiUrl: string;
  token: string;
  userToken: string;
  mock: MockServer;
  /** Forced statuses, delays and network failures: `scenarios.add({ match, respond, times, identity })`. */
  scenarios: Scenarios;
  close: () => Promise<void>;
}

/** Starts the mock over HTTP on a free loopback port (contract and schemas default as in `createApp`). */
export async function startMock(options: NodeMockOptions & { port?: number } = {}): Promise<RunningMock> {
  const running = await startServer({ ...options, host: '127.0.0.1', port: options.port ?? 0 });
  return {
    origin: running.url,
    apiUrl: running.apiUrl,
    token: running.mock.world.adminToken,
    userToken: running.mock.world.userToken,
    mock: running.mock,
    scenarios: running.mock.scenarios,
    // Keep-alive connections are closed too: a client's idle socket must not hold the server open.
    close: () => running.close(),
  };
}

/**
 * The mock for one test file: started before the first test, stopped after the last, and (unless
 * `resetBetweenTests: false`) back to its seed, with no scenario rules, before each test. Read the fields inside tests, not at import time.
 */
export function useMock(options: NodeMockOptions & { resetBetweenTests?: boolean } = {}): RunningMock {
  const handle = {} as RunningMock;
  beforeAll(async () => void Object.assign(handle, await startMock(options)));
  if (options.resetBetweenTests !== false) {
    beforeEach(() => {
      handle.mock.reset();
    });
  }
  afterAll(() => handle.close());
  return handle;
}

declare module 'vitest' {
  interface Assertion<T> {
    toMatchContract(operationId: string): T;
  }
  interface AsymmetricMatchersContaining {
    toMatchContract(operationId: string): unknown;
  }
}
