import { readFileSync } from 'node:fs';
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
  for (const entry of ['index.ts', 'adapters/msw.ts']) {
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
