// The package as `npm pack` makes it, installed in a fresh consumer project: what the tarball holds, that installing
// it runs no script of ours (npm 11 warns about any install script a project has not approved, `prepare` included),
// and that its type declarations check in a strict consumer without skipLibCheck and without the types of our own
// dev dependencies (@types/express). No network: the consumer's dependencies link to this repository's.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/contracts.js';

const run = promisify(execFile);
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** The lifecycle scripts npm runs when a package is installed as a dependency (pacote's list, `prepare` included). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

interface Manifest {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  files: string[];
}

let dir: string;
let installed: string;
let manifest: Manifest;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'index.d.ts'))) throw new Error('dist/ is missing: run "npm run build" first');
  dir = mkdtempSync(join(tmpdir(), 'authentik-mock-package-'));
  // --ignore-scripts: the tarball of the dist/ this run built (prepack would build it again under the other tests).
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  const tarball = join(dir, stdout.trim().split('\n').at(-1)!);
  installed = join(dir, 'consumer', 'node_modules', 'authentik-mock');
  mkdirSync(installed, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Manifest;
  // What npm would install beside it: its dependencies, and the peers and Node types a project using them has.
  for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), '@types/node']) {
    const link = join(dir, 'consumer', 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('runs no script when installed: the build is prepack (before packing), not prepare', () => {
    expect(Object.keys(manifest.scripts).filter((name) => INSTALL_SCRIPTS.includes(name))).toEqual([]);
    expect(manifest.scripts['prepack']).toBe('npm run build');
  });

  it('holds its licence, the notice of what it carries of authentik, the console files, and no sources', () => {
    for (const file of ['LICENSE', 'NOTICE', 'blueprints/LICENSE', 'console/index.html', 'console/console.js', 'schemas/index.json'])
      expect(existsSync(join(installed, file)), file).toBe(true);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(readFileSync(join(installed, 'NOTICE'), 'utf8')).toMatch(/CC BY-SA 4\.0[\s\S]*Copyright \(c\) 2023 Jens Langhammer/);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'fixtures'))).toBe(false);
  });
});

describe('its type declarations, in a strict consumer without skipLibCheck', () => {
  /** tsc in the consumer with these compiler options and this one file; its diagnostics, or 'ok'. */
  async function typeCheck(name: string, code: string, options: Record<string, unknown>): Promise<string> {
    const project = join(dir, 'consumer');
    writeFileSync(join(project, `${name}.ts`), code);
    const config = { compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, ...options }, files: [`${name}.ts`] };
    writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify(config));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    return run(process.execPath, [TSC, '-p', `tsconfig.${name}.json`], { cwd: project, encoding: 'utf8' }).then(
      () => 'ok',
      (error: { stdout: string }) => error.stdout,
    );
  }

  it('every entry point, in a Node project (NodeNext, @types/node, no @types/express)', async () => {
    expect(existsSync(join(dir, 'consumer', 'node_modules', '@types', 'express'))).toBe(false);
    const code = `
import { MockServer, type MockOptions, type RecordLimits, type HoldLimits, type AnswerCacheLimits } from 'authentik-mock';
import { createMock, startServer, type ServerOptions } from 'authentik-mock/node';
import { createApp, type MockApp } from 'authentik-mock/express';
import { createHandlers } from 'authentik-mock/msw';
import { contractMatchers, startMock } from 'authentik-mock/vitest';
import { runContract, TokenRejected } from 'authentik-mock/harness';

const limits: RecordLimits = { maxRecords: 10 };
const holds: HoldLimits = { maxMs: 1000 };
const cache: AnswerCacheLimits = {};
const options: ServerOptions = { port: 0, limits, holds, cache, adminPassword: 'pw', blueprints: ['blueprints/'] };
const app: MockApp = createApp({ seed: 1 });
const server: ReturnType<typeof app.listen> = app.listen(0);
server.close();
export const all = [options, createMock, startServer, createHandlers, contractMatchers, startMock, runContract, TokenRejected];
export const core = (o: MockOptions) => new MockServer(o);
`;
    expect(
      await typeCheck('node-project', code, { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'] }),
    ).toBe('ok');
  }, 120_000);

  it('the browser-safe core and the MSW handlers, in a browser project (bundler resolution, no Node types)', async () => {
    const code = `
import { MockServer, generate, type ContractDocument } from 'authentik-mock';
import { createHandlers, type PersistIn } from 'authentik-mock/msw';

declare const contract: ContractDocument;
const persist: PersistIn = 'sessionStorage';
export const handlers = createHandlers({ contract, persist });
export const mock = new MockServer({ contract });
export const value = generate({ type: 'string' });
`;
    expect(
      await typeCheck('browser-project', code, {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: [],
      }),
    ).toBe('ok');
  }, 120_000);
});
