import { Contract } from '../contract/contract.js';
import type { RawQuery } from '../contract/query-parameters.js';
import type { ContractDocument } from '../contract/types.js';
import { World, type WorldDump, type WorldOptions } from '../world/world.js';
import { authenticate } from './auth.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { DETAILS, detail, isMockResponse, type MockRequest, type MockResponse } from './http.js';
import { action, create, destroy, list, retrieve, update, type OperationCall } from './operations.js';
import { parseRequestBody, withoutDangerousKeys } from './request-body.js';
import { forceScenario, Scenarios } from './scenarios.js';

export interface MockOptions extends WorldOptions {
  /** The contract, or the parsed content of a schemas/ folder. */
  contract: Contract | ContractDocument;
  /** A saved world to start from (see GET /_mock/dump). */
  data?: WorldDump | unknown;
  /** Reuse GET answers until the world changes (default true; off only to measure rendering). */
  cacheResponses?: boolean;
  /**
   * The bearer key /_mock/ requires (default: the admin token). `false` turns the control API off (404), as `serve`
   * does on a non-loopback host when no token is configured.
   */
  controlToken?: string | false;
  /**
   * Host names (Host header, without port) the control API answers to, against DNS rebinding; `true` for any.
   * Default: any (an in-process mock has no Host to check); `serve` passes loopback names plus its own host.
   */
  allowedHosts?: string[] | true;
}

/** One answered request, as the request log shows it. */
export interface RequestLogEntry {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  status: number;
  /** Time spent in the mock, including forced delays. */
  ms: number;
  /** Who asked: a username, `anonymous`, `invalid token`, or `control` for /_mock/ routes. */
  identity: string;
}

type Listener<T> = (value: T) => void;

const CACHE_LIMIT = 2000;

function parseQuery(search: URLSearchParams): RawQuery {
  const query: RawQuery = Object.create(null) as RawQuery;
  for (const [key, value] of search) (query[key] ??= []).push(value);
  return query;
}

function lowerCaseHeaders(headers: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}

/**
 * The whole mock behind one function: `handle(request) → response`. No framework and no Node API, so the Express
 * adapter, the MSW adapter (Node or browser) and tests all drive the same code.
 */
export class MockServer {
  readonly contract: Contract;
  readonly world: World;
  /** Forced statuses, delays and network failures (`mock.scenarios.add(rule)`); see scenarios.ts. */
  readonly scenarios = new Scenarios();
  /**
   * GET answers by Authorization header and URL: valid while the world's version is unchanged and the caller's
   * token has not expired. A hit skips parsing, routing and authentication.
   */
  private readonly cache = new Map<string, { version: number; validUntil: number; response: MockResponse }>();

  private readonly caching: boolean;
  private readonly changeListeners = new Set<Listener<number>>();
  private readonly requestListeners = new Set<Listener<RequestLogEntry>>();

  constructor(options: MockOptions) {
    this.caching = options.cacheResponses !== false;
    this.contract = options.contract instanceof Contract ? options.contract : new Contract(options.contract);
    this.world = new World(this.contract, options);
    if (options.data !== undefined) this.world.load(options.data);
  }

  /** Called with the world's version after each request that changed the world (to save it, say). */
  onChange(listener: Listener<number>): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Called once per answered request (the request log). */
  onRequest(listener: Listener<RequestLogEntry>): () => void {
    this.requestListeners.add(listener);
    return () => this.requestListeners.delete(listener);
  }

  async handle(request: MockRequest): Promise<MockResponse> {
    const started = performance.now();
    const version = this.world.version;
    let response: MockResponse;
    try {
      response = await this.dispatch(request);
    } catch (error) {
      // A bug of ours must still answer in JSON and never take the process down.
      response = detail(500, `authentik-mock internal error: ${(error as Error).message}`);
    }
    if (this.world.version !== version) for (const listener of this.changeListeners) listener(this.world.version);
    if (this.requestListeners.size > 0) this.logRequest(request, response, performance.now() - started);
    return response;
  }

  private logRequest(request: MockRequest, response: MockResponse, ms: number): void {
    const entry = {
      method: request.method.toUpperCase(),
      url: request.url,
      status: response.network ? 0 : response.status,
      ms,
      identity: this.identityOf(request),
    };
    for (const listener of this.requestListeners) listener(entry);
  }

  private identityOf(request: MockRequest): string {
    if (new URL(request.url, 'http://mock.invalid').pathname.startsWith(CONTROL_PREFIX)) return 'control';
    const header = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    if (!header) return 'anonymous';
    const principal = authenticate(this.world, header);
    if (isMockResponse(principal)) return 'invalid token';
    const users = this.world.userEntity;
    const username = users ? this.world.table(users.name).get(principal.userPk)?.['username'] : undefined;
    return typeof username === 'string' ? username : `user ${String(principal.userPk)}`;
  }

  private async dispatch(request: MockRequest): Promise<MockResponse> {
    const method = request.method.toUpperCase();
    const headers = lowerCaseHeaders(request.headers);
    // While scenarios may apply, every request goes through routing so that they can.
    const forcing = this.scenarios.size > 0 || headers['prefer'] !== undefined;
    const cacheKey = method === 'GET' && this.caching && !forcing ? `${headers['authorization'] ?? ''}|${request.url}` : undefined;
    const cached = cacheKey ? this.cache.get(cacheKey) : undefined;
    if (cached && cached.version === this.world.version && Date.now() < cached.validUntil) return cached.response;

    const url = new URL(request.url, 'http://mock.invalid');
    const path = url.pathname;
    if (path.startsWith(CONTROL_PREFIX)) {
      return handleControl(this.world, method, path, () => this.controlBody(request.body), {
        scenarios: this.scenarios,
        contentType: headers['content-type'],
      });
    }

    const routeMethod = method === 'HEAD' ? 'GET' : method;
    const match = this.contract.match(routeMethod, path);
    if (match.kind === 'not-found') return this.appendSlash(routeMethod, url) ?? detail(404, DETAILS.notFound);
    if (forcing && match.kind === 'operation') {
      // After routing, before auth: the forced answer (or the delay before the real one) is decided here.
      const forced = await forceScenario(this, { operation: match.operation, method, path, headers, signal: request.signal });
      if (forced) return method === 'HEAD' && !forced.network ? { status: forced.status, headers: forced.headers } : forced;
    }
    const principal = authenticate(this.world, headers['authorization']);
    if (isMockResponse(principal)) return principal;
    if (match.kind === 'method-not-allowed') return detail(405, `Method "${method}" not allowed.`, { allow: match.allowed.join(', ') });

    const call: OperationCall = {
      world: this.world,
      operation: match.operation,
      pathParams: match.pathParams,
      query: parseQuery(url.searchParams),
      principal,
      body: () => parseRequestBody(match.operation, headers, request.body, (s) => this.contract.resolve(s)),
    };
    const version = this.world.version;
    const response = await this.run(call);
    if (cacheKey && response.status < 500 && this.world.version === version)
      this.remember(cacheKey, { version, validUntil: principal.validUntil, response });
    return method === 'HEAD' ? { status: response.status, headers: response.headers } : response;
  }

  private run(call: OperationCall): MockResponse | Promise<MockResponse> {
    const role = this.world.roles.get(call.operation.operationId);
    if (!role || role.kind === 'action') return action(call, role?.resource);
    switch (role.kind) {
      case 'list':
        return list(call, role.resource);
      case 'retrieve':
        return retrieve(call, role.resource);
      case 'create':
        return create(call, role.resource);
      case 'update':
        return update(call, role.resource, false);
      case 'partial_update':
        return update(call, role.resource, true);
      case 'destroy':
        return destroy(call, role.resource);
    }
  }

  /** Django's APPEND_SLASH: a path that exists only with a trailing slash is a 301 there, query string kept. */
  private appendSlash(method: string, url: URL): MockResponse | undefined {
    if (url.pathname.endsWith('/') || this.contract.match(method, `${url.pathname}/`).kind === 'not-found') return undefined;
    return { status: 301, headers: { location: `${url.pathname}/${url.search}` } };
  }

  private remember(key: string, entry: { version: number; validUntil: number; response: MockResponse }): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, entry);
  }

  private controlBody(body: Uint8Array | string | undefined): unknown {
    const text = typeof body === 'string' ? body : body ? new TextDecoder().decode(body) : '';
    return withoutDangerousKeys(JSON.parse(text || 'null'));
  }
}
