import type { Feature } from './extensions.js';
import { actionUrls } from './derived/action-urls.js';
import { currentBrandAnswer } from './derived/current-brand.js';
import { flowDiagramAnswer } from './derived/flow-diagram.js';
import { freshInstall } from './derived/fresh-install.js';
import { systemInfoAnswer } from './derived/system-info.js';
import { typesList } from './derived/types-list.js';

/**
 * The core's own features: answers derived from the world, each installing itself through the extension points
 * (extensions.ts). Logging in (flows, OIDC) sits above the core and is added by src/mock-server.ts.
 */
export const CORE_FEATURES: readonly Feature[] = [
  typesList,
  freshInstall,
  systemInfoAnswer,
  currentBrandAnswer,
  flowDiagramAnswer,
  actionUrls,
];
