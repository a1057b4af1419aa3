/**
 * What the benches that load a server share (bench:server, bench:prism, bench:contract, bench:soak): servers started
 * in their own process on a free port, and the load autocannon puts on one of them (10 connections on loopback,
 * BENCH_SECONDS per round).
 */
import { fork, spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { existsSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export const TOKEN = 'bench-token';
export const DURATION_S = Number(process.env['BENCH_SECONDS'] ?? 4);
export const ROUNDS = 3;
export const CONNECTIONS = 10;

const auth = { authorization: `Bearer ${TOKEN}` };

const children = new Set<ChildProcess>();
// A bench that fails half-way leaves no server behind.
process.on('exit', () => {
  for (const child of children) child.kill();
});

/** A server of bench/server-child.mjs (`mock`, `mock-uncached`, `bare`), once it listens; its port and RSS then. */
export function startServer(args: string[]): Promise<{ child: ChildProcess; port: number; rss: number }> {
  const child = fork(join(import.meta.dirname, 'server-child.mjs'), args, {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ready: number; rss: number }) => resolve({ child, port: m.ready, rss: m.rss }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** A `serve` process, its origin, and the lines it printed after its banner (its request log; counted, not kept). */
export interface ServeProcess {
  child: ChildProcessByStdio<null, Readable, null>;
  origin: string;
  logLines: () => number;
}

/**
 * `authentik-mock serve --port 0 …args` of a build (default: this checkout's), as a user starts it, once its banner
 * is printed (stdout: the request log there is read as a terminal or pipe would read it). `nodeArgs` go to Node
 * (`--import` a preload), `env` is added to this process's.
 */
export function spawnServe(
  args: string[],
  options: { cli?: string; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<ServeProcess> {
  const cli = resolve(options.cli ?? 'dist/cli/main.js');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cli, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let banner = '';
  let lines = 0;
  return new Promise((ready, fail) => {
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (banner.includes('user token')) {
        for (const byte of chunk) if (byte === 10) lines++;
        return;
      }
      banner += String(chunk);
      const api = /API\s+(\S+)/.exec(banner)?.[1];
      if (api && banner.includes('user token')) ready({ child, origin: new URL(api).origin, logLines: () => lines });
    });
  });
}

/**
 * How a path is asked: the same URL each time; with `vary`, `&v=N` (a new N for each request) so that no answer is
 * known before; with `writeEvery: n`, each connection sends a PATCH of `writePath` (a new value each time), then
 * n - 1 GETs, over and over.
 */
export interface Load {
  path: string;
  vary?: boolean;
  writeEvery?: number;
  writePath?: string;
}

let sequence = 0;

function requestsOf(load: Load): autocannon.Request[] {
  const get: autocannon.Request = { method: 'GET', path: load.path, headers: auth };
  if (load.vary) {
    const joiner = load.path.includes('?') ? '&' : '?';
    get.setupRequest = (request) => ({ ...request, path: `${load.path}${joiner}v=${++sequence}` });
  }
  if (!load.writeEvery || !load.writePath) return [get];
  const patch: autocannon.Request = {
    method: 'PATCH',
    path: load.writePath,
    headers: { ...auth, 'content-type': 'application/json' },
    setupRequest: (request) => ({ ...request, body: JSON.stringify({ attributes: { bench: ++sequence } }) }),
  };
  return [patch, ...Array.from({ length: load.writeEvery - 1 }, () => get)];
}

/** Requests per second the server on `port` answers to the load; any non-2xx answer or error fails the bench. */
export async function rps(port: number, load: Load): Promise<number> {
  return (await measure({ port }, load)).rps;
}

/** What a round of load cost a server: requests per second, and its CPU time per request (µs; Linux only). */
export interface Measured {
  rps: number;
  cpuUs: number;
}

/**
 * Requests per second, and the server process's CPU time (user + system, from /proc) per request: on a machine the
 * load generator shares, requests per second can be the generator's limit, while CPU per request is the server's own.
 */
export async function measure(server: { port: number; child?: ChildProcess }, load: Load): Promise<Measured> {
  const cpuBefore = cpuMs(server.child?.pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: requestsOf(load),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`port ${server.port}, ${JSON.stringify(load)}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpuUs = ((cpuMs(server.child?.pid) - cpuBefore) * 1000) / (result.requests.total || 1);
  return { rps: result.requests.average, cpuUs };
}

/** A memory figure of a process, in MB (`VmRSS`, or `VmHWM`: its peak), from /proc/<pid>/status; NaN without /proc. */
export function procMemoryMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time a process has used (user + system), in ms: NaN where there is no /proc (Linux's clock tick is 10 ms). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after the command name, which may hold anything
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The first of `candidates` (group keys) whose PATCH changes none of the answers at `paths` (it is not shown in
 * them): its path and the answer to one PATCH of it, for bare Express to send.
 */
export async function pickWriteTarget(
  origin: string,
  candidates: string[],
  paths: string[],
): Promise<{ path: string; reply: { status: number; headers: Record<string, string>; body: string } }> {
  const read = async () => Promise.all(paths.map(async (path) => (await fetch(`${origin}${path}`, { headers: auth })).text()));
  const before = await read();
  for (const key of candidates) {
    if (before.some((text) => text.includes(key))) continue;
    const path = `/api/v3/core/groups/${key}/`;
    const response = await fetch(`${origin}${path}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: { bench: 0 } }),
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`PATCH ${path}: ${response.status} ${body}`);
    const after = await read();
    if (after.every((text, i) => text === before[i]))
      return { path, reply: { status: 200, headers: { 'content-type': response.headers.get('content-type')! }, body } };
  }
  throw new Error('no group whose change leaves the measured answers as they are');
}
