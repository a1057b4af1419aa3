import type { AddressInfo } from 'node:net';
import { createApp } from '../src/adapters/express.js';
import { behaviourSuite } from './behaviour/suite.js';
import { mixedDocument } from './support/contracts.js';
import { fetchRequester } from './support/requester.js';

behaviourSuite(async () => {
  const app = createApp({ contract: mixedDocument(), seed: 1 });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: 'express',
    mock: app.mock,
    request: fetchRequester(`http://127.0.0.1:${port}`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
