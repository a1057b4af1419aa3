// One server per process for bench:server and bench:prism, run from the built package as a user would run it. Each
// listens on a free port (listen(0)) and sends it to the parent: { ready: port, rss }.
//   mock|mock-uncached <schemas> [records] [dump.json]   |   bare <replies.json>
// A dump makes the world another mock process has (its random secrets included), so both answer the same bytes.
import { readFileSync } from 'node:fs';
import express from 'express';
import { createApp } from '../dist/adapters/express.js';

/** The query parameter the bench adds to make each URL different; bare Express answers as if it were not there. */
const VARIATION = /[?&]v=\d+$/;

const [kind, ...args] = process.argv.slice(2);
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};
process.on('message', () => process.send?.({ rss: rss() }));
const listen = (app) => {
  const server = app.listen(0, '127.0.0.1', () => process.send?.({ ready: server.address().port, rss: rss() }));
};

if (kind === 'mock' || kind === 'mock-uncached') {
  const [schemas, records, dump] = args;
  listen(
    createApp({
      schemas,
      seed: 1,
      adminToken: 'bench-token',
      recordsPerEntity: Number(records ?? 25),
      cacheResponses: kind === 'mock',
      ...(dump ? { data: JSON.parse(readFileSync(dump, 'utf8')) } : {}),
    }),
  );
} else {
  // The same bytes for the same request (method and URL, without the bench's variation), with no work at all: what
  // Express itself costs.
  const [file] = args;
  const replies = JSON.parse(readFileSync(file, 'utf8'));
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.raw({ type: () => true, limit: 1024 * 1024 }));
  app.use((req, res) => {
    const reply = replies[`${req.method} ${req.originalUrl.replace(VARIATION, '')}`];
    if (!reply) return void res.status(404).end();
    res.status(reply.status).set(reply.headers).end(reply.body);
  });
  listen(app);
}
