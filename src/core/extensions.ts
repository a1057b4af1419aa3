/**
 * Where features plug into the core without the core knowing them: answers derived for some operations (an
 * executor, a diagram, the list of types), routes outside the API (a login page, OAuth2 endpoints), and the ways a
 * request may authenticate (`Callers`). Each feature installs itself: the core's own (features.ts), logging in on top (src/mock-server.ts).
 */
import type { OperationSpec } from '../contract/types.js';
import type { Resource } from '../contract/resources.js';
import type { World } from '../world/world.js';
import type { Answer } from './http.js';
import type { OperationCall } from './operations.js';
import type { RequestContext } from './request-context.js';
import type { Callers } from './callers.js';

/**
 * An answer worked out for the operations it recognises (by the contract's shapes), instead of a generated body or the
 * CRUD answer (asked for every operation: a feature may add what a read depends on beyond the record, a session's
 * `current`). Its answers are not cached: they may depend on more than the world.
 */
export interface DerivedAction {
  /** Whether this answers the operation: asked once per operation, from the contract alone. */
  answers(operation: OperationSpec, world: World): boolean;
  answer(call: OperationCall, resource: Resource | undefined): Answer | Promise<Answer>;
}

/** A route outside the contract's operations (authentik's pages and protocol endpoints on the same host). */
export interface SiteRoute {
  /** Whether the route handles the path (any method: the route answers 405 itself). */
  matches(path: string): boolean;
  handle(context: RequestContext): Answer | Promise<Answer>;
}

/** The derived answers, looked up once per operation. */
export class DerivedActions {
  private readonly actions: DerivedAction[] = [];
  private readonly chosen = new Map<string, DerivedAction | null>();

  constructor(private readonly world: World) {}

  add(action: DerivedAction): void {
    this.actions.push(action);
    this.chosen.clear();
  }

  for(operation: OperationSpec): DerivedAction | undefined {
    let found = this.chosen.get(operation.operationId);
    if (found === undefined) {
      found = this.actions.find((a) => a.answers(operation, this.world)) ?? null;
      this.chosen.set(operation.operationId, found);
    }
    return found ?? undefined;
  }
}

/** The routes outside the API, in the order added (the first that matches handles the request). */
export class SiteRoutes {
  private readonly routes: SiteRoute[] = [];

  add(route: SiteRoute): void {
    this.routes.push(route);
  }

  for(path: string): SiteRoute | undefined {
    // A loop, not `find` with a closure: asked for every request.
    for (const route of this.routes) if (route.matches(path)) return route;
    return undefined;
  }
}

/** What a feature may use of the mock it installs into (MockCore). */
export interface FeatureHost {
  readonly world: World;
  readonly callers: Callers;
  readonly actions: DerivedActions;
  readonly site: SiteRoutes;
  /** The username whose login the authorization endpoint takes without a login page (`MockOptions.autoLogin`). */
  readonly autoLogin?: string | undefined;
}

/** A feature installs its derived actions, routes and authenticators into a mock. */
export type Feature = (host: FeatureHost) => void;
