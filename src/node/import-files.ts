import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ImportInput, ImportResult } from '../importer/import-pages.js';
import { importPages } from '../importer/import-pages.js';
import { ImportError } from '../importer/import-error.js';
import { readSchemasDir, writeSchemasDir } from './schemas-dir.js';

const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Files below the given paths, depth-first in name order (so the same tree always reads the same way). */
export function collectFiles(paths: string[]): { files: string[]; errors: ImportError[] } {
  const files: string[] = [];
  const errors: ImportError[] = [];
  const visit = (path: string) => {
    if (!existsSync(path)) return errors.push(new ImportError(path, 'no such file or folder'));
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!name.startsWith('.') && name !== 'node_modules') visit(join(path, name));
    } else files.push(path);
    return undefined;
  };
  paths.forEach(visit);
  return { files, errors };
}

function displayName(file: string): string {
  return relative(process.cwd(), file).split(sep).join('/') || file;
}

function readInputs(files: string[], errors: ImportError[]): ImportInput[] {
  const inputs: ImportInput[] = [];
  for (const file of files) {
    const name = displayName(file);
    const size = statSync(file).size;
    if (size > MAX_INPUT_BYTES) {
      errors.push(new ImportError(name, `larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`));
      continue;
    }
    const bytes = readFileSync(file);
    if (bytes.includes(0)) errors.push(new ImportError(name, 'binary file, not a docs page'));
    else inputs.push({ file: name, text: bytes.toString('utf8') });
  }
  return inputs;
}

export interface ImportFilesOptions {
  out: string;
  /** Start from an empty schemas folder instead of merging into the one at `out`. */
  clean?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** import <file|dir>… → schemas folder. Every readable page lands even when others fail. */
export function importFiles(paths: string[], options: ImportFilesOptions): ImportResult {
  const { files, errors } = collectFiles(paths);
  const inputs = readInputs(files, errors);
  const existing = !options.clean && existsSync(join(options.out, 'operations')) ? readSchemasDir(options.out) : undefined;
  const result = importPages(inputs, existing, options.onProgress);
  if (result.contract.operations.length > 0) writeSchemasDir(options.out, result.contract, result.index);
  return { ...result, errors: [...errors, ...result.errors] };
}
