import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import { isPlainObject } from '../contract/types.js';

/** `name` or `@scope/name`, as npm spells package names. */
const PACKAGE_NAME = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i;

/** Where packages put their OpenAPI document: `@goauthentik/api` ships `schema.yml` at its root. */
const DOCUMENT_NAMES = ['schema.yml', 'schema.yaml', 'schema.json', 'openapi.yml', 'openapi.yaml', 'openapi.json'];
const DOCUMENT_FOLDERS = ['', 'dist', 'src', 'schema', 'openapi', 'api'];

export function looksLikePackageName(value: string): boolean {
  return PACKAGE_NAME.test(value);
}

/** The package's folder, searched the way Node searches from `cwd` (its package.json need not be in `exports`). */
export function packageFolder(name: string, cwd: string): string | undefined {
  const searched = createRequire(join(cwd, 'noop.js')).resolve.paths(name) ?? [];
  return searched.map((dir) => join(dir, name)).find((dir) => existsSync(join(dir, 'package.json')));
}

export function packageVersion(folder: string): string | undefined {
  try {
    const manifest: unknown = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    return isPlainObject(manifest) && typeof manifest['version'] === 'string' ? manifest['version'] : undefined;
  } catch {
    return undefined; // an unreadable manifest only costs the version in the source name
  }
}

export interface PackageDocument {
  /** The file to read. */
  path: string;
  /** How the import names it: `@goauthentik/api@2024.8.3/schema.yml`, so index.json says which version it was. */
  source: string;
}

/** The OpenAPI document an installed package ships; throws a one-line reason naming what was looked for. */
export function packageDocument(name: string, cwd: string): PackageDocument {
  const folder = packageFolder(name, cwd);
  if (!folder) throw new Error(`no such file or folder, and no installed package of that name (searched node_modules from ${cwd})`);
  const version = packageVersion(folder);
  const label = version ? `${name}@${version}` : name;
  for (const sub of DOCUMENT_FOLDERS) {
    for (const file of DOCUMENT_NAMES) {
      const relative = posix.join(sub, file);
      if (existsSync(join(folder, relative))) return { path: join(folder, relative), source: `${label}/${relative}` };
    }
  }
  const folders = DOCUMENT_FOLDERS.filter(Boolean).map((f) => `${f}/`);
  throw new Error(
    `the installed package ${label} ships no OpenAPI document (looked for ${DOCUMENT_NAMES.join(', ')} in its root and in ${folders.join(', ')})`,
  );
}
