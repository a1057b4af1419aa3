import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readJsonFile } from './read-json.js';
import type { ContractDocument, JsonSchema, OperationSpec, SchemasIndex } from '../contract/types.js';

/** Layout of a schemas/ folder: one file per operation, one per component, and an index. */
export const OPERATIONS_DIR = 'operations';
export const COMPONENTS_DIR = 'components';
export const INDEX_FILE = 'index.json';

function jsonFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
}

/** The contract stored in a schemas/ folder; throws naming the file that is not readable. */
export function readSchemasDir(dir: string): ContractDocument {
  if (!existsSync(join(dir, OPERATIONS_DIR))) throw new Error(`${dir}: no ${OPERATIONS_DIR}/ folder — not a schemas folder (run "authentik-mock import" first)`);
  const operations = jsonFiles(join(dir, OPERATIONS_DIR)).map((f) => readJsonFile(join(dir, OPERATIONS_DIR, f)) as OperationSpec);
  const components: Record<string, JsonSchema> = {};
  for (const f of jsonFiles(join(dir, COMPONENTS_DIR))) components[basename(f, '.json')] = readJsonFile(join(dir, COMPONENTS_DIR, f)) as JsonSchema;
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
    for (const operation of contract.operations) writeFileSync(join(staging, OPERATIONS_DIR, `${operation.operationId}.json`), stringify(operation));
    for (const [name, schema] of Object.entries(contract.components)) writeFileSync(join(staging, COMPONENTS_DIR, `${name}.json`), stringify(schema));
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
