/** The server under test, seen through fetch: every answer read as status + JSON body, nothing thrown for 4xx/5xx. */

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

export interface Call {
  method: string;
  /** Path under the origin, query included: `/api/v3/core/groups/?page=2`. */
  path: string;
  authorization?: string | null;
  json?: unknown;
}

/** The server did not answer at all: the run stops with exit status 2, not a list of failures. */
export class ServerUnreachable extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`);
    this.name = 'ServerUnreachable';
  }
}

export class HttpClient {
  private readonly origin: string;
  readonly prefixInBase: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
    private readonly fetcher: FetchLike = (url, init) => fetch(url, init),
    private readonly timeoutMs = 15_000,
  ) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.prefixInBase = url.pathname.replace(/\/+$/, '');
  }

  /** The URL of a contract path: a base URL that already ends in the server base (`…/api/v3`) is not repeated. */
  url(serverBase: string, path: string): string {
    const server = serverBase.replace(/\/+$/, '');
    const prefix = this.prefixInBase.endsWith(server) ? this.prefixInBase : `${this.prefixInBase}${server}`;
    return `${prefix}${path}`;
  }

  async send(call: Call): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.authorization === undefined) headers['authorization'] = `Bearer ${this.token}`;
    else if (call.authorization !== null) headers['authorization'] = call.authorization;
    if (call.json !== undefined) headers['content-type'] = 'application/json';
    const target = `${this.origin}${call.path}`;
    let response: Response;
    try {
      response = await this.fetcher(target, {
        method: call.method,
        headers,
        body: call.json === undefined ? undefined : JSON.stringify(call.json),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ServerUnreachable(target, cause?.code ?? cause?.message ?? (error as Error).message);
    }
    const text = await response.text();
    return { status: response.status, body: parseBody(text), text };
  }
}

/** A response body as JSON when it is JSON, the text itself otherwise, undefined when empty. */
export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
