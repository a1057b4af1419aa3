/**
 * npm run bench:contract — `authentik-mock contract --allow-writes` against a fresh `authentik-mock serve` (the whole
 * reference, default options, the request log on a pipe), as `npm run test:contract` runs it. Per run: wall time of
 * the contract command and from spawning the server; CPU time (user + system) of the harness and of the server,
 * which a loaded machine inflates far less than wall time; the requests the server logged; the closing line.
 * Medians of BENCH_RUNS runs (default 3). Loopback only; every process it starts is stopped by its pid.
 *
 *   BENCH_RUNS=5   BENCH_CONTRACT_ARGS="--concurrency 1"   BENCH_SERVE_ARGS="--quiet"
 *   BENCH_CLI=/elsewhere/dist/cli/main.js (another build, e.g. the code before a change; both processes)
 *   BENCH_SERVER_CLI=… (the server from another build than the harness)
 */
import { median } from './stats.js';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { spawnServe, type ServeProcess } from './server-load.js';

const TOKEN = 'bench-contract-token';
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const CLI = resolve(process.env['BENCH_CLI'] ?? 'dist/cli/main.js');
const SERVER_CLI = resolve(process.env['BENCH_SERVER_CLI'] ?? CLI);
const words = (name: string) => (process.env[name] ?? '').split(/\s+/).filter(Boolean);
const tmp = join(process.cwd(), '.bench-tmp', 'contract');
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const preload = ['--import', pathToFileURL(join(import.meta.dirname, 'cpu-at-exit.mjs')).href];

type Child = ChildProcessByStdio<null, Readable, null>;

function node(cli: string, args: string[], cpuFile: string): Child {
  return spawn(process.execPath, [...preload, cli, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_CPU_FILE: cpuFile },
  });
}

const exited = (child: Child) => new Promise<number | null>((done) => child.once('exit', done));

/** CPU seconds (user + system) a process reported as it exited. */
function cpuSeconds(file: string): number {
  const usage = JSON.parse(readFileSync(file, 'utf8')) as { user: number; system: number };
  return (usage.user + usage.system) / 1e6;
}

/** The server (its CPU time written to `cpuFile` as it exits), once its banner is printed. */
const serve = (cpuFile: string): Promise<ServeProcess> =>
  spawnServe(['--token', TOKEN, ...words('BENCH_SERVE_ARGS')], { cli: SERVER_CLI, nodeArgs: preload, env: { BENCH_CPU_FILE: cpuFile } });

interface Run {
  wall: number;
  total: number;
  harnessCpu: number;
  serverCpu: number;
  /** Lines of the server's request log (none with --quiet). */
  requests: number;
  closing: string;
}

async function run(index: number): Promise<Run> {
  const files = { server: join(tmp, `serve-${index}.json`), harness: join(tmp, `contract-${index}.json`) };
  const spawned = performance.now();
  const server = await serve(files.server);
  const started = performance.now();
  const args = ['contract', '--base-url', server.origin, '--token', TOKEN, '--allow-writes', ...words('BENCH_CONTRACT_ARGS')];
  const contract = node(CLI, args, files.harness);
  let output = '';
  contract.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
  const code = await exited(contract);
  const finished = performance.now();
  server.child.kill('SIGTERM');
  await exited(server.child);
  const closing = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0) throw new Error(`contract exited with ${code}: ${closing}`);
  return {
    wall: (finished - started) / 1000,
    total: (finished - spawned) / 1000,
    harnessCpu: cpuSeconds(files.harness),
    serverCpu: cpuSeconds(files.server),
    requests: server.logLines(),
    closing,
  };
}

const requests = (count: number) => (count > 0 ? ` ${count} requests;` : '');
const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  const one = await run(i);
  runs.push(one);
  console.log(
    `run ${i + 1}: contract ${one.wall.toFixed(1)} s (${one.total.toFixed(1)} s from spawning the server); CPU harness ${one.harnessCpu.toFixed(1)} s, server ${one.serverCpu.toFixed(1)} s;${requests(one.requests)} ${one.closing}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
}
const m = (key: keyof Omit<Run, 'closing'>) => median(runs.map((r) => r[key]));
console.log(
  `contract --allow-writes ${words('BENCH_CONTRACT_ARGS').join(' ')} against serve ${words('BENCH_SERVE_ARGS').join(' ')}, median of ${RUNS}: ${m('wall').toFixed(1)} s (target ≤ 8 s), ${m('total').toFixed(1)} s from spawning the server; CPU harness ${m('harnessCpu').toFixed(1)} s + server ${m('serverCpu').toFixed(1)} s;${requests(m('requests'))} load average ${loadavg()[0]!.toFixed(1)}`.replace(
    / {2,}/g,
    ' ',
  ),
);
rmSync(tmp, { recursive: true, force: true });
