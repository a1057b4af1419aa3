/** The server under test, seen through a transport: every answer read as status + JSON body, nothing thrown for 4xx/5xx. */

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  /** What was sent: the method and the whole URL. */
  request: { method: string; url: string };
}

export interface Call {
  method: string;
  /** Path under the origin, query included: `/api/v3/core/groups/?page=2`. */
  path: string;
  authorization?: string | null;
  json?: unknown;
  /** A multipart/form-data body: text fields, and files as `{ filename, content }`. */
  form?: Record<string, string | FilePart>;
}

export interface FilePart {
  filename: string;
  content: string;
  type?: string;
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

/** One request as it goes on the wire: the whole URL, the headers, the body as text. */
export interface Outgoing {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** How requests reach the server: one request in, its status and whole body text out; rejects when there is none. */
export interface Transport {
  send(request: Outgoing): Promise<{ status: number; text: string }>;
  /** Lets go of what it holds (idle keep-alive connections). */
  close?(): void;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** A transport over a fetch function (a test's in-process server, or `fetch` itself), each request with its deadline. */
export function fetchTransport(fetcher: FetchLike = (url, init) => fetch(url, init), timeoutMs = DEFAULT_TIMEOUT_MS): Transport {
  return {
    async send({ method, url, headers, body }) {
      const response = await fetcher(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, text: await response.text() };
    },
  };
}

export class HttpClient {
  private readonly origin: string;
  readonly prefixInBase: string;

  constructor(
    baseUrl: string,
    /** The key the harness authenticates with: writes never touch the token it belongs to. */
    readonly token: string,
    private readonly transport: Transport = fetchTransport(),
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
    let body: string | undefined;
    if (call.form !== undefined) {
      const boundary = `authentik-mock-contract-${Math.random().toString(36).slice(2)}`;
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
      body = multipartBody(call.form, boundary);
    } else if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    }
    const target = `${this.origin}${call.path}`;
    let received: { status: number; text: string };
    try {
      received = await this.transport.send({ method: call.method, url: target, headers, body });
    } catch (error) {
      const { code, cause, message } = error as { code?: string; cause?: { code?: string; message?: string }; message: string };
      throw new ServerUnreachable(target, cause?.code ?? code ?? cause?.message ?? message);
    }
    const { status, text } = received;
    return { status, body: parseBody(text), text, request: { method: call.method, url: target } };
  }

  close(): void {
    this.transport.close?.();
  }
}

/** A multipart/form-data body (RFC 7578): one part per field, files with their filename. */
function multipartBody(form: Record<string, string | FilePart>, boundary: string): string {
  const quote = (text: string) => text.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));
  const parts = Object.entries(form).map(([name, value]) =>
    typeof value === 'string'
      ? `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`
      : `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"; filename="${quote(value.filename)}"\r\nContent-Type: ${value.type ?? 'application/octet-stream'}\r\n\r\n${value.content}\r\n`,
  );
  return `${parts.join('')}--${boundary}--\r\n`;
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
