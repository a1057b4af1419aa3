/**
 * npm run bench:prism — the mock and Prism 5 (`@stoplight/prism-cli@5`, `prism mock` with its defaults) side by
 * side, on the same contract and the same two requests as bench:server (a group retrieve, the 20-item access-token
 * list), with the same client (autocannon, 10 connections on loopback) for the same time: 3 alternating rounds of
 * BENCH_SECONDS (4) per server, medians. Target: the mock's cached answers ≥ 40× Prism's on both.
 *
 * Prism is installed at bench time into .bench-tmp/prism (git-ignored; not a dependency of the project). Its
 * document is the committed reference written back as one OpenAPI 3.0 document: every operation of schemas/operations
 * under its full path (`/api/v3/core/groups/{group_uuid}/`, so both servers get the same URLs), the components of
 * schemas/components, and authentik's `authentik` bearer scheme.
 */
import { median } from './stats.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ROUNDS, rps, startServer, TOKEN } from './server-load.js';

const dir = join(process.cwd(), '.bench-tmp', 'prism');
const schemas = join(process.cwd(), 'schemas');
const auth = { authorization: `Bearer ${TOKEN}` };
mkdirSync(dir, { recursive: true });

/** schemas/ as an OpenAPI 3.0 document: what Prism reads. */
function openApiDocument(): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const file of readdirSync(join(schemas, 'operations')).sort()) {
    const { method, path, server, operationId, tags, security, parameters, requestBody, responses } = JSON.parse(
      readFileSync(join(schemas, 'operations', file), 'utf8'),
    ) as Record<string, unknown> & { method: string; path: string; server: string };
    const full = `${server.replace(/\/+$/, '')}${path}`;
    (paths[full] ??= {})[method.toLowerCase()] = { operationId, tags, security, parameters, requestBody, responses };
  }
  const components: Record<string, unknown> = {};
  for (const file of readdirSync(join(schemas, 'components')).sort())
    components[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(schemas, 'components', file), 'utf8'));
  return {
    openapi: '3.0.3',
    info: { title: 'authentik (the committed reference, schemas/)', version: '2024.8' },
    paths,
    components: { schemas: components, securitySchemes: { authentik: { type: 'http', scheme: 'bearer' } } },
  };
}

function installPrism(): string {
  const bin = join(dir, 'node_modules', '.bin', 'prism');
  if (!existsSync(bin)) {
    console.log('installing @stoplight/prism-cli@5 into .bench-tmp/prism …');
    execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', '@stoplight/prism-cli@5'], {
      stdio: 'inherit',
    });
  }
  return bin;
}

/** A free loopback port (Prism takes no `--port 0`). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** `prism mock` on the document, once it says it listens. Its request log goes nowhere (as to a terminal nobody reads). */
async function startPrism(bin: string, document: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(bin, ['mock', document, '--port', String(port), '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  process.on('exit', () => child.kill());
  await new Promise<void>((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`prism did not start within 120 s: ${said}`)), 120_000);
    child.once('exit', (code) => reject(new Error(`prism exited with ${code}: ${said}`)));
    const read = (chunk: Buffer) => {
      said = (said + String(chunk)).slice(-4000);
      if (/listening on/i.test(said)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
  });
  return { child, port };
}

const document = join(dir, 'authentik-2024.8.openapi.json');
writeFileSync(document, JSON.stringify(openApiDocument()));
const bin = installPrism();
const version = (
  JSON.parse(readFileSync(join(dir, 'node_modules', '@stoplight', 'prism-cli', 'package.json'), 'utf8')) as { version: string }
).version;
const started = performance.now();
const prism = await startPrism(bin, document);
console.log(`prism ${version} listening after ${((performance.now() - started) / 1000).toFixed(1)} s`);
const mock = await startServer(['mock', 'schemas']);
const uncached = await startServer(['mock-uncached', 'schemas']);

const resources = (await (await fetch(`http://127.0.0.1:${mock.port}/_mock/resources`, { headers: auth })).json()) as Array<{
  path: string;
  keys: string[];
}>;
const group = resources.find((r) => r.path === '/core/groups/')!.keys[0]!;
const targets = [
  { path: `/api/v3/core/groups/${group}/`, label: 'GET /core/groups/{uuid}/' },
  { path: '/api/v3/oauth2/access_tokens/?page_size=20', label: 'GET /oauth2/access_tokens/?page_size=20' },
];
for (const { path } of targets) {
  for (const port of [prism.port, mock.port]) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: auth });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${path} on port ${port}: ${response.status} ${text.slice(0, 300)}`);
  }
}

for (const { path, label } of targets) {
  const rounds = { mock: [] as number[], uncached: [] as number[], prism: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.mock.push(await rps(mock.port, { path }));
    rounds.uncached.push(await rps(uncached.port, { path }));
    rounds.prism.push(await rps(prism.port, { path }));
  }
  const [m, u, p] = [median(rounds.mock), median(rounds.uncached), median(rounds.prism)];
  console.log(
    `${label}: mock ${m.toFixed(0)} req/s (answer cache off ${u.toFixed(0)}), Prism ${version} ${p.toFixed(0)} req/s: ${(m / p).toFixed(1)}× (target ≥ 40×), cache off ${(u / p).toFixed(1)}×`,
  );
}
for (const server of [mock, uncached]) server.child.kill();
prism.child.kill();
