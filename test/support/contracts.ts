import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Contract } from '../../src/contract/contract.js';
import type { ContractDocument } from '../../src/contract/types.js';
import { importPages } from '../../src/importer/import-pages.js';
import { readSchemasDir } from '../../src/node/schemas-dir.js';
import { rawPage } from './pages.js';
import { widgetOperations } from './synthetic-operations.js';
import { moreAuthentikOperations } from './authentik-operations.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCHEMAS_DIR = join(ROOT, 'schemas');

let seeds: ContractDocument | undefined;

/** The five seed pages (fixtures/pages), imported in memory: the small contract most tests run on. */
export function seedDocument(): ContractDocument {
  if (seeds) return seeds;
  const pages = join(ROOT, 'fixtures', 'pages');
  const result = importPages(
    readdirSync(pages)
      .sort()
      .map((f) => ({ file: join('fixtures', 'pages', f), text: readFileSync(join(pages, f), 'utf8') })),
  );
  if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('\n'));
  seeds = result.contract;
  return seeds;
}

/** The committed schemas/: the whole reference. */
export const referenceDocument = (): ContractDocument => readSchemasDir(SCHEMAS_DIR);

let mixed: ContractDocument | undefined;

/**
 * The seeds, more authentik operations built from their components, and the synthetic "widgets" resource, all
 * imported as pages: a contract no code was written for.
 */
export function mixedDocument(): ContractDocument {
  if (mixed) return mixed;
  const pages = join(ROOT, 'fixtures', 'pages');
  const inputs = [
    ...readdirSync(pages)
      .sort()
      .map((f) => ({ file: f, text: readFileSync(join(pages, f), 'utf8') })),
    ...[...widgetOperations, ...moreAuthentikOperations()].map((o) => ({ file: `${o.operationId}.mdx`, text: rawPage(o) })),
  ];
  const result = importPages(inputs);
  if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('\n'));
  mixed = result.contract;
  return mixed;
}

export const seedContract = () => new Contract(seedDocument());
