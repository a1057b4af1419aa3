import type { Feature } from './extensions.js';
import { actionUrls } from './derived/action-urls.js';
import { currentBrandAnswer } from './derived/current-brand.js';
import { flowDiagramAnswer } from './derived/flow-diagram.js';
import { freshInstall } from './derived/fresh-install.js';
import { systemInfoAnswer } from './derived/system-info.js';
import { typesList } from './derived/types-list.js';
import { flowsFeature } from '../flows/index.js';
import { oidcFeature } from '../oidc/index.js';

/** The features every mock has, each installing itself through the extension points (extensions.ts). */
export const FEATURES: readonly Feature[] = [
  typesList,
  freshInstall,
  systemInfoAnswer,
  currentBrandAnswer,
  flowDiagramAnswer,
  actionUrls,
  flowsFeature,
  oidcFeature,
];
