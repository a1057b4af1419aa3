import { startMock } from '../src/adapters/vitest.js';
import { behaviourSuite } from './behaviour/suite.js';
import { mixedDocument } from './support/contracts.js';
import { fetchRequester } from './support/requester.js';

behaviourSuite(async () => {
  const running = await startMock({ contract: mixedDocument(), seed: 1 });
  return { name: 'express', mock: running.mock, request: fetchRequester(running.origin), close: running.close };
});
