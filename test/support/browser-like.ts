/**
 * A client that keeps cookies and follows redirects as a browser's `fetch` does (a 302 after a POST becomes a GET),
 * over any fetch: the in-process core (`mock.fetch`) or HTTP. Every executor answer it sees is checked against the
 * contract, and the statuses of the hops are kept, so a test can assert the 302s authentik answers.
 */
import type { Contract } from '../../src/contract/contract.js';

export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
  /** Statuses of the redirects followed to get here (302 each). */
  hops: number[];
  /** Set-Cookie values of every response on the way. */
  setCookies: string[];
}

export interface SendOptions {
  json?: unknown;
  headers?: Record<string, string>;
  /** Follow 302s (default true). */
  follow?: boolean;
  /** Send the X-authentik-CSRF header from the csrf cookie (as authentik's web UI does on writes). */
  csrf?: boolean;
}

const EXECUTOR = /^\/api\/v3\/flows\/executor\/[^/]+\/$/;

export class BrowserLike {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly fetcher: Fetcher,
    private readonly origin: string,
    private readonly contract?: Contract,
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async send(method: string, path: string, options: SendOptions = {}): Promise<Reply> {
    const hops: number[] = [];
    const setCookies: string[] = [];
    let url = new URL(path, this.origin);
    let current = method;
    let body = options.json === undefined ? undefined : JSON.stringify(options.json);
    for (;;) {
      const headers: Record<string, string> = { ...options.headers };
      if (this.cookies.size > 0) headers['cookie'] = this.cookieHeader;
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (options.csrf && this.cookies.has('authentik_csrf')) headers['x-authentik-csrf'] = this.cookies.get('authentik_csrf')!;
      const response = await this.fetcher(url.href, { method: current, headers, body, redirect: 'manual' });
      for (const cookie of response.headers.getSetCookie()) {
        setCookies.push(cookie);
        const [pair = ''] = cookie.split(';');
        const eq = pair.indexOf('=');
        this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      const location = response.headers.get('location');
      if (response.status === 302 && location && options.follow !== false && hops.length < 20) {
        hops.push(302);
        await response.arrayBuffer();
        url = new URL(location, url);
        current = 'GET';
        body = undefined;
        continue;
      }
      const text = await response.text();
      const parsed = response.headers.get('content-type')?.includes('json') && text ? (JSON.parse(text) as unknown) : text;
      this.checkChallenge(current, url, response.status, parsed);
      return { status: response.status, headers: response.headers, body: parsed, text, hops, setCookies };
    }
  }

  private checkChallenge(method: string, url: URL, status: number, body: unknown): void {
    if (!this.contract || !EXECUTOR.test(url.pathname) || status !== 200) return;
    const operation = method === 'POST' ? 'flows_executor_solve' : 'flows_executor_get';
    const problems = this.contract.validateResponse(operation, status, body);
    if (problems.length > 0)
      throw new Error(`${operation} answered outside the contract: ${JSON.stringify(problems)}\n${JSON.stringify(body)}`);
  }
}

/** The executor's URL for a flow, with the flow page's query string as authentik's UI sends it. */
export function executorUrl(slug: string, pageQuery = ''): string {
  return `/api/v3/flows/executor/${slug}/?query=${encodeURIComponent(pageQuery)}`;
}
