import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFiles } from '../src/node/import-files.js';
import { ROOT, SCHEMAS_DIR } from './support/contracts.js';

/** Every file below `dir`, by its path relative to `dir`, with its bytes as text. */
function tree(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(files.map((e) => [relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'utf8')]));
}

describe('the committed schemas/', () => {
  it('is exactly what importing the committed reference pages produces', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'reference-')), 'schemas');
    const cwd = process.cwd();
    process.chdir(ROOT); // index.json names each page relative to where the import ran, as `npm run import:reference` does
    try {
      const result = importFiles(['fixtures/reference'], { out, clean: true });
      expect(result.errors).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
    const fresh = tree(out);
    const committed = tree(SCHEMAS_DIR);
    expect([...fresh.keys()].sort()).toEqual([...committed.keys()].sort());
    const differing = [...fresh].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file);
    expect(differing).toEqual([]);
    expect(fresh.size).toBeGreaterThan(875);
  });
});
