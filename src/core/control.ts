import { DETAILS } from '../contract/authentik-messages.js';
import { safeDecode } from '../contract/router.js';
import type { World } from '../world/world.js';
import {
  httpError,
  json,
  jsonStream,
  methodNotAllowed,
  noContent,
  unsupportedMediaType,
  type Answer,
  type IncomingRequest,
} from './http.js';
import { bearerKey } from './callers.js';
import { parseJson, readBody } from './request-body.js';
import { MAX_RULES, ScenarioError, type ScenarioRule, type Scenarios } from './scenarios.js';

/** Routes of the mock itself, outside authentik's API: inspect, reset, dump and load the world; scenarios; console. */
export const CONTROL_PREFIX = '/_mock/';

/** A dump of a large world is bigger than an API body may be: loads get their own bound (only a token holder's). */
export const MAX_LOAD_BYTES = 256 * 1024 * 1024;

/** One file of the demo console. */
export interface ConsoleFile {
  contentType: string;
  body: string;
}

/**
 * The demo console's files by name under /_mock/ui/ ('' is the page). The Node side reads them from the package's
 * console/ folder and hands them to the mock (MockOptions.consoleFiles): the core and every browser bundle carry none.
 */
export type ConsoleFiles = Readonly<Record<string, ConsoleFile>>;

/** What the control routes act on: the mock (MockCore). */
export interface ControlHost {
  world: World;
  scenarios: Scenarios;
  /** The bearer key /_mock/ requires, or false when the control API is off. */
  readonly controlToken: string | false;
  /** Host names the control API answers to (`true`: any). */
  readonly allowedHosts: readonly string[] | true;
  usage(): Record<string, number>;
  /** Back to the state the mock started from (a loaded dump, else the seed), with no scenario rules. */
  reset(): void;
  /** Replaces the world with a dump, or throws why it cannot (nothing changes then). */
  load(dump: unknown): void;
  /** Why API writes are refused now (the data file cannot be saved, say), or undefined while they are accepted. */
  readonly writesRefused: string | undefined;
  /** The demo console, when the host was given its files (in Node); without them /_mock/ui/ is a 404 that says so. */
  readonly consoleFiles: ConsoleFiles | undefined;
}

const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

const NO_CONSOLE =
  'The demo console is served by authentik-mock in Node (serve, createApp, startMock, createMock), not by a mock made in a browser.';

const SCENARIO_PATH = /^\/scenarios\/([^/]+)\/?$/;

/**
 * `/_mock/…`: off (404) when the host has no control token; else only for an allowed Host (against DNS rebinding),
 * and, but for the console's static files, only with the control token. Bodies are JSON only (415 otherwise), so a
 * web page elsewhere cannot post a form or `text/plain` here without a CORS preflight.
 */
export async function handleControl(host: ControlHost, request: IncomingRequest, path: string): Promise<Answer> {
  if (host.controlToken === false) throw httpError(404, DETAILS.notFound);
  checkHost(host, new URL(request.url).hostname);
  const route = path.slice(CONTROL_PREFIX.length - 1);
  const method = request.method.toUpperCase();
  if (route === '/ui') return { status: 301, headers: { location: `${CONTROL_PREFIX}ui/` } };
  if (route.startsWith('/ui/')) return consoleFile(host.consoleFiles, method, route.slice('/ui/'.length));
  checkToken(host.controlToken, request.headers.get('authorization'));
  if (route === '/scenarios' || route === '/scenarios/' || SCENARIO_PATH.test(route))
    return handleScenarios(host.scenarios, request, route);
  switch (`${method} ${route}`) {
    case 'GET /':
      return json(200, summary(host));
    case 'GET /resources':
      return json(200, resources(host.world));
    case 'GET /tokens':
      return json(200, tokens(host.world));
    case 'GET /dump':
      return jsonStream(200, host.world.dumpText());
    case 'POST /reset':
      host.reset();
      return json(200, { detail: 'The world is back to where it started, with no scenario rules.' });
    case 'POST /load': {
      const dump = await jsonBody(request, MAX_LOAD_BYTES);
      try {
        host.load(dump);
      } catch (error) {
        throw httpError(400, (error as Error).message);
      }
      return json(200, { detail: 'World loaded.' });
    }
    default:
      throw httpError(404, DETAILS.notFound);
  }
}

/** The request's host name (from its URL: the Host header, as the adapter received it; IPv6 in brackets). */
function checkHost(host: ControlHost, name: string): void {
  if (host.allowedHosts === true) return;
  if (!host.allowedHosts.includes(name))
    throw httpError(403, `Host "${name}" is not allowed to use the control API (allowed: ${host.allowedHosts.join(', ')}).`);
}

function checkToken(token: string, authorization: string | null): void {
  const given = bearerKey(authorization ?? undefined);
  if (given === undefined) throw httpError(403, DETAILS.notProvided);
  if (!sameText(given, token)) throw httpError(403, DETAILS.invalidToken);
}

/** Compared in time that does not depend on where the texts differ (a key guessed a character at a time). */
function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return difference === 0;
}

/**
 * The admin's and the ordinary user's keys, each only if it authenticates now: a key that does not work is null,
 * and `problems` says why, rather than handing out a key that answers 403.
 */
function tokens(world: World): unknown {
  const keys = { admin: world.adminToken, user: world.userToken };
  const shown: Record<string, string | null> = {};
  const problems: Record<string, string> = {};
  for (const [name, key] of Object.entries(keys)) {
    const works = world.authenticate(key) !== undefined;
    shown[name] = works ? key : null;
    if (!works) problems[name] = `The ${name} key the world holds does not authenticate (expired, deleted, or its user is inactive).`;
  }
  return Object.keys(problems).length > 0 ? { ...shown, problems } : shown;
}

/** Counts and routes, never a secret (tokens and dumps have their own routes). */
function summary(host: ControlHost): unknown {
  const { world } = host;
  const refused = host.writesRefused;
  return {
    operations: world.contract.operations.length,
    resources: world.resources.length,
    version: world.version,
    records: world.recordCounts(),
    usage: host.usage(),
    // Whether API writes are accepted: not when the data file cannot be saved (then `reason` says why).
    writes: refused === undefined ? { accepted: true } : { accepted: false, reason: refused },
    routes: [
      'GET /_mock/resources',
      'GET /_mock/tokens',
      'GET /_mock/dump',
      'POST /_mock/load',
      'POST /_mock/reset',
      'GET|POST|DELETE /_mock/scenarios',
      'DELETE /_mock/scenarios/{id}',
      'GET /_mock/ui/',
    ],
    scenarios: host.scenarios.size,
  };
}

function resources(world: World): unknown {
  return world.resources.map((r) => ({
    path: r.path,
    entity: r.entity,
    lookup: r.lookupParam ? { param: r.lookupParam, field: r.lookupField } : null,
    operations: Object.fromEntries(Object.entries(r.operations).map(([kind, op]) => [kind, op!.operationId])),
    keys: world
      .table(r.entity)
      .all()
      .map((record) => record[r.lookupField]),
  }));
}

/** A JSON body (415 for any other media type). */
async function jsonBody(request: IncomingRequest, limit?: number): Promise<unknown> {
  const header = request.headers.get('content-type') ?? undefined;
  if ((header ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json') throw unsupportedMediaType(header);
  return parseJson(await readBody(request, limit));
}

/** `POST /_mock/scenarios` (one rule or an array), `GET` (list), `DELETE` (all) and `DELETE /_mock/scenarios/{id}`. */
async function handleScenarios(scenarios: Scenarios, request: IncomingRequest, route: string): Promise<Answer> {
  const method = request.method.toUpperCase();
  const one = SCENARIO_PATH.exec(route);
  if (one) {
    if (method !== 'DELETE') throw methodNotAllowed(method, ['DELETE']);
    if (!scenarios.remove(safeDecode(one[1]!))) throw httpError(404, `No scenario rule with id "${one[1]}".`);
    return noContent();
  }
  switch (method) {
    case 'GET':
      return json(200, scenarios.list());
    case 'DELETE':
      scenarios.clear();
      return noContent();
    case 'POST': {
      const parsed = await jsonBody(request);
      const rules = Array.isArray(parsed) ? parsed : [parsed];
      // All or nothing: every rule is checked before any is added.
      if (scenarios.size + rules.length > MAX_RULES)
        throw httpError(400, `at most ${MAX_RULES} scenario rules at once (${scenarios.size} held): remove some first.`);
      const problem = firstProblem(scenarios, rules);
      if (problem) throw httpError(400, Array.isArray(parsed) ? `rule ${problem.index}: ${problem.message}` : problem.message);
      const ids = new Set(rules.map((rule) => scenarios.add(rule as ScenarioRule)));
      const added = scenarios.list().filter((r) => ids.has(r.id));
      return json(201, Array.isArray(parsed) ? added : added[0]);
    }
    default:
      throw methodNotAllowed(method, ['GET', 'POST', 'DELETE']);
  }
}

/** The first rule that is not one (for this mock's limits), with why. */
function firstProblem(scenarios: Scenarios, rules: unknown[]): { index: number; message: string } | undefined {
  for (const [index, rule] of rules.entries()) {
    try {
      scenarios.validate(rule);
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      return { index, message: error.message };
    }
  }
  return undefined;
}

/** The console's own files: a strict CSP (no inline script), so the page runs under the policy it asks apps to use. */
function consoleFile(files: ConsoleFiles | undefined, method: string, name: string): Answer {
  if (!files) throw httpError(404, NO_CONSOLE);
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, ['GET']);
  const file = Object.hasOwn(files, name) ? files[name] : undefined;
  if (!file) throw httpError(404, DETAILS.notFound);
  const headers = {
    'content-type': file.contentType,
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
  return { status: 200, headers, body: file.body };
}
