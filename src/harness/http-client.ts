/** The server under test, seen through fetch: every answer read as status + JSON body, nothing thrown for 4xx/5xx. */

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

export class HttpClient {
  private readonly origin: string;
  readonly prefixInBase: string;

  constructor(
    baseUrl: string,
    /** The key the harness authenticates with: writes never touch the token it belongs to. */
    readonly token: string,
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
    let response: Response;
    try {
      response = await this.fetcher(target, {
        method: call.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ServerUnreachable(target, cause?.code ?? cause?.message ?? (error as Error).message);
    }
    const text = await response.text();
    return { status: response.status, body: parseBody(text), text, request: { method: call.method, url: target } };
  }
}

/** A multipart/form-data body (RFC 7578): one part per field, files with their filename. */
export function multipartBody(form: Record<string, string | FilePart>, boundary: string): string {
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
