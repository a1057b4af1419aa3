import { consoleAsset } from '../console/assets.js';
import type { World } from '../world/world.js';
import { detail, json, noContent, type MockResponse } from './http.js';
import { ScenarioError, validateRule, type ScenarioRule, type Scenarios } from './scenarios.js';

/** Routes of the mock itself, outside authentik's API: inspect, reset, dump and load the world. */
export const CONTROL_PREFIX = '/_mock/';

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

/** What the control routes need besides the world. */
export interface ControlContext {
  scenarios: Scenarios;
  /** The request's Content-Type header. */
  contentType: string | undefined;
}

const SCENARIO_PATH = /^\/scenarios\/([^/]+)\/?$/;

/** `POST /_mock/scenarios` (one rule or an array), `GET` (list), `DELETE` (all) and `DELETE /_mock/scenarios/{id}`. */
function handleScenarios(method: string, route: string, body: () => unknown, context: ControlContext): MockResponse {
  const { scenarios } = context;
  const one = SCENARIO_PATH.exec(route);
  if (one) {
    if (method !== 'DELETE') return detail(405, `Method "${method}" not allowed.`, { allow: 'DELETE' });
    return scenarios.remove(decodeURIComponent(one[1]!)) ? noContent() : detail(404, `No scenario rule with id "${one[1]}".`);
  }
  switch (method) {
    case 'GET':
      return json(200, scenarios.list());
    case 'DELETE':
      scenarios.clear();
      return noContent();
    case 'POST': {
      const type = (context.contentType ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') return detail(415, `Unsupported media type "${context.contentType ?? ''}" in request.`);
      let parsed: unknown;
      try {
        parsed = body();
      } catch (error) {
        return detail(400, `JSON parse error - ${(error as Error).message}`);
      }
      const rules = Array.isArray(parsed) ? parsed : [parsed];
      // All or nothing: every rule is checked before any is added.
      const problem = firstProblem(rules);
      if (problem) return detail(400, Array.isArray(parsed) ? `rule ${problem.index}: ${problem.message}` : problem.message);
      const ids = new Set(rules.map((rule) => scenarios.add(rule as ScenarioRule)));
      const added = scenarios.list().filter((r) => ids.has(r.id));
      return json(201, Array.isArray(parsed) ? added : added[0]);
    }
    default:
      return detail(405, `Method "${method}" not allowed.`, { allow: 'GET, POST, DELETE' });
  }
}

/** The first rule that is not one, with why. */
function firstProblem(rules: unknown[]): { index: number; message: string } | undefined {
  for (const [index, rule] of rules.entries()) {
    try {
      validateRule(rule);
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      return { index, message: error.message };
    }
  }
  return undefined;
}

/** The console's own files: a strict CSP (no inline script), so the page runs under the policy it asks apps to use. */
function consoleFile(method: string, name: string): MockResponse {
  if (method !== 'GET' && method !== 'HEAD') return detail(405, `Method "${method}" not allowed.`, { allow: 'GET' });
  const asset = consoleAsset(name);
  if (!asset) return detail(404, 'Not found.');
  const headers = {
    'content-type': asset.contentType,
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
  return { status: 200, headers, body: method === 'HEAD' ? undefined : asset.body };
}

export function handleControl(world: World, method: string, path: string, body: () => unknown, context: ControlContext): MockResponse {
  const route = path.slice(CONTROL_PREFIX.length - 1);
  if (route === '/ui') return { status: 301, headers: { location: `${CONTROL_PREFIX}ui/` } };
  if (route.startsWith('/ui/')) return consoleFile(method, route.slice('/ui/'.length));
  if (route === '/scenarios' || route === '/scenarios/' || SCENARIO_PATH.test(route)) return handleScenarios(method, route, body, context);
  switch (`${method} ${route}`) {
    case 'GET /':
      return json(200, {
        operations: world.contract.operations.length,
        resources: world.resources.length,
        version: world.version,
        records: world.recordCounts(),
        routes: [
          'GET /_mock/resources',
          'GET /_mock/tokens',
          'GET /_mock/dump',
          'POST /_mock/load',
          'POST /_mock/reset',
          'GET|POST|DELETE /_mock/scenarios',
          'DELETE /_mock/scenarios/{id}',
        ],
        scenarios: context.scenarios.size,
      });
    case 'GET /resources':
      return json(200, resources(world));
    case 'GET /tokens':
      return json(200, { admin: world.adminToken, user: world.userToken });
    case 'GET /dump':
      return json(200, world.dump());
    case 'POST /reset':
      world.reset();
      context.scenarios.clear();
      return detail(200, 'The world is back to its seed, with no scenario rules.');
    case 'POST /load':
      try {
        world.load(body());
        return detail(200, 'World loaded.');
      } catch (error) {
        return detail(400, (error as Error).message);
      }
    default:
      return detail(404, 'Not found.');
  }
}
