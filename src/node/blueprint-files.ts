/** Reading blueprint files for the browser-safe blueprints module (src/blueprints/), which takes them as text. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultBlueprints } from '../blueprints/defaults.js';
import type { BlueprintSource } from '../blueprints/types.js';

/** authentik 2024.8's blueprints shipped with the package (system/, default/, example/): two levels up, from src/node/ and dist/node/ alike. */
export const PACKAGE_BLUEPRINTS_DIR = fileURLToPath(new URL('../../blueprints', import.meta.url));

/**
 * Blueprint files as `{ path, text }`. A file is read as given (its path as given). A folder is read as authentik's
 * discovery reads its blueprints folder (`blueprints_find`, authentik/blueprints/v1/tasks.py): every `*.yaml` below
 * it, skipping paths with a part starting with a dot, each path relative to the folder (`system/bootstrap.yaml`,
 * what meta-apply entries look blueprints up by), sorted.
 */
export function readBlueprintSources(fileOrDir: string): BlueprintSource[] {
  if (!statSync(fileOrDir).isDirectory()) return [{ path: fileOrDir, text: readFileSync(fileOrDir, 'utf8') }];
  return readdirSync(fileOrDir, { recursive: true, encoding: 'utf8' })
    .map((entry) => relative(fileOrDir, join(fileOrDir, entry)).split(sep).join('/'))
    .filter((path) => path.endsWith('.yaml') && !path.split('/').some((part) => part.startsWith('.')))
    .filter((path) => statSync(join(fileOrDir, path)).isFile())
    .sort()
    .map((path) => ({ path, text: readFileSync(join(fileOrDir, path), 'utf8') }));
}

/** The blueprints a fresh authentik applies (system/, then default/), from a blueprints folder (default: the package's). */
export function readDefaultBlueprints(dir: string = PACKAGE_BLUEPRINTS_DIR): BlueprintSource[] {
  return defaultBlueprints(readBlueprintSources(dir));
}
