import type { Feature } from './extensions.js';
import { oidcFeature } from '../oidc/index.js';

/** The features every mock has, each installing itself through the extension points (extensions.ts). */
export const FEATURES: readonly Feature[] = [oidcFeature];
