import type { World } from '../world/world.js';
import { detail, json, type MockResponse } from './http.js';

/** Routes of the mock itself, outside authentik's API: inspect, reset, dump and load the world. */
export const CONTROL_PREFIX = '/_mock/';

function resources(world: World): unknown {
  return world.resources.map((r) => ({
    path: r.path,
    entity: r.entity,
    lookup: r.lookupParam ? { param: r.lookupParam, field: r.lookupField } : null,
    operations: Object.fromEntries(Object.entries(r.operations).map(([kind, op]) => [kind, op!.operationId])),
    keys: world.table(r.entity).all().map((record) => record[r.lookupField]),
  }));
}

export function handleControl(world: World, method: string, path: string, body: () => unknown): MockResponse {
  const route = `${method} ${path.slice(CONTROL_PREFIX.length - 1)}`;
  switch (route) {
    case 'GET /':
      return json(200, {
        operations: world.contract.operations.length,
        resources: world.resources.length,
        version: world.version,
        records: world.recordCounts(),
        routes: ['GET /_mock/resources', 'GET /_mock/tokens', 'GET /_mock/dump', 'POST /_mock/load', 'POST /_mock/reset'],
      });
    case 'GET /resources':
      return json(200, resources(world));
    case 'GET /tokens':
      return json(200, { admin: world.adminToken, user: world.userToken });
    case 'GET /dump':
      return json(200, world.dump());
    case 'POST /reset':
      world.reset();
      return detail(200, 'The world is back to its seed.');
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
