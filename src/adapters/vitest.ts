import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { createApp } from './express.js';
import type { Contract } from '../contract/contract.js';
import type { MockServer } from '../core/mock-server.js';
import type { Scenarios } from '../core/scenarios.js';
import { loadContract, type NodeMockOptions } from '../node/index.js';

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
  const app = createApp(options);
  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = app.mock.contract.operations[0]?.server ?? '/api/v3/';
  return {
    origin,
    apiUrl: `${origin}${base}`,
    token: app.mock.world.adminToken,
    userToken: app.mock.world.userToken,
    mock: app.mock,
    scenarios: app.mock.scenarios,
    // Keep-alive connections are closed too: a client's idle socket must not hold the server open.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
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
