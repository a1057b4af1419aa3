import { allowsAnonymous } from '../contract/operation-shapes.js';
import { Contract } from '../contract/contract.js';
import type { ContractDocument, OperationSpec } from '../contract/types.js';
import { World, type WorldDump, type WorldOptions } from '../world/world.js';
import type { RouteMatch } from '../contract/router.js';
import { DETAILS } from '../contract/authentik-messages.js';
import { AnswerCache, type AnswerCacheLimits } from './answer-cache.js';
import { bearerKey, Callers } from './callers.js';
import { DerivedActions, SiteRoutes, type Feature, type FeatureHost } from './extensions.js';
import { CORE_FEATURES } from './features.js';
import { pathAndQuery, RequestContext } from './request-context.js';
import { CONTROL_PREFIX, handleControl, type ConsoleFiles, type ControlHost } from './control.js';
import { corsHeaders, preflight, type CorsOrigins } from './cors.js';
import {
  HttpError,
  httpError,
  toResponse,
  json,
  type IncomingRequest,
  methodNotAllowed,
  whenRead,
  andThen,
  type Answer,
  type Reply,
} from './http.js';
import { action, create, destroy, list, retrieve, update, type OperationCall } from './operations.js';
import { RoutedCall } from './routed-call.js';
import { forceScenario, Scenarios, type HoldLimits } from './scenarios.js';
import { checkGuard } from './permissions.js';
import { readerKey, SERVICE_UNAVAILABLE, UnsentAnswers } from './unsent-answers.js';
import { parseTeamBlueprints, startWorld, type StartPasswords, type WorldStartOptions } from './world-start.js';
import type { BlueprintResult, ParsedBlueprint } from '../blueprints/index.js';
import { randomKey } from '../world/secrets.js';

export interface MockOptions extends WorldOptions, WorldStartOptions {
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
  /** Pages on these origins may call the mock (CORS, preflights answered without auth). Default: none. */
  cors?: CorsOrigins;
  /** Bounds of the GET answer cache. */
  cache?: AnswerCacheLimits;
  /**
   * Who may force answers (a `Prefer` header, scenario rules). `anyone` (the default) where the developer is the
   * only client — in process (MSW, `createMock`) and `serve` on a loopback host: the forced answer comes before
   * authentication, so a UI without a token can still see the 500. `authenticated` where others can reach the
   * server (`serve` on another host, or `--demo`): only a request whose key authenticates is forced, after
   * authentication, so an anonymous visitor cannot hold connections or answer errors to anyone.
   */
  forcedStates?: 'anyone' | 'authenticated';
  /** Bounds of held answers (forced delays, `network=timeout`): 30 s each, 32 per client address, 256 in all. */
  holds?: HoldLimits;
  /**
   * Bytes of large answers (64 KiB or more) not yet taken by their clients, at most: a GET past it answers 503
   * (see unsent-answers.ts). Off by default (in process, a page may never read a body); the Express adapter and
   * `serve` turn it on (64 MiB).
   */
  maxUnsentBytes?: number;
  /** The demo console's files, served under /_mock/ui/ (the Node side gives them; a browser page has none). */
  consoleFiles?: ConsoleFiles;
  /**
   * A username: OAuth2 authorization (`/application/o/authorize/`) answers as this user at once, with no login or
   * consent page (`serve --auto-login`, for CI). Unset: a caller with no session is sent to the login flow.
   */
  autoLogin?: string;
}

/** One answered request, as the request log shows it. */
export interface RequestLogEntry {
  method: string;
  /** Path and query string. */
  url: string;
  status: number;
  /** Time spent in the mock, including forced delays. */
  ms: number;
  /** Who asked: a username, `anonymous`, `invalid token`, or `control` for /_mock/ routes. */
  identity: string;
}

type Listener<T> = (value: T) => void;

/** Whether an absolute URL's path is under /_mock/ (without parsing the URL: this is asked on every request). */
function isControlUrl(url: string): boolean {
  const path = url.indexOf('/', url.indexOf('//') + 2);
  return path >= 0 && url.startsWith(CONTROL_PREFIX, path);
}

/** A routed request: an operation, or a path whose methods do not include this one. */
type Routed = Exclude<RouteMatch, { kind: 'not-found' }>;

/** A failure as its answer: an HttpError is its own answer; anything else is a bug of ours, still JSON. */
function failureAnswer(error: unknown): Answer {
  if (error instanceof HttpError) return error.toAnswer();
  return json(500, { detail: `authentik-mock internal error: ${(error as Error).message}` });
}

/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * The whole mock behind one function, as the web platform has it: `fetch(Request) → Response`. No framework and no
 * Node API, so the Express bridge, MSW (which hands its `Request` straight in, in Node or a browser) and tests all
 * drive the same code. Failures anywhere inside are thrown as `HttpError` and answered here.
 */
export class MockCore implements ControlHost, FeatureHost {
  readonly contract: Contract;
  readonly world: World;
  /** Forced statuses, delays and network failures (`mock.scenarios.add(rule)`); see scenarios.ts. */
  readonly scenarios: Scenarios;
  /** How requests authenticate: bearer keys, then what features add (sessions). */
  readonly callers: Callers;
  /** Answers features derive for some operations (instead of generated bodies). */
  readonly actions: DerivedActions;
  /** Routes outside the API that features add (a login page, OAuth2 endpoints). */
  readonly site = new SiteRoutes();
  readonly allowedHosts: readonly string[] | true;
  private readonly cors: CorsOrigins | undefined;
  /**
   * GET answers by Authorization header and URL: valid while the world's version is unchanged and the caller's
   * token has not expired. A hit skips parsing, routing and authentication.
   */
  private readonly cache: AnswerCache | undefined;
  private readonly changeListeners = new Set<Listener<number>>();
  private readonly requestListeners = new Set<Listener<RequestLogEntry>>();
  /** What `reset()` returns to: the loaded dump as text (compact: the world holds its own copies), else the seed. */
  private readonly start: string | undefined;
  /** A team's blueprints, parsed once: a reset applies them again. */
  private readonly teamBlueprints: ParsedBlueprint[];
  /** The passwords the start gives akadmin and the ordinary user (random unless given): `serve` prints them. */
  readonly passwords: StartPasswords;
  /** How each blueprint of the start went (empty when the mock started from a dump). */
  blueprintResults: BlueprintResult[] = [];
  private readonly unsent: UnsentAnswers | undefined;
  private refusal: string | undefined;
  readonly autoLogin: string | undefined;

  constructor(
    private readonly options: MockOptions,
    features: readonly Feature[] = CORE_FEATURES,
  ) {
    this.cache = options.cacheResponses === false ? undefined : new AnswerCache(options.cache);
    this.scenarios = new Scenarios(options.holds);
    this.unsent = options.maxUnsentBytes === undefined ? undefined : new UnsentAnswers(options.maxUnsentBytes);
    this.contract = options.contract instanceof Contract ? options.contract : new Contract(options.contract);
    this.world = new World(this.contract, options);
    this.callers = new Callers(this.world);
    this.actions = new DerivedActions(this.world);
    this.allowedHosts = options.allowedHosts ?? true;
    this.cors = options.cors;
    this.teamBlueprints = parseTeamBlueprints(options.blueprints ?? []);
    this.passwords = {
      admin: options.adminPassword ?? options.env?.['AUTHENTIK_BOOTSTRAP_PASSWORD'] ?? randomKey(20),
      user: options.userPassword ?? randomKey(20),
    };
    this.autoLogin = options.autoLogin;
    // Features first: what they keep with the world (World.keepWith) is in the dump being loaded.
    for (const install of features) install(this);
    if (options.data !== undefined) this.world.load(options.data);
    else this.blueprintResults = startWorld(this.world, this.teamBlueprints, options, this.passwords);
    this.start = options.data === undefined ? undefined : JSON.stringify(options.data);
    if (this.autoLogin !== undefined && !this.userNamed(this.autoLogin))
      throw new Error(`auto-login: the world has no user named "${this.autoLogin}"`);
  }

  /** Whether the world has this user (a contract without users has nobody to log in: nothing to check). */
  private userNamed(username: string): boolean {
    const users = this.world.userEntity;
    return users === undefined || this.world.table(users.name).find('username', username) !== undefined;
  }

  /** The bearer key /_mock/ requires: the configured one, else the admin token; false when the control API is off. */
  get controlToken(): string | false {
    return this.options.controlToken ?? this.world.adminToken;
  }

  /** The demo console's files, if it was given them (MockOptions.consoleFiles). */
  get consoleFiles(): ConsoleFiles | undefined {
    return this.options.consoleFiles;
  }

  /** What the mock holds: records, bytes written through the API, cached answers and their bytes, unread answers. */
  usage(): { records: number; writtenBytes: number; cachedAnswers: number; cachedBytes: number; unsentBytes: number } {
    const cache = { cachedAnswers: this.cache?.size ?? 0, cachedBytes: this.cache?.heldBytes ?? 0 };
    return { ...this.world.usage(), ...cache, unsentBytes: this.unsent?.heldBytes ?? 0 };
  }

  /**
   * Refuses API writes (unsafe methods: 503, DRF's wording then `reason`) until called with undefined; reads go on.
   * For a host that can no longer keep what a write would change (`serve --data` once the file cannot be saved):
   * nothing is acknowledged that would be lost.
   */
  refuseWrites(reason: string | undefined): void {
    this.refusal = reason;
  }

  /** Why API writes are refused now, or undefined while they are accepted. */
  get writesRefused(): string | undefined {
    return this.refusal;
  }

  /** Back to where the mock started (the loaded dump, else the seed), with no scenario rules. */
  reset(): void {
    this.world.clear();
    if (this.start !== undefined) this.world.load(JSON.parse(this.start));
    else this.blueprintResults = startWorld(this.world, this.teamBlueprints, this.options, this.passwords);
    this.scenarios.clear();
  }

  /** Replaces the world with a dump (throws why not; then nothing changed). */
  load(dump: unknown): void {
    this.world.load(dump);
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

  /**
   * The mock as a `fetch`: a `Request` (what MSW and the Express bridge pass), or a URL and init as for the global
   * `fetch` (a relative URL is taken on `http://localhost`). Bound: pass `mock.fetch` around as it is.
   */
  readonly fetch = async (input: IncomingRequest | string | URL, init?: RequestInit): Promise<Response> =>
    toResponse(
      await this.reply(typeof input === 'string' || input instanceof URL ? new Request(new URL(input, 'http://localhost'), init) : input),
    );

  /**
   * The answer to a request as data, the same `fetch` makes its Response of: for a bridge that writes it to a
   * response of its own (the Express adapter writes Node's), which spares making a web `Response` and reading it back.
   * The reply itself when nothing had to wait (a body to read, a forced delay), else a promise of it: a bridge that
   * writes it at once answers within the turn its request came in. Bound, as `fetch` is.
   */
  readonly reply = (request: IncomingRequest): Reply | Promise<Reply> => {
    const started = performance.now();
    const version = this.world.answerVersion;
    const saved = this.world.version;
    const key = this.cacheKey(request);
    const control = isControlUrl(request.url);
    // A large answer is streamed within the bound of unread answers, or refused (a 503) when it is a read of the API.
    const read = this.unsent && !control && request.method === 'GET' ? request : undefined;
    // A repeated GET is answered here, without routing or authentication: most of a read-heavy load.
    const known = this.unsent?.refuseEarly(read, version) || (key ? this.cache!.get(key, version, Date.now()) : undefined);
    const answer = known ?? this.answer(request, key);
    // Most answers are ready at once: no closure is made for them (garbage is most of a request's cost under load).
    if (!(answer instanceof Promise)) return this.replyOf(request, answer, started, version, saved, control, read);
    return answer.then((ready) => this.replyOf(request, ready, started, version, saved, control, read));
  };

  /**
   * What is sent for the answer: within the bound of unread answers, logged, with CORS headers where they apply. The
   * request's facts come as arguments, not an object: one allocation less per request.
   */
  private replyOf(
    request: IncomingRequest,
    answer: Answer,
    started: number,
    version: number,
    saved: number,
    control: boolean,
    read: IncomingRequest | undefined,
  ): Reply {
    if (this.world.version !== saved) for (const listener of this.changeListeners) listener(this.world.version);
    const bodiless = request.method === 'HEAD' || NULL_BODY_STATUSES.has(answer.status);
    if (this.unsent && !bodiless) answer = this.unsent.admit(answer, read, version);
    if (this.requestListeners.size > 0) answer = this.logged(request, answer, started);
    if (answer.network) return { status: 0, headers: {}, body: null, network: true }; // a forced reset, or a held request given up
    // The control API is for this origin only (its console is same-origin): no page elsewhere may call it.
    const cors = this.cors && !control && !answer.ownCors;
    const headers = cors ? { ...answer.headers, ...corsHeaders(request.headers.get('origin'), this.cors) } : answer.headers;
    const reply: Reply = { status: answer.status, headers, body: bodiless ? null : (answer.body ?? null) };
    if (answer.cookies && answer.cookies.length > 0) reply.cookies = answer.cookies;
    if (answer.bytes && typeof reply.body === 'string') reply.bytes = answer.bytes;
    return reply;
  }

  /** The answer, failures included: an HttpError is its own answer; anything else is a bug of ours, still JSON. */
  private answer(request: IncomingRequest, cacheKey: string | undefined): Answer | Promise<Answer> {
    try {
      const answer = this.dispatch(request, cacheKey);
      return answer instanceof Promise ? answer.catch(failureAnswer) : answer;
    } catch (error) {
      return failureAnswer(error);
    }
  }

  /**
   * Where a GET answer is cached: by Authorization header, cookies (a session is a caller too) and URL. None while
   * scenarios may apply (every request then goes through routing so that they can).
   */
  private cacheKey(request: IncomingRequest): string | undefined {
    if (!this.cache || request.method !== 'GET' || this.scenarios.size > 0 || request.headers.has('prefer')) return undefined;
    return readerKey(request);
  }

  private dispatch(request: IncomingRequest, cacheKey: string | undefined): Answer | Promise<Answer> {
    const context = new RequestContext(request);
    const { method, path, headers } = context;
    // The control API takes no CORS preflight: it is for this origin only.
    if (path.startsWith(CONTROL_PREFIX)) return handleControl(this, request, path);
    // authentik's pages outside the API answer OPTIONS and set CORS headers themselves (the OAuth2 views' cors_allow,
    // authentik/providers/oauth2/views/userinfo.py): the mock's CORS for pages is the API's only.
    const route = this.site.for(path);
    if (route) return andThen(route.handle(context), (answer): Answer => ({ ...answer, ownCors: true }));
    const preflightAnswer = preflight(request, this.cors);
    if (preflightAnswer) return preflightAnswer;

    const match = this.contract.match(method === 'HEAD' ? 'GET' : method, path);
    // authentik sets APPEND_SLASH = False (authentik/root/settings.py): a path without its slash is not found either.
    if (match.kind === 'not-found') return json(404, { detail: DETAILS.notFound });
    // Scenarios may force an answer (or hold the request first); without them nothing here waits.
    const forcing = this.scenarios.size > 0 || headers.has('prefer');
    if (forcing) return this.forcedOrRun(context, match, cacheKey);
    return this.runRouted(context, this.authorized(context, match), cacheKey);
  }

  /** After routing: before authentication where anyone may force, after it where only authenticated callers may. */
  private async forcedOrRun(context: RequestContext, match: Routed, cacheKey: string | undefined): Promise<Answer> {
    const anyone = this.options.forcedStates !== 'authenticated';
    const forcedFirst = anyone && match.kind === 'operation' ? await this.force(context, match.operation) : undefined;
    if (forcedFirst) return forcedFirst;
    const authorized = this.authorized(context, match);
    const forced = anyone ? undefined : await this.force(context, authorized.operation);
    return forced ?? (await this.runRouted(context, authorized, cacheKey));
  }

  /** The call, once the caller is known, for an operation the method names (else the 405, once the caller is known). */
  private authorized(context: RequestContext, match: Routed): RoutedCall {
    const principal = this.callers.authenticate(context, match.kind === 'operation' && allowsAnonymous(match.operation));
    if (match.kind === 'method-not-allowed') throw methodNotAllowed(context.method, match.allowed);
    return new RoutedCall(this.world, this.contract, match.operation, match.pathParams, principal, context);
  }

  private runRouted(context: RequestContext, call: RoutedCall, cacheKey: string | undefined): Answer | Promise<Answer> {
    if (this.refusal !== undefined && context.unsafe) throw httpError(503, `${SERVICE_UNAVAILABLE} ${this.refusal}`);
    if (!cacheKey) return this.run(call);
    const version = this.world.answerVersion;
    return andThen(this.run(call), (ready) => {
      // A derived answer may depend on more than the world (a session's flow plan): never reused.
      if (this.world.answerVersion === version && !ready.cookies && !this.actions.for(call.operation))
        this.cache!.set(cacheKey, { version, validUntil: call.principal.validUntil, answer: ready });
      return ready;
    });
  }

  /** The forced answer for a routed request (or the delay before the real one), if any. */
  private force(context: RequestContext, operation: OperationSpec): Promise<Answer | undefined> {
    const { headers, signal, client } = context.request;
    return forceScenario(this, { operation, method: context.method, path: context.path, headers, signal, client });
  }

  private run(call: OperationCall): Answer | Promise<Answer> {
    // DRF checks a view's permissions before it looks for the object (APIView.initial): a guarded view is a 403 first.
    checkGuard(call.principal, call.operation);
    const role = this.world.roles.get(call.operation.operationId);
    const derived = this.actions.for(call.operation);
    if (derived) return derived.answer(call, role?.resource);
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

  /**
   * Logs the answer now, or, when its body is streamed (a dump, a large page), once the body has been read to its end
   * or given up: its time then includes sending it.
   */
  private logged(request: IncomingRequest, answer: Answer, started: number): Answer {
    if (answer.body === undefined || typeof answer.body === 'string') {
      this.logRequest(request, answer, performance.now() - started);
      return answer;
    }
    return { ...answer, body: whenRead(answer.body, () => this.logRequest(request, answer, performance.now() - started)) };
  }

  private logRequest(request: IncomingRequest, answer: Answer, ms: number): void {
    const { path, search } = pathAndQuery(request.url);
    const entry = {
      method: request.method.toUpperCase(),
      url: `${path}${loggableQuery(search)}`,
      status: answer.network ? 0 : answer.status,
      ms,
      identity: this.identityOf(path, request.headers.get('authorization')),
    };
    for (const listener of this.requestListeners) listener(entry);
  }

  private identityOf(path: string, authorization: string | null): string {
    if (path.startsWith(CONTROL_PREFIX)) return 'control';
    if (!authorization) return 'anonymous';
    const key = bearerKey(authorization);
    const principal = key === undefined ? undefined : this.callers.resolveKey(key);
    if (!principal) return 'invalid token';
    const users = this.world.userEntity;
    const username = users ? this.world.table(users.name).get(principal.userPk)?.['username'] : undefined;
    return typeof username === 'string' ? username : `user ${String(principal.userPk)}`;
  }
}

/** Query parameters that carry a credential (OAuth2's token, code and secret; a logout's ID token): never logged. */
const SECRET_PARAMS = new Set(['access_token', 'id_token_hint', 'code', 'client_secret', 'token', 'refresh_token', 'password']);

/** A query that may name one of them: the others need no parsing (a name may also be percent-encoded). */
const MAY_NAME_SECRET = new RegExp(`%|${[...SECRET_PARAMS].join('|')}`);

/** The query (`?…`, or '') as the request log shows it: what carries a credential is `[hidden]`. */
function loggableQuery(search: string): string {
  if (!MAY_NAME_SECRET.test(search)) return search;
  const params = new URLSearchParams(search);
  if (![...params.keys()].some((name) => SECRET_PARAMS.has(name))) return search;
  const shown = new URLSearchParams();
  for (const [name, value] of params) shown.append(name, SECRET_PARAMS.has(name) ? '[hidden]' : value);
  return `?${shown.toString()}`;
}
