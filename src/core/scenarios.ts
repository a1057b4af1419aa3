import type { Contract } from '../contract/contract.js';
import { isPlainObject as isObject, type OperationSpec } from '../contract/types.js';
import { generate } from '../fake/generate.js';
import { STATUS_DETAILS } from '../contract/authentik-messages.js';
import { httpError, json, noContent, type Answer, type HttpError } from './http.js';
import { bearerKey } from './callers.js';

/**
 * UI states on demand: forced statuses, latency and network failures, per request (`Prefer` header) or by rules
 * (`POST /_mock/scenarios`, `mock.scenarios.add()`). Browser-safe: only `setTimeout`, always cleared.
 */

export type NetworkFailure = 'reset' | 'timeout';
export type Identity = 'admin' | 'user';

export interface ScenarioMatch {
  operationId?: string;
  /** HTTP method, any case. */
  method?: string;
  /** Path relative to the API base (`/core/users/*`) or absolute (`/api/v3/core/users/*`); `*` matches anything. */
  path?: string;
}

export interface ScenarioRespond {
  /** Answer this status (200–599) with a contract-valid body, without running the operation. */
  status?: number;
  /** Milliseconds to wait first (at most the mock's hold limit: 30000 by default). */
  delay?: number;
  /** Drop the connection (`reset`), or never answer until the client gives up (`timeout`). */
  network?: NetworkFailure;
}

export interface ScenarioRule {
  /** Which requests; absent or `{}` = every operation of the API. */
  match?: ScenarioMatch;
  respond: ScenarioRespond;
  /** How many matching requests it applies to; absent = until removed. */
  times?: number;
  /** Only for the caller with this bearer key: the world's admin key or the ordinary user's; absent = anyone. */
  identity?: Identity;
}

export interface StoredRule extends ScenarioRule {
  id: string;
}

/** Longest delay, and longest a `timeout` holds a request when the client never gives up, by default: 30 s. */
export const DEFAULT_MAX_HOLD_MS = 30_000;

/**
 * Bounds of held answers (forced delays and `network=timeout`): each holds a connection, so one client must not be
 * able to hold them all.
 */
export interface HoldLimits {
  /** Longest delay, and longest a `timeout` holds a request (ms; default 30 s). A longer delay is refused (400). */
  maxMs?: number;
  /** Requests one client may have held at once (default 32); one more answers 429 at once. */
  perClient?: number;
  /** Requests held at once for all clients together (default 256); one more answers 429 at once. */
  total?: number;
}

export const DEFAULT_HOLD_LIMITS: Required<HoldLimits> = { maxMs: DEFAULT_MAX_HOLD_MS, perClient: 32, total: 256 };

export class ScenarioError extends Error {}

/** Rules held at once: every request is matched against them in turn. */
export const MAX_RULES = 1000;

function checkKeys(where: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ScenarioError(`${where}: unknown field "${key}" (allowed: ${allowed.join(', ')}).`);
  }
}

function checkStatus(status: unknown, where: string): number {
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599)
    throw new ScenarioError(`${where} must be an integer HTTP status from 200 to 599.`);
  return status;
}

function checkDelay(delay: unknown, where: string, maxMs: number): number {
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > maxMs)
    throw new ScenarioError(`${where} must be an integer number of milliseconds from 0 to ${maxMs}.`);
  return delay;
}

function checkNetwork(network: unknown, where: string): NetworkFailure {
  if (network !== 'reset' && network !== 'timeout') throw new ScenarioError(`${where} must be "reset" or "timeout".`);
  return network;
}

function checkRespond(respond: ScenarioRespond, where: string): ScenarioRespond {
  if (respond.status === undefined && respond.delay === undefined && respond.network === undefined)
    throw new ScenarioError(`${where} needs at least one of status, delay, network.`);
  if (respond.status !== undefined && respond.network !== undefined)
    throw new ScenarioError(`${where}: a network failure has no status; give one of status, network.`);
  return respond;
}

/**
 * A rule as a client sent it (JSON or code) → a checked copy; throws ScenarioError naming the problem. A delay may
 * be at most `maxDelayMs` (the mock's hold limit).
 */
export function validateRule(value: unknown, maxDelayMs = DEFAULT_MAX_HOLD_MS): ScenarioRule {
  if (!isObject(value))
    throw new ScenarioError('A rule must be a JSON object like {"match": {"operationId": "core_users_list"}, "respond": {"status": 503}}.');
  checkKeys('rule', value, ['match', 'respond', 'times', 'identity', 'id']);
  const rule: ScenarioRule = { respond: {} };
  if (value['match'] !== undefined) {
    const match = value['match'];
    if (!isObject(match)) throw new ScenarioError('match must be an object: {"operationId": …} or {"method": …, "path": …}.');
    checkKeys('match', match, ['operationId', 'method', 'path']);
    rule.match = {};
    for (const key of ['operationId', 'method', 'path'] as const) {
      const field = match[key];
      if (field === undefined) continue;
      if (typeof field !== 'string' || field === '') throw new ScenarioError(`match.${key} must be a non-empty string.`);
      rule.match[key] = key === 'method' ? field.toUpperCase() : field;
    }
    if (rule.match.path !== undefined && !rule.match.path.startsWith('/'))
      throw new ScenarioError('match.path must start with "/" (e.g. "/core/users/*").');
  }
  const respond = value['respond'];
  if (!isObject(respond)) throw new ScenarioError('respond must be an object: {"status": 503}, {"delay": 2000} or {"network": "reset"}.');
  checkKeys('respond', respond, ['status', 'delay', 'network']);
  if (respond['status'] !== undefined) rule.respond.status = checkStatus(respond['status'], 'respond.status');
  if (respond['delay'] !== undefined) rule.respond.delay = checkDelay(respond['delay'], 'respond.delay', maxDelayMs);
  if (respond['network'] !== undefined) rule.respond.network = checkNetwork(respond['network'], 'respond.network');
  checkRespond(rule.respond, 'respond');
  if (value['times'] !== undefined) {
    const times = value['times'];
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1)
      throw new ScenarioError('times must be a positive integer (absent = until removed).');
    rule.times = times;
  }
  if (value['identity'] !== undefined) {
    if (value['identity'] !== 'admin' && value['identity'] !== 'user')
      throw new ScenarioError('identity must be "admin" or "user" (absent = anyone).');
    rule.identity = value['identity'];
  }
  return rule;
}

/**
 * `Prefer: code=500, delay=1500` (Prism's header; `,` or `;` between preferences, any case) and the mock's
 * `network=reset|timeout`. Other preferences are ignored (RFC 7240); undefined when none of ours is there. A delay
 * may be at most `maxDelayMs` (the mock's hold limit).
 */
export function parsePrefer(header: string | undefined, maxDelayMs = DEFAULT_MAX_HOLD_MS): ScenarioRespond | undefined {
  if (!header) return undefined;
  const respond: ScenarioRespond = {};
  let found = false;
  for (const part of header.split(/[,;]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    const number = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (key === 'code') respond.status = checkStatus(number, `Prefer: code=${raw}: code`);
    else if (key === 'delay') respond.delay = checkDelay(number, `Prefer: delay=${raw}: delay`, maxDelayMs);
    else if (key === 'network') respond.network = checkNetwork(raw, `Prefer: network=${raw}: network`);
    else continue;
    found = true;
  }
  return found ? checkRespond(respond, 'Prefer') : undefined;
}

/**
 * `*` matches any run of characters, slashes included; everything else literally. Matched piece by piece, left to
 * right (each piece at its first place after the last): linear in the value, whatever the stars (a regex of `.*`s
 * backtracks exponentially on a rule such as `*a*a*a*…`).
 */
function globMatches(pattern: string, value: string): boolean {
  const pieces = pattern.split('*');
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (pieces.length === 1) return pattern === value;
  if (!value.startsWith(first) || !value.endsWith(last) || value.length < first.length + last.length) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = value.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

export interface ScenarioRequest {
  operation: OperationSpec;
  method: string;
  /** The request's pathname (`/api/v3/core/users/`). */
  path: string;
  identity: Identity | undefined;
}

function ruleMatches(rule: StoredRule, request: ScenarioRequest): boolean {
  if (rule.identity !== undefined && rule.identity !== request.identity) return false;
  const match = rule.match ?? {};
  if (match.operationId !== undefined && match.operationId !== request.operation.operationId) return false;
  if (match.method !== undefined && match.method !== request.method && !(match.method === 'GET' && request.method === 'HEAD')) return false;
  if (match.path !== undefined) {
    const base = request.operation.server.replace(/\/+$/, '');
    const relative = base && request.path.startsWith(`${base}/`) ? request.path.slice(base.length) : request.path;
    if (!globMatches(match.path, relative) && !globMatches(match.path, request.path)) return false;
  }
  return true;
}

/** The rules of one mock, and the timers they hold (`pending`: 0 once every delayed or held request is over). */
export class Scenarios {
  private rules: StoredRule[] = [];
  private nextId = 1;
  private held = 0;
  /** Held requests by client, and in all (see `hold`). */
  private readonly heldBy = new Map<string, number>();
  private heldInAll = 0;
  readonly limits: Readonly<Required<HoldLimits>>;

  constructor(limits: HoldLimits = {}) {
    const d = DEFAULT_HOLD_LIMITS;
    this.limits = { maxMs: limits.maxMs ?? d.maxMs, perClient: limits.perClient ?? d.perClient, total: limits.total ?? d.total };
  }

  /** A rule checked against this mock's limits (its longest delay); throws ScenarioError naming the problem. */
  validate(rule: unknown): ScenarioRule {
    return validateRule(rule, this.limits.maxMs);
  }

  /** Adds a rule after the existing ones (first match wins); returns its id. Throws ScenarioError on a bad rule. */
  add(rule: ScenarioRule): string {
    const checked = this.validate(rule);
    if (this.rules.length >= MAX_RULES) throw new ScenarioError(`at most ${MAX_RULES} scenario rules at once: remove some first.`);
    const id = String(this.nextId++);
    this.rules.push({ id, ...checked });
    return id;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules in match order, with `times` as what is left. */
  list(): StoredRule[] {
    return this.rules.map((r) => structuredClone(r));
  }

  get size(): number {
    return this.rules.length;
  }

  /** Timers running now for delays and held (`timeout`) requests. */
  get pending(): number {
    return this.held;
  }

  /** The first rule matching the request, counted down (and removed at 0). */
  take(request: ScenarioRequest): ScenarioRespond | undefined {
    const index = this.rules.findIndex((r) => ruleMatches(r, request));
    if (index < 0) return undefined;
    const rule = this.rules[index]!;
    if (rule.times !== undefined && --rule.times <= 0) this.rules.splice(index, 1);
    return { ...rule.respond };
  }

  /**
   * A place for one held request of `client` (its address; undefined in process, where the developer is the only
   * client and only the total counts): the function that gives it back, or undefined when the client, or all
   * clients together, already hold as many as allowed.
   */
  hold(client: string | undefined): (() => void) | undefined {
    const mine = client === undefined ? 0 : this.holding(client);
    if (mine >= this.limits.perClient || this.heldInAll >= this.limits.total) return undefined;
    if (client !== undefined) this.heldBy.set(client, mine + 1);
    this.heldInAll++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.heldInAll--;
      if (client === undefined) return;
      const left = this.holding(client) - 1;
      if (left === 0) this.heldBy.delete(client);
      else this.heldBy.set(client, left);
    };
  }

  /** Requests of `client` held now. */
  holding(client: string | undefined): number {
    return client === undefined ? 0 : (this.heldBy.get(client) ?? 0);
  }

  /** Waits `ms`, or less if the client gives up; the timer is always cleared. Resolves false when aborted. */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    this.held++;
    return new Promise<boolean>((resolve) => {
      const done = (completed: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.held--;
        resolve(completed);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** `Response.error()` at the boundary: Express drops the connection, MSW makes the fetch reject. */
export const networkFailure = (network: NetworkFailure): Answer => ({ status: 0, headers: {}, network });

/** The body DRF would send for the status: `{"detail": …}`, or a ValidationError for a 400. */
function drfBody(status: number): Record<string, unknown> {
  if (status === 400) return { non_field_errors: [STATUS_DETAILS[400]] };
  return { detail: STATUS_DETAILS[status] ?? `Forced by the mock (HTTP ${status}).` };
}

/**
 * A forced status's answer, decided without running the operation: a documented status gets a body valid for its
 * schema (DRF's body when it fits, else one generated from the schema; none when the status documents no body);
 * an undocumented one gets DRF's `{"detail": …}` (400: `non_field_errors`); 204 has no body.
 */
export function forcedResponse(contract: Contract, operation: OperationSpec, status: number, seed: number): Answer {
  if (status === 204) return noContent();
  const documented = operation.responses[String(status)];
  if (!documented) return json(status, drfBody(status));
  const schema = contract.responseSchema(operation.operationId, String(status));
  if (!schema) return status >= 200 && status < 300 ? noContent(status) : { status, headers: {}, body: '' };
  const preferred = status >= 400 ? drfBody(status) : undefined;
  if (preferred !== undefined && contract.check(schema, preferred).length === 0) return json(status, preferred);
  return json(status, generate(schema, { seed, components: contract.components }));
}

/** What forceScenario needs of the mock (MockCore itself). */
export interface ScenarioHost {
  contract: Contract;
  world: { seed: number; adminToken: string; userToken: string };
  scenarios: Scenarios;
}

/** `admin` or `user` when the bearer key is the world's admin or ordinary user's key. */
function identityOf(world: ScenarioHost['world'], authorization: string | undefined): Identity | undefined {
  const key = bearerKey(authorization);
  if (key === undefined) return undefined;
  return key === world.adminToken ? 'admin' : key === world.userToken ? 'user' : undefined;
}

/**
 * DRF's Throttled (429, `Retry-After`, "Expected available in N seconds."), with why: the client holds as many forced
 * delays or timeouts as allowed. See rest_framework/exceptions.py (Throttled) and views.py (Retry-After).
 */
function tooManyHeld(limits: Required<HoldLimits>, mine: boolean): HttpError {
  const wait = Math.ceil(limits.maxMs / 1000);
  const why = mine
    ? `this client already has ${limits.perClient} requests held by forced delays or timeouts (at most ${limits.perClient} at once)`
    : `${limits.total} requests are held by forced delays or timeouts (at most ${limits.total} at once for all clients)`;
  return httpError(429, `Request was throttled: ${why}. Expected available in ${wait} second${wait === 1 ? '' : 's'}.`, {
    'retry-after': String(wait),
  });
}

/**
 * Applies the `Prefer` header, else the first matching rule, to a routed request: waits any delay (cut short when
 * the client gives up), then answers the forced status or network failure. undefined = run the operation as usual.
 * A delay or timeout takes one of the client's places for held requests (429 when none is left).
 */
export async function forceScenario(
  host: ScenarioHost,
  request: {
    operation: OperationSpec;
    method: string;
    path: string;
    headers: Pick<Headers, 'get'>;
    signal?: AbortSignal | undefined;
    /** The client's address, for the per-client limit (undefined in process). */
    client: string | undefined;
  },
): Promise<Answer | undefined> {
  const { scenarios } = host;
  let respond: ScenarioRespond | undefined;
  try {
    respond = parsePrefer(request.headers.get('prefer') ?? undefined, scenarios.limits.maxMs);
  } catch (error) {
    if (error instanceof ScenarioError) throw httpError(400, error.message);
    throw error;
  }
  respond ??= scenarios.take({ ...request, identity: identityOf(host.world, request.headers.get('authorization') ?? undefined) });
  if (!respond) return undefined;
  const holds = Boolean(respond.delay) || respond.network === 'timeout';
  const release = holds ? scenarios.hold(request.client) : undefined;
  if (holds && !release) throw tooManyHeld(scenarios.limits, scenarios.holding(request.client) >= scenarios.limits.perClient);
  try {
    if (respond.delay && !(await scenarios.wait(respond.delay, request.signal))) return networkFailure('timeout');
    if (respond.network === 'timeout') await scenarios.wait(scenarios.limits.maxMs, request.signal);
  } finally {
    release?.();
  }
  if (respond.network) return networkFailure(respond.network);
  if (respond.status !== undefined) return forcedResponse(host.contract, request.operation, respond.status, host.world.seed);
  return undefined;
}
