import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import type { MockServer } from '../core/mock-server.js';
import { MAX_BODY_BYTES } from '../core/request-body.js';
import { createMock, type NodeMockOptions } from '../node/index.js';

export type ExpressMockOptions = NodeMockOptions & { mock?: MockServer };

function headersOf(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.headers)) out[key] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** Body-parser failures are client mistakes: they get JSON 4xx answers like everything else. */
const clientErrors: ErrorRequestHandler = (error: { type?: string; status?: number; message?: string }, _req, res, _next) => {
  const status = error.type === 'entity.too.large' ? 413 : error.status && error.status < 500 ? error.status : 400;
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ detail: status === 413 ? `Request body exceeded ${MAX_BODY_BYTES} bytes.` : (error.message ?? 'Bad request') }));
};

/** Aborted when the response closes: the client went away (or the answer was sent). */
function closeController(res: Response): AbortController {
  const controller = new AbortController();
  if (res.closed) controller.abort();
  else res.once('close', () => controller.abort());
  return controller;
}

/**
 * An Express app serving the mock: raw bytes in, the core's answer out. Nothing else happens here. The contract is
 * `options.contract`, else the `options.schemas` folder, else `./schemas` if it is one, else the package's own.
 */
export function createApp(options: ExpressMockOptions = {}): Express & { mock: MockServer } {
  const mock = options.mock ?? createMock(options);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }));
  app.use(async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : undefined;
    // The client going away ends a forced delay or a held request at once (no timer outlives the connection). The
    // signal is made only when the core asks for it (a scenario applies): most requests never need one.
    let gone: AbortController | undefined;
    const request = {
      method: req.method,
      url: req.originalUrl,
      headers: headersOf(req),
      body,
      get signal() {
        return (gone ??= closeController(res)).signal;
      },
    };
    const answer = await mock.handle(request);
    if (answer.network) return void req.socket.destroy(); // a forced reset, or a held request given up
    res.status(answer.status).set(answer.headers);
    res.end(answer.body);
  });
  app.use(clientErrors);
  return Object.assign(app, { mock });
}
