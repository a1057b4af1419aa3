import type { Feature } from './extensions.js';
import { flowsFeature } from '../flows/index.js';

/** The features every mock has, each installing itself through the extension points (extensions.ts). */
export const FEATURES: readonly Feature[] = [flowsFeature];
