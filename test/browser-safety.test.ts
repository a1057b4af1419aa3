import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');
const NODE_ONLY = /^(node:|fs$|path$|http$|https$|net$|zlib$|child_process$|express$)/;

/** Every module reachable from an entry, with the bare (package) imports each one makes. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    graph.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const relative of specifiers.filter((s) => s.startsWith('.'))) visit(resolve(dirname(file), relative.replace(/\.js$/, '.ts')));
  };
  visit(join(SRC, entry));
  return graph;
}

describe('the core runs in a browser', () => {
  for (const entry of ['index.ts', 'entries/msw.ts']) {
    it(`${entry} reaches no Node-only module`, () => {
      const graph = importGraph(entry);
      expect(graph.size).toBeGreaterThan(10);
      const offenders = [...graph].flatMap(([file, imports]) =>
        imports.filter((i) => NODE_ONLY.test(i)).map((i) => `${file.slice(SRC.length + 1)} imports ${i}`),
      );
      expect(offenders).toEqual([]);
    });
  }

  it('the check itself notices a Node import (the Express adapter has one)', () => {
    const imports = [...importGraph('adapters/express.ts').values()].flat();
    expect(imports.some((i) => NODE_ONLY.test(i))).toBe(true);
  });
});

describe('the direction of knowledge', () => {
  /** Relative imports of every module in a folder of src/, resolved to their folder under src/. */
  function foldersImportedBy(folder: string): string[] {
    const files = readdirSync(join(SRC, folder)).filter((f) => f.endsWith('.ts'));
    return files.flatMap((file) => {
      const source = readFileSync(join(SRC, folder, file), 'utf8');
      return [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)].map(
        (m) =>
          `${folder}/${file} → ${
            resolve(join(SRC, folder), m[1]!)
              .slice(SRC.length + 1)
              .split('/')[0]
          }`,
      );
    });
  }

  it('the harness depends on the contract only: never on the world, the core or an adapter', () => {
    const imports = foldersImportedBy('harness');
    expect(imports.length).toBeGreaterThan(10);
    expect(imports.filter((i) => /→ (world|core|adapters|node)$/.test(i))).toEqual([]);
  });

  it('the contract depends on nothing above it', () => {
    expect(foldersImportedBy('contract').filter((i) => /→ (world|core|adapters|harness|node|cli)$/.test(i))).toEqual([]);
  });
});
