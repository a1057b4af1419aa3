/**
 * npm run bench:soak — `authentik-mock serve` as a demo runs it (the whole reference, --data, the request log on a
 * pipe), under 40 connections of mixed writes for 3 minutes: creates, patches and deletes of groups and tokens, and
 * lists. Every cycle of 10 requests keeps 2 new records, so the world grows until it reaches its record budget
 * (--max-table-records 5000 here, reached within the first 30 s). Reports the server's RSS (from /proc/<pid>/status)
 * and throughput in a window once the budget is reached (from SOAK_WARMUP s) and in the last window, and their
 * ratio. Loopback only.
 *
 *   SOAK_WARMUP=30 (seconds before the first window: the world reaching its budget)
 *   SOAK_SECONDS=60 (default 180)  SOAK_CONNECTIONS (40)  SOAK_WINDOW=10 (seconds averaged at each end)
 *   SOAK_LOG=quiet (no request log)  SOAK_DATA=0 (no --data)  SOAK_ARGS="--records 5" (more serve flags)
 */
import { procMemoryMb, spawnServe } from './server-load.js';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

const TOKEN = 'soak-token';
const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 180);
const CONNECTIONS = Number(process.env['SOAK_CONNECTIONS'] ?? 40);
const WINDOW = Math.min(Number(process.env['SOAK_WINDOW'] ?? 10), Math.floor(SECONDS / 3));
const WARMUP = Math.min(Number(process.env['SOAK_WARMUP'] ?? 30), SECONDS - 2 * WINDOW);
const tmp = join(process.cwd(), '.bench-tmp', 'soak');
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const dataFile = join(tmp, 'world.json');

const args = ['--host', '127.0.0.1', '--token', TOKEN];
if (process.env['SOAK_DATA'] !== '0') args.push('--data', dataFile);
if (process.env['SOAK_LOG'] === 'quiet') args.push('--quiet');
args.push(...(process.env['SOAK_ARGS'] ?? '--max-table-records 5000').split(/\s+/).filter(Boolean));
// After the banner, stdout is the request log, read as a terminal would and counted.
const { child, origin, logLines } = await spawnServe(args);
const pid = child.pid!;
const api = `${origin}/api/v3/`;

const rssMb = () => procMemoryMb(pid, 'VmRSS');

async function summary(): Promise<{ records: Record<string, number> }> {
  return (await (await fetch(`${origin}/_mock/`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
    records: Record<string, number>;
  };
}

const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
let unique = 0;
type Context = Record<string, string | undefined>;
const keep = (field: string, key: string) => (status: number, body: string, context: object) => {
  if (status === 201) (context as Context)[field] = String((JSON.parse(body) as Record<string, unknown>)[key]);
};
const pathOf = (prefix: string, field: string) => (request: autocannon.Request, context: Context) => ({
  ...request,
  path: `${prefix}${context[field] ?? 'missing'}/`,
});

// One connection's cycle: 6 writes that stay (2 creates) or go (2 creates later deleted), 2 patches, 2 lists.
const requests: autocannon.Request[] = [
  {
    method: 'POST',
    path: '/api/v3/core/groups/',
    headers: json,
    setupRequest: (r) => ({ ...r, body: JSON.stringify({ name: `soak group ${++unique}` }) }),
    onResponse: keep('group', 'pk'),
  },
  {
    method: 'PATCH',
    headers: json,
    setupRequest: (r, c) => ({
      ...pathOf('/api/v3/core/groups/', 'group')(r, c as Context),
      body: JSON.stringify({ attributes: { n: ++unique } }),
    }),
  },
  {
    method: 'POST',
    path: '/api/v3/core/groups/',
    headers: json,
    setupRequest: (r) => ({ ...r, body: JSON.stringify({ name: `kept group ${++unique}` }) }),
  },
  { method: 'GET', path: '/api/v3/core/groups/?page_size=20&ordering=-name', headers: json },
  {
    method: 'POST',
    path: '/api/v3/core/tokens/',
    headers: json,
    setupRequest: (r) => ({ ...r, body: JSON.stringify({ identifier: `soak-token-${++unique}`, intent: 'api' }) }),
    onResponse: keep('token', 'identifier'),
  },
  {
    method: 'PATCH',
    headers: json,
    setupRequest: (r, c) => ({
      ...pathOf('/api/v3/core/tokens/', 'token')(r, c as Context),
      body: JSON.stringify({ description: `edit ${++unique}` }),
    }),
  },
  {
    method: 'POST',
    path: '/api/v3/core/tokens/',
    headers: json,
    setupRequest: (r) => ({ ...r, body: JSON.stringify({ identifier: `kept-token-${++unique}`, intent: 'api' }) }),
  },
  { method: 'GET', path: '/api/v3/core/tokens/?page_size=20', headers: json },
  { method: 'DELETE', headers: json, setupRequest: (r, c) => pathOf('/api/v3/core/tokens/', 'token')(r, c as Context) },
  { method: 'DELETE', headers: json, setupRequest: (r, c) => pathOf('/api/v3/core/groups/', 'group')(r, c as Context) },
];

const before = await summary();
const idleRss = rssMb();
const statuses = new Map<number, number>();
const perSecond: Array<{ requests: number; rss: number }> = [];
let completed = 0;
let lastCompleted = 0;
let errors = 0;

console.log(`soak: ${CONNECTIONS} connections of mixed writes for ${SECONDS} s against ${api} (pid ${pid}), window ${WINDOW} s`);
let finished!: () => void;
const done = new Promise<void>((resolve) => (finished = resolve));
const instance = autocannon({ url: origin, connections: CONNECTIONS, duration: SECONDS, requests }, () => finished());
instance.on('response', (_client: unknown, status: number) => {
  completed++;
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
});
instance.on('reqError', () => errors++);
const sampler = setInterval(() => {
  perSecond.push({ requests: completed - lastCompleted, rss: rssMb() });
  lastCompleted = completed;
  if (perSecond.length % 30 === 0) {
    const last = perSecond.at(-1)!;
    console.log(`  ${perSecond.length} s: ${last.requests} req/s, RSS ${last.rss.toFixed(0)} MB`);
  }
}, 1000);
await done;
clearInterval(sampler);

const after = await summary();
const total = (s: { records: Record<string, number> }) => Object.values(s.records).reduce((a, b) => a + b, 0);
// First window once the world has reached its budget (after the warm-up); last window is the end.
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
const first = perSecond.slice(WARMUP, WARMUP + WINDOW);
const last = perSecond.slice(-WINDOW);
const startRps = mean(first.map((s) => s.requests));
const endRps = mean(last.map((s) => s.requests));
const startRss = mean(first.map((s) => s.rss));
const endRss = mean(last.map((s) => s.rss));

child.kill('SIGTERM');
const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));

console.log(
  `statuses: ${[...statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(', ')}; ${errors} connection errors; ${completed} responses`,
);
// Tables are generated on first use: `before` counts only those the server had touched before the load.
console.log(
  `records: ${total(before)} → ${total(after)} in generated tables (groups ${after.records['Group'] ?? 0}, tokens ${after.records['Token'] ?? 0} at the end)`,
);
console.log(`request log: ${logLines()} lines read from stdout${args.includes('--quiet') ? ' (--quiet)' : ''}`);
if (args.includes('--data'))
  console.log(`data file: ${(statSync(dataFile).size / 1e6).toFixed(1)} MB after shutdown (exit code ${exitCode})`);
console.log(
  `RSS: idle ${idleRss.toFixed(0)} MB; first ${WINDOW} s ${startRss.toFixed(0)} MB, last ${WINDOW} s ${endRss.toFixed(0)} MB, ratio end/start ${(endRss / startRss).toFixed(2)}; peak ${Math.max(...perSecond.map((s) => s.rss)).toFixed(0)} MB`,
);
console.log(
  `throughput: first ${WINDOW} s ${startRps.toFixed(0)} req/s, last ${WINDOW} s ${endRps.toFixed(0)} req/s, ratio end/start ${(endRps / startRps).toFixed(2)} (target: both ratios within 20 % once the world reaches its budget)`,
);
rmSync(tmp, { recursive: true, force: true });
