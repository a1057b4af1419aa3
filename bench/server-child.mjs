// One server per process for bench:server, run from the built package as a user would run it:
//   mock|mock-uncached <schemas> <port> [records]   |   bare <port> <replies.json>
import { readFileSync } from 'node:fs';
import express from 'express';
import { createApp } from '../dist/adapters/express.js';

const [kind, ...args] = process.argv.slice(2);
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};
const ready = (port) => process.send?.({ ready: port, rss: rss() });
process.on('message', () => process.send?.({ rss: rss() }));

if (kind === 'mock' || kind === 'mock-uncached') {
  const [schemas, port, records] = args;
  const app = createApp({
    schemas,
    seed: 1,
    adminToken: 'bench-token',
    recordsPerEntity: Number(records ?? 25),
    cacheResponses: kind === 'mock',
  });
  app.listen(Number(port), '127.0.0.1', () => ready(Number(port)));
} else {
  // The same bytes for the same request, with no work at all: what Express itself costs.
  const [port, file] = args;
  const replies = JSON.parse(readFileSync(file, 'utf8'));
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.raw({ type: () => true, limit: 1024 * 1024 }));
  app.use((req, res) => {
    const reply = replies[req.originalUrl];
    if (!reply) return void res.status(404).end();
    res.status(reply.status).set(reply.headers).end(reply.body);
  });
  app.listen(Number(port), '127.0.0.1', () => ready(Number(port)));
}
