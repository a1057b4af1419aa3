/**
 * npm run bench:attacks — what a shared demo's attackers get, measured on the built CLI (`serve` as an operator runs
 * it). Loopback only; every attack is bounded and stops by itself.
 *
 * 1. Slow readers: ATTACK_READERS (40) connections ask for the largest list page (`page_size=100000` of
 *    ATTACK_PATH, default oauth2 access tokens: each embeds a provider and a user) and never read. RSS of the server
 *    (from /proc/<pid>/status) before and after; then each reader reads its status line.
 * 2. Held answers: ATTACK_HELD (1000) `Prefer: network=timeout` requests, anonymous and then with the shared user
 *    token; while they are outstanding, how long a normal request takes, and what the attackers got.
 *
 *   ATTACK_RECORDS (5000: the world size, records per table)  ATTACK_ARGS="--max-unsent-mb 64" (more serve flags)
 *   ATTACK_ONLY=readers|held  ATTACK_VARY=1 (each reader asks for its own URL)
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { procMemoryMb } from './server-load.js';

const READERS = Number(process.env['ATTACK_READERS'] ?? 40);
const HELD = Number(process.env['ATTACK_HELD'] ?? 1000);
const RECORDS = process.env['ATTACK_RECORDS'] ?? '5000';
const PATH = process.env['ATTACK_PATH'] ?? '/api/v3/oauth2/access_tokens/?page_size=100000';
const ONLY = process.env['ATTACK_ONLY'];
const EXTRA = (process.env['ATTACK_ARGS'] ?? '').split(/\s+/).filter(Boolean);

interface Server {
  pid: number;
  port: number;
  admin: string;
  user: string;
  stop: () => Promise<void>;
}

async function serve(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let banner = '';
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) console.log(`  (serve ended by itself: exit code ${code}, signal ${signal}; stdout: ${banner.slice(-300)})`);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      banner += String(chunk);
      if (banner.includes('user token')) resolve();
    });
  });
  const token = (label: string) => new RegExp(`^ *${label}[^:\\n]*: +(\\S+)`, 'm').exec(banner)?.[1] ?? '';
  return {
    pid: child.pid!,
    port: Number(/API\s+http:\/\/[^:]+:(\d+)/.exec(banner)![1]),
    admin: token('admin token'),
    user: token('user token'),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const rssMb = (pid: number) => procMemoryMb(pid, 'VmRSS');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw HTTP/1.1 GET on its own connection; the socket is paused at once (the reply waits in the server). */
function request(port: number, path: string, headers: Record<string, string>): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  socket.on('error', () => undefined);
  const lines = Object.entries({ host: `127.0.0.1:${port}`, ...headers }).map(([k, v]) => `${k}: ${v}`);
  socket.write(`GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  return socket;
}

/** The status line of what the socket received (reading it now), or `none` when the server closed it silently. */
function statusOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => resolve(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 'none');
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1', 0, Math.min(chunk.length, 64));
      if (text.includes('\r\n')) {
        socket.destroy();
        done();
      }
    });
    socket.once('close', done);
    socket.resume();
    setTimeout(() => (socket.destroy(), done()), 5000).unref();
  });
}

function tally(statuses: string[]): string {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${s}×${n}`).join(', ');
}

async function normalRequest(port: number, admin: string): Promise<string> {
  const started = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/v3/core/groups/?page_size=1`, {
      headers: { authorization: `Bearer ${admin}` },
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return `${res.status} in ${(performance.now() - started).toFixed(0)} ms`;
  } catch (error) {
    return `failed after ${(performance.now() - started).toFixed(0)} ms (${(error as Error).cause ?? (error as Error).message})`;
  }
}

async function slowReaders(): Promise<void> {
  const server = await serve(['--records', RECORDS, ...EXTRA]);
  const auth = { authorization: `Bearer ${server.admin}` };
  // The page once, read: the table is generated and the heap has grown to render it once.
  const warm = await fetch(`http://127.0.0.1:${server.port}${PATH}`, { headers: auth });
  const size = (await warm.arrayBuffer()).byteLength;
  await sleep(2000);
  const before = rssMb(server.pid);
  // ATTACK_VARY=1: each reader asks for its own URL (a junk parameter), so no answer is known before it is made.
  const vary = process.env['ATTACK_VARY'] === '1';
  const sockets = Array.from({ length: READERS }, (_, i) => request(server.port, vary ? `${PATH}&junk=${i}` : PATH, auth));
  let peak = before;
  const samples: string[] = [];
  for (let i = 1; i <= 100; i++) {
    await sleep(250);
    const now = rssMb(server.pid);
    peak = Math.max(peak, now);
    if (i % 20 === 0) samples.push(`${i / 4} s: ${now.toFixed(0)}`);
  }
  console.log(
    `slow readers: ${READERS} × ${PATH}${vary ? '&junk=N' : ''} (${(size / 1e6).toFixed(1)} MB, --records ${RECORDS} ${EXTRA.join(' ')})`,
  );
  console.log(
    `  RSS ${before.toFixed(0)} MB before; ${samples.join(', ')} MB; peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(0)} MB)`,
  );
  console.log(`  a normal request meanwhile: ${await normalRequest(server.port, server.admin)}`);
  console.log(`  the readers got: ${tally(await Promise.all(sockets.map(statusOf)))}`);
  await server.stop();
}

async function heldAnswers(): Promise<void> {
  const variants: Array<[string[], 'anonymous' | 'user token']> = [
    [[], 'anonymous'],
    [['--demo'], 'anonymous'],
    [['--demo'], 'user token'],
  ];
  for (const [flags, who] of variants) {
    const server = await serve(['--records', '5', ...flags, ...EXTRA]).catch((error: Error) => console.log(`  ${error.message}`));
    if (!server) continue;
    const headers: Record<string, string> = { prefer: 'network=timeout' };
    if (who === 'user token') headers['authorization'] = `Bearer ${server.user}`;
    const sockets: Socket[] = [];
    for (let i = 0; i < HELD; i++) sockets.push(request(server.port, '/api/v3/core/users/', headers));
    await sleep(1500);
    console.log(`held answers: ${HELD} × Prefer: network=timeout, ${who} (serve ${[...flags, ...EXTRA].join(' ') || 'on loopback'})`);
    console.log(`  a normal request meanwhile: ${await normalRequest(server.port, server.admin)}`);
    console.log(`  the attackers got: ${tally(await Promise.all(sockets.map(statusOf)))}`);
    await server.stop();
  }
}

if (ONLY !== 'held') await slowReaders();
if (ONLY !== 'readers') await heldAnswers();
