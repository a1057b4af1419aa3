import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { ImportInput, ImportResult } from '../importer/import-pages.js';
import { importPages } from '../importer/import-pages.js';
import { ImportError } from '../importer/import-error.js';
import { looksLikePackageName, packageDocument } from './package-document.js';
import { DEFAULT_URL_TIMEOUT_MS, fetchText, isHttpUrl } from '../importer/url-source.js';
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

/** A file to read, and how the import names it (in messages and in index.json). */
interface NamedFile {
  path: string;
  name: string;
}

function displayName(file: string, cwd: string): string {
  return relative(cwd, file).split(sep).join('/') || file;
}

function readInputs(files: NamedFile[], errors: ImportError[]): ImportInput[] {
  const inputs: ImportInput[] = [];
  for (const { path, name } of files) {
    const size = statSync(path).size;
    if (size > MAX_INPUT_BYTES) {
      errors.push(new ImportError(name, `larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`));
      continue;
    }
    const bytes = readFileSync(path);
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
  /** Where relative paths and installed packages are looked up from, and what file names are relative to (default: the current directory). */
  cwd?: string;
}

export interface ImportSourcesOptions extends ImportFilesOptions {
  /** Per URL, for the whole answer (default 30 s). */
  timeoutMs?: number;
  /** Sent to URLs as `Authorization: Bearer …`. */
  token?: string;
}

/** What one command-line source names: a file or folder (relative to `cwd`), else an installed package. */
function locate(source: string, cwd: string, files: NamedFile[], errors: ImportError[]): void {
  const path = resolve(cwd, source);
  if (existsSync(path)) {
    const found = collectFiles([path]);
    files.push(...found.files.map((file) => ({ path: file, name: displayName(file, cwd) })));
    errors.push(...found.errors);
  } else if (isHttpUrl(source)) {
    errors.push(new ImportError(source, 'URLs are fetched by importSources(), not importFiles()'));
  } else if (looksLikePackageName(source)) {
    try {
      const document = packageDocument(source, cwd);
      files.push({ path: document.path, name: document.source });
    } catch (error) {
      errors.push(new ImportError(source, (error as Error).message));
    }
  } else {
    errors.push(new ImportError(source, 'no such file or folder'));
  }
}

/** Imports the inputs into `out` (merging unless `clean`); errors found before reading come first. */
function importInputs(inputs: ImportInput[], errors: ImportError[], options: ImportFilesOptions): ImportResult {
  const existing = !options.clean && existsSync(join(options.out, 'operations')) ? readSchemasDir(options.out) : undefined;
  const result = importPages(inputs, existing, options.onProgress);
  if (result.contract.operations.length > 0) writeSchemasDir(options.out, result.contract, result.index);
  return { ...result, errors: [...errors, ...result.errors] };
}

/** import <file|dir|package>… → schemas folder. Every readable page lands even when others fail. */
export function importFiles(paths: string[], options: ImportFilesOptions): ImportResult {
  const cwd = resolve(options.cwd ?? process.cwd());
  const files: NamedFile[] = [];
  const errors: ImportError[] = [];
  for (const source of paths) locate(source, cwd, files, errors);
  return importInputs(readInputs(files, errors), errors, options);
}

/** importFiles, and http(s) URLs too (a live authentik's `/api/v3/schema/`, a raw docs page): fetched concurrently. */
export async function importSources(sources: string[], options: ImportSourcesOptions): Promise<ImportResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const fetchOptions = { timeoutMs: options.timeoutMs ?? DEFAULT_URL_TIMEOUT_MS, maxBytes: MAX_INPUT_BYTES, token: options.token };
  const fetched = new Map<string, Promise<ImportInput | ImportError>>();
  for (const url of sources.filter(isHttpUrl)) {
    if (!fetched.has(url))
      fetched.set(
        url,
        fetchText(url, fetchOptions).then(
          (text) => ({ file: url, text }),
          (error: Error) => new ImportError(url, error.message),
        ),
      );
  }
  const settled = new Map<string, ImportInput | ImportError>();
  for (const [url, pending] of fetched) settled.set(url, await pending);

  // In the order given, so messages follow the command line.
  const inputs: ImportInput[] = [];
  const errors: ImportError[] = [];
  for (const source of sources) {
    const got = settled.get(source);
    if (got instanceof ImportError) errors.push(got);
    else if (got) inputs.push(got);
    else {
      const files: NamedFile[] = [];
      locate(source, cwd, files, errors);
      inputs.push(...readInputs(files, errors));
    }
  }
  return importInputs(inputs, errors, options);
}
