/**
 * The harness's default transport in Node: node:http(s) over keep-alive connections. A request through the global
 * `fetch` (undici) costs the harness about 380 µs of CPU on loopback, through node:http about 150 µs: at the ~8,000
 * requests of a run with writes, seconds (BENCHMARKS.md, "where the harness's time goes").
 */
import http from 'node:http';
import https from 'node:https';
import { DEFAULT_TIMEOUT_MS, type Outgoing, type Transport } from './http-client.js';

const MAX_REDIRECTS = 20;

export interface NodeTransportOptions {
  /** Deadline of one request, answer read whole included. */
  timeoutMs?: number;
  /** Connections kept open per origin: as many as requests in flight at once. */
  sockets?: number;
}

/**
 * Redirects are followed as `fetch` follows them, so a base URL that redirects (http → https) works as before:
 * 303, and 301/302 after a POST, become a GET without a body; an Authorization header is not sent to another origin.
 */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.sockets ?? 8 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.sockets ?? 8 }),
  };
  const once = (request: Outgoing, retried = false): Promise<{ status: number; text: string; location?: string }> =>
    new Promise((resolve, reject) => {
      const url = new URL(request.url);
      const protocol = url.protocol === 'https:' ? https : http;
      const headers = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
      const sent = protocol.request(url, { method: request.method, headers, agent: agents[url.protocol as 'http:'] }, (response) => {
        response.setEncoding('utf8');
        let text = '';
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: response.statusCode ?? 0, text, location: response.headers.location });
        });
        response.on('error', reject);
      });
      const deadline = setTimeout(() => sent.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      sent.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(deadline);
        // A kept-alive connection the server closed while idle (Node's documented race): sent again once, anew.
        if (!retried && sent.reusedSocket && error.code === 'ECONNRESET') resolve(once(request, true));
        else reject(error);
      });
      sent.end(request.body);
    });
  return {
    async send(request) {
      let current = request;
      for (let redirects = 0; ; redirects++) {
        const answer = await once(current);
        if (!isRedirect(answer.status) || answer.location === undefined) return { status: answer.status, text: answer.text };
        if (redirects === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
        current = redirected(current, answer.status, answer.location);
      }
    },
    close() {
      for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** The request a redirect asks for, as the fetch standard makes it. */
function redirected(request: Outgoing, status: number, location: string): Outgoing {
  const url = new URL(location, request.url);
  const headers = { ...request.headers };
  if (url.origin !== new URL(request.url).origin) delete headers['authorization'];
  const asGet = status === 303 ? request.method !== 'HEAD' : (status === 301 || status === 302) && request.method === 'POST';
  if (!asGet) return { ...request, url: url.href, headers };
  delete headers['content-type'];
  return { method: 'GET', url: url.href, headers };
}
