import { setupServer } from 'msw/node';
import { createHandlers } from '../src/adapters/msw.js';
import { behaviourSuite } from './behaviour/suite.js';
import { mixedDocument } from './support/contracts.js';
import { fetchRequester } from './support/requester.js';

behaviourSuite(async () => {
  const handlers = createHandlers({ contract: mixedDocument(), seed: 1, origin: 'http://authentik.test' });
  const server = setupServer(...handlers);
  server.listen({ onUnhandledRequest: 'error' });
  return { name: 'msw', mock: handlers.mock, request: fetchRequester('http://authentik.test'), close: async () => server.close() };
});
