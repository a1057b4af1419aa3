/** Lets the renderer reuse what it reads of bindings until the world changes (see RecordRenderer.useVersion). */
import type { Feature } from '../extensions.js';

export const renderVersions: Feature = ({ world }) => world.renderer.useVersion(() => world.version);
