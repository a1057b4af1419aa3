/**
 * The mock as users get it: the core (the contract, the world, the API over it) with authentik's logging in installed
 * on top — the flow executor, sessions and the login page (flows/), OAuth2/OpenID Connect (oidc/). The core knows
 * neither: they reach it through its extension points (core/extensions.ts), so no import runs back down into them.
 */
import { CORE_FEATURES } from './core/features.js';
import { MockCore, type MockOptions } from './core/mock-server.js';
import type { Feature } from './core/extensions.js';
import { flowsFeature } from './flows/index.js';
import { oidcFeature } from './oidc/index.js';

export type { MockOptions, RequestLogEntry } from './core/mock-server.js';

/** Every feature a mock has, in the order they install. */
export const FEATURES: readonly Feature[] = [...CORE_FEATURES, flowsFeature, oidcFeature];

export class MockServer extends MockCore {
  constructor(options: MockOptions) {
    super(options, FEATURES);
  }
}
