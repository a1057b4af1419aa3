import { http, HttpResponse, type HttpHandler } from 'msw';
import { MockServer, type MockOptions } from '../core/mock-server.js';
import { CONTROL_PREFIX } from '../core/control.js';

export type MswMockOptions = MockOptions & {
  /** Origin the app calls (`http://localhost:9000`); any origin when absent. */
  origin?: string;
  mock?: MockServer;
};

/**
 * MSW request handlers for `setupServer(...handlers)` (Node) or `setupWorker(...handlers)` (browser): the same core
 * as the HTTP server. Browser-safe: give it the contract (e.g. the JSON of `authentik-mock bundle`).
 */
export function createHandlers(options: MswMockOptions): HttpHandler[] & { mock: MockServer } {
  const mock = options.mock ?? new MockServer(options);
  const origin = options.origin?.replace(/\/+$/, '') ?? '*';
  const bases = new Set([...mock.contract.operations.map((o) => o.server), CONTROL_PREFIX]);
  const handlers = [...bases].map((base) =>
    http.all(`${origin}${base.replace(/\/?$/, '/')}*`, async ({ request }) => {
      const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer());
      const answer = await mock.handle({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body });
      return new HttpResponse(answer.body ?? null, { status: answer.status, headers: answer.headers });
    }),
  );
  return Object.assign(handlers, { mock });
}
