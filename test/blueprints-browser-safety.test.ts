/** The blueprints module runs in a browser and stands alone: it imports only `yaml` and its own files. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '..', 'src', 'blueprints');

describe('src/blueprints', () => {
  const files = readdirSync(DIR).filter((file) => file.endsWith('.ts'));

  it('imports nothing but the yaml package and its own modules (no fs, no node:*, no world/core/contract)', () => {
    expect(files.length).toBeGreaterThan(5);
    const imports = files.flatMap((file) =>
      [...readFileSync(join(DIR, file), 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
        (m) => `${file}: ${m[1]}`,
      ),
    );
    expect(imports.filter((line) => !/: (yaml|\.\/[\w-]+\.js)$/.test(line))).toEqual([]);
  });
});
