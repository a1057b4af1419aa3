// A consumer's frontend project in a temporary folder, for the Chromium test and `npm run bench:browser`: its
// node_modules link to this repository's (authentik-mock → this repository, as `npm link` would), MSW's worker is
// written by `msw init`, the contract module by `authentik-mock bundle`, and Vite builds it for production.
// A tiny static server answers on 127.0.0.1 with a strict Content-Security-Policy.
import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);

export const ROOT = join(import.meta.dirname, '..', '..');
export const APP_DIR = join(import.meta.dirname, 'app');
/** Debian's chromium; playwright-core drives it (browser downloads are not reachable from CI). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** What the static server sends with every answer: no inline script, no eval, scripts from the page's origin only. */
export const CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";

export interface AppProject {
  dir: string;
  /** Runs a Node script of the project's packages (a package's bin), in the project. */
  node: (args: string[]) => Promise<{ stdout: string; stderr: string }>;
  remove: () => void;
}

/** A project whose node_modules are this repository's, with authentik-mock linked to the repository itself. */
export function createProject(files: Record<string, string> = {}, copyFrom?: string): AppProject {
  if (!existsSync(join(ROOT, 'dist', 'adapters', 'msw.js'))) throw new Error('dist/ is missing: run "npm run build" first');
  const dir = mkdtempSync(join(tmpdir(), 'authentik-mock-browser-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(join(ROOT, 'node_modules')).filter((n) => !n.startsWith('.')))
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  symlinkSync(ROOT, join(modules, 'authentik-mock'), 'dir');
  if (copyFrom) cpSync(copyFrom, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  if (!existsSync(join(dir, 'package.json')))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'browser-consumer', private: true, type: 'module' }));
  return {
    dir,
    node: (args) => run(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What a frontend developer runs once: MSW's worker and the contract module, both into public/. */
export async function addMockFiles(project: AppProject, contractFile = 'public/authentik-contract.js'): Promise<string> {
  mkdirSync(join(project.dir, 'public'), { recursive: true });
  await project.node([join('node_modules', 'msw', 'cli', 'index.js'), 'init', 'public', '--no-save']);
  const { stdout } = await project.node([
    join('node_modules', 'authentik-mock', 'dist', 'cli', 'main.js'),
    'bundle',
    '--out',
    contractFile,
  ]);
  return stdout.trim();
}

/** `vite build` (production) of the project; returns its outDir. */
export async function viteBuild(project: AppProject, outDir = 'dist'): Promise<string> {
  await project.node([join('node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--logLevel', 'warn']);
  return join(project.dir, outDir);
}

/** `vite` (the dev server) for the project on 127.0.0.1, a free port: how the app is developed. */
export async function viteDev(project: AppProject): Promise<StaticServer> {
  const child = spawn(
    process.execPath,
    [join('node_modules', 'vite', 'bin', 'vite.js'), '--host', '127.0.0.1', '--port', '0', '--strictPort'],
    {
      cwd: project.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const origin = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      // eslint-disable-next-line no-control-regex -- the colours Vite prints
      const found = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output.replace(/\x1b\[[\d;]*m/g, ''));
      if (found) resolve(found[1]!);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`vite exited (${code}) before listening:\n${output}`)));
  });
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

export interface BuildSize {
  /** JavaScript files Vite wrote under assets/ (what the page's bundle is; public/ files are not in it). */
  files: Array<{ file: string; bytes: number; gzip: number }>;
  bytes: number;
  gzip: number;
}

export function gzipSize(file: string): number {
  return gzipSync(readFileSync(file)).length;
}

export function bundleSize(outDir: string): BuildSize {
  const assets = join(outDir, 'assets');
  const files = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ file: f, bytes: statSync(join(assets, f)).size, gzip: gzipSize(join(assets, f)) }));
  return { files, bytes: files.reduce((n, f) => n + f.bytes, 0), gzip: files.reduce((n, f) => n + f.gzip, 0) };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  origin: string;
  close: () => Promise<void>;
}

/** Serves a folder on 127.0.0.1 (a free port) with the CSP header; `/` is index.html. */
export async function serveStatic(dir: string, csp = CSP): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    const inside = !relative(dir, file).startsWith(`..${sep}`) && file.startsWith(dir);
    if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain', 'content-security-policy': csp }).end('not found');
      return;
    }
    response
      .writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': csp,
        'cache-control': 'no-cache',
      })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
