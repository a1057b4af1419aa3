// Every TypeScript snippet of the README, verbatim, in a fresh ESM project that depends on the built package
// (node_modules/authentik-mock → this repository): all type-check under strict NodeNext, and those that need no
// server on port 9000 run. No network: the project's node_modules link to this repository's.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/contracts.js';

const run = promisify(execFile);
const bin = {
  tsc: join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
  tsx: join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
  vitest: join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
};

interface Snippet {
  file: string;
  code: string;
}

/** The README's ```ts blocks, named by order; a block that imports vitest is a test file. */
function readmeSnippets(): Snippet[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => ({
    file: `snippet-${i + 1}${/from 'vitest'/.test(m[1]!) ? '.test' : ''}.ts`,
    code: m[1]!,
  }));
}

let project: string;
let snippets: Snippet[];
const node = (args: string[]) => run(process.execPath, args, { cwd: project, encoding: 'utf8', timeout: 60_000 });
const importing = (module: string) => snippets.filter((s) => s.code.includes(`from '${module}'`));

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'entries', 'node.js'))) throw new Error('dist/ is missing: run "npm run build" first');
  project = mkdtempSync(join(tmpdir(), 'authentik-mock-readme-'));
  const modules = join(project, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(join(ROOT, 'node_modules')).filter((n) => !n.startsWith('.')))
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  symlinkSync(ROOT, join(modules, 'authentik-mock'), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'readme-consumer', private: true, type: 'module' }));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['*.ts'],
    }),
  );
  snippets = readmeSnippets();
  for (const { file, code } of snippets) writeFileSync(join(project, file), code);
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the README snippets, in a fresh consumer project', () => {
  it('cover every entry point and the official client', () => {
    for (const module of [
      'authentik-mock',
      'authentik-mock/express',
      'authentik-mock/msw',
      'authentik-mock/vitest',
      'authentik-mock/node',
      'authentik-mock/harness',
      '@goauthentik/api',
    ]) {
      expect(importing(module), module).not.toHaveLength(0);
    }
    const code = (s: Snippet) => s.code.replace(/\/\/.*$/gm, '');
    expect(
      snippets.filter((s) => /schemas:|loadContract\('/.test(code(s))).map((s) => s.code),
      'snippets that name a schemas folder',
    ).toEqual([]);
  });

  it('type-check (strict, NodeNext)', async () => {
    await expect(
      node([bin.tsc, '-p', project]).then(
        () => 'ok',
        (e: { stdout: string }) => e.stdout,
      ),
    ).resolves.toBe('ok');
  });

  it('the core snippet runs', async () => {
    const [core] = importing('authentik-mock');
    const { stdout } = await node([bin.tsx, core!.file]);
    expect(stdout).toMatch(/^200 \{/);
    expect(stdout).toContain('username:');
  });

  it('the MSW snippet for Node runs', async () => {
    const [msw] = importing('msw/node');
    expect((await node([bin.tsx, msw!.file])).stdout).toBe('200 5\n');
  });

  it('the vitest snippet passes', async () => {
    const [test] = importing('authentik-mock/vitest');
    const { stdout } = await node([bin.vitest, 'run', '--root', project, test!.file]);
    // eslint-disable-next-line no-control-regex -- strips the ANSI colour codes vitest prints
    expect(stdout.replace(/\x1b\[\d+m/g, '')).toMatch(/Tests\s+1 passed \(1\)/);
  });
});
