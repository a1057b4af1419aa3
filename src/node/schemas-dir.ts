import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonFile } from './read-json.js';
import type { ContractDocument, JsonSchema, OperationSpec, SchemasIndex } from '../contract/types.js';

/** Layout of a schemas/ folder: one file per operation, one per component, and an index. */
export const OPERATIONS_DIR = 'operations';
export const COMPONENTS_DIR = 'components';
export const INDEX_FILE = 'index.json';

/** The schemas/ folder shipped with the package: two levels up from this module, in src/node/ and in dist/node/ alike. */
export const PACKAGE_SCHEMAS_DIR = fileURLToPath(new URL('../../schemas', import.meta.url));

/** The authentik release whose API the package's own schemas/ are (imported from its docs pages). */
export const PACKAGE_AUTHENTIK_VERSION = '2024.8';

const isSchemasDir = (dir: string) => existsSync(join(dir, OPERATIONS_DIR));

/**
 * The schemas folder used when none is named: `./schemas` (from the current directory) when it is a schemas folder
 * (has `operations/`), else the package's own — the whole authentik reference it ships with.
 */
export function defaultSchemasDir(cwd: string = process.cwd()): string {
  const local = resolve(cwd, 'schemas');
  return isSchemasDir(local) ? local : PACKAGE_SCHEMAS_DIR;
}

/** How the CLI's `--schemas` option describes that default. */
export const DEFAULT_SCHEMAS_HELP = "schemas folder (default: ./schemas if it is one, else the package's own: all of authentik 2024.8)";

function jsonFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
}

/** The contract stored in a schemas/ folder; throws naming the file that is not readable. */
export function readSchemasDir(dir: string): ContractDocument {
  if (!isSchemasDir(dir))
    throw new Error(`${dir}: no ${OPERATIONS_DIR}/ folder — not a schemas folder (run "authentik-mock import" first)`);
  const operations = jsonFiles(join(dir, OPERATIONS_DIR)).map((f) => readJsonFile(join(dir, OPERATIONS_DIR, f)) as OperationSpec);
  const components: Record<string, JsonSchema> = {};
  for (const f of jsonFiles(join(dir, COMPONENTS_DIR)))
    components[basename(f, '.json')] = readJsonFile(join(dir, COMPONENTS_DIR, f)) as JsonSchema;
  return { operations, components };
}

const stringify = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Writes the whole folder beside the target, then swaps it in: a failure never leaves it half-written. */
export function writeSchemasDir(dir: string, contract: ContractDocument, index: SchemasIndex): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(dir)}.staging-${process.pid}`);
  const retired = join(parent, `.${basename(dir)}.retired-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, OPERATIONS_DIR), { recursive: true });
  mkdirSync(join(staging, COMPONENTS_DIR), { recursive: true });
  try {
    for (const operation of contract.operations)
      writeFileSync(join(staging, OPERATIONS_DIR, `${operation.operationId}.json`), stringify(operation));
    for (const [name, schema] of Object.entries(contract.components))
      writeFileSync(join(staging, COMPONENTS_DIR, `${name}.json`), stringify(schema));
    writeFileSync(join(staging, INDEX_FILE), stringify(index));
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const hadOld = existsSync(dir);
  if (hadOld) renameSync(dir, retired);
  renameSync(staging, dir);
  if (hadOld) rmSync(retired, { recursive: true, force: true });
}
