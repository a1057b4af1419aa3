/**
 * npm run bench:server — requests/s of the mock against a bare Express app answering the same bytes, on loopback and
 * bounded in time (3 alternating rounds of 4 s per server and way of asking, medians), on the whole reference, for
 * a group retrieve and the 20-item access-token list, each asked four ways (`LOADS` below): the same URL (the
 * answer cache serves it), the same URL with the cache off, each URL different, and with a write between reads;
 * with each server's CPU time per request beside (the load generator shares the machine: it can be what limits both).
 * Then time to first response, what `serve`'s request log costs, and RSS once every table is generated. Every server listens on a free port.
 *
 *   BENCH_SECONDS=4 (per round)   BENCH_ONLY=throughput|first-response|request-log|memory|large-world
 *   BENCH_CLI=/elsewhere/dist/cli/main.js (request-log: serve of another build, e.g. the code before a change)
 */
import { median } from './stats.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  measure,
  procMemoryMb,
  pickWriteTarget,
  ROUNDS,
  rps,
  spawnServe,
  startServer,
  TOKEN,
  type Load,
  type Measured,
  type ServeProcess,
} from './server-load.js';

const tmp = join(process.cwd(), '.bench-tmp', 'server');
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

const auth = { authorization: `Bearer ${TOKEN}` };

interface Way {
  label: string;
  /** The mock server that answers it: the default one, or the one with the answer cache off. */
  server: 'mock' | 'uncached';
  load: (path: string, write: { path: string }) => Load;
  target?: number;
}

/** How each path is asked: what the answer cache can and cannot serve. */
const WAYS = (targetUncached: number): Way[] => [
  { label: 'same URL, answer cache on (served from it)', server: 'mock', load: (path) => ({ path }), target: 0.8 },
  { label: 'same URL, answer cache off (`cacheResponses: false`)', server: 'uncached', load: (path) => ({ path }), target: targetUncached },
  {
    label: 'each URL different (`&v=N`, a new query string per request: no answer known before)',
    server: 'mock',
    load: (path) => ({ path, vary: true }),
    target: targetUncached,
  },
  {
    label: 'an editing session: each connection PATCHes another group, then reads 3 times (1 write in 4 requests)',
    server: 'mock',
    load: (path, write) => ({ path, writeEvery: 4, writePath: write.path }),
  },
];

async function throughput(): Promise<void> {
  const mock = await startServer(['mock', 'schemas']);
  const origin = `http://127.0.0.1:${mock.port}`;
  const resources = (await (await fetch(`${origin}/_mock/resources`, { headers: auth })).json()) as Array<{ path: string; keys: string[] }>;
  const groups = resources.find((r) => r.path === '/core/groups/')!.keys;
  const group = groups[0]!;
  const targets = [
    { path: `/api/v3/core/groups/${group}/`, label: 'GET /core/groups/{uuid}/', targetUncached: 0.8 },
    { path: '/api/v3/oauth2/access_tokens/?page_size=20', label: 'GET /oauth2/access_tokens/?page_size=20', targetUncached: 0.6 },
  ];
  // A group none of the measured answers shows: writing it changes the world (every cached answer is stale) and
  // not the bytes of the answers measured, so bare Express can still send the same bytes.
  const write = await pickWriteTarget(
    origin,
    groups.filter((g) => g !== group),
    targets.map((t) => t.path),
  );
  const replies: Record<string, unknown> = { [`PATCH ${write.path}`]: write.reply };
  for (const { path } of targets) {
    const response = await fetch(`${origin}${path}`, { headers: auth });
    const reply = {
      status: response.status,
      headers: { 'content-type': response.headers.get('content-type')! },
      body: await response.text(),
    };
    replies[`GET ${path}`] = reply;
    const varied = await (await fetch(`${origin}${path}${path.includes('?') ? '&' : '?'}v=1`, { headers: auth })).text();
    if (varied !== reply.body) throw new Error(`${path}: the answer changes with an unknown query parameter`);
  }
  writeFileSync(join(tmp, 'replies.json'), JSON.stringify(replies));
  const bare = await startServer(['bare', join(tmp, 'replies.json')]);
  // The cache-off server loads the other's world (a dump): secrets are random per process, and it must answer the
  // same bytes.
  writeFileSync(join(tmp, 'world.json'), await (await fetch(`${origin}/_mock/dump`, { headers: auth })).text());
  const uncached = await startServer(['mock-uncached', 'schemas', '25', join(tmp, 'world.json')]);
  for (const { path } of targets) {
    const text = await (await fetch(`http://127.0.0.1:${uncached.port}${path}`, { headers: auth })).text();
    if (text !== (replies[`GET ${path}`] as { body: string }).body) throw new Error(`${path}: the cache-off server answers other bytes`);
  }
  const servers = { mock, uncached, bare };
  for (const { path, label, targetUncached } of targets) {
    const ways = WAYS(targetUncached);
    const rounds = ways.map(() => ({ mock: [] as Measured[], bare: [] as Measured[] }));
    // The machine is shared with the load generator and noisy: servers take turns, and each gets the median of its rounds.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, way] of ways.entries()) {
        const load = way.load(path, write);
        rounds[i]!.mock.push(await measure(servers[way.server], load));
        rounds[i]!.bare.push(await measure(servers.bare, load));
      }
    }
    console.log(`${label} (req/s, mock vs bare Express sending the same bytes for the same requests; then CPU µs per request):`);
    for (const [i, way] of ways.entries()) {
      const [mockRps, bareRps] = [median(rounds[i]!.mock.map((m) => m.rps)), median(rounds[i]!.bare.map((m) => m.rps))];
      const [mockCpu, bareCpu] = [median(rounds[i]!.mock.map((m) => m.cpuUs)), median(rounds[i]!.bare.map((m) => m.cpuUs))];
      const target = way.target === undefined ? '' : ` (target ≥ ${way.target})`;
      console.log(
        `  ${way.label}: ${mockRps.toFixed(0)} vs ${bareRps.toFixed(0)}, ratio ${(mockRps / bareRps).toFixed(2)}${target}; ` +
          `CPU ${mockCpu.toFixed(0)} vs ${bareCpu.toFixed(0)} µs, ratio ${(bareCpu / mockCpu).toFixed(2)}`,
      );
    }
  }
  for (const server of [mock, bare, uncached]) server.child.kill();
}

/** From spawning `authentik-mock serve` (the whole reference, its default) to its first answered request. */
async function timeToFirstResponse(): Promise<void> {
  const started = performance.now();
  const { child, origin } = await spawnServe(['--token', TOKEN]);
  const url = `${origin}/api/v3/core/users/?page_size=5`;
  for (let attempt = 0; attempt < 2000; attempt++) {
    const response = await fetch(url, { headers: auth }).catch(() => undefined);
    if (response?.status === 200) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const elapsed = performance.now() - started;
  const operations = ((await (await fetch(`${origin}/_mock/`, { headers: auth })).json()) as { operations: number }).operations;
  console.log(
    `time to first response, whole reference (${operations} operations): ${elapsed.toFixed(0)} ms from process spawn (target ≤ 1000 ms)`,
  );
  child.kill();
}

/**
 * What `serve`'s request log costs: the group retrieve (the same URL, and each URL different) against `serve` as it
 * starts (a line per request on stdout, read here as a pipe) and `serve --quiet`, taking turns.
 */
async function requestLog(): Promise<void> {
  const cli = { cli: process.env['BENCH_CLI'] ?? 'dist/cli/main.js' };
  const servers = { logging: await spawnServe(['--token', TOKEN], cli), quiet: await spawnServe(['--token', TOKEN, '--quiet'], cli) };
  const port = (server: ServeProcess) => Number(new URL(server.origin).port);
  const groups = (await (await fetch(`${servers.quiet.origin}/api/v3/core/groups/?page_size=1`, { headers: auth })).json()) as {
    results: Array<{ pk: string }>;
  };
  const path = `/api/v3/core/groups/${groups.results[0]!.pk}/`;
  console.log(`serve's request log (req/s, GET /core/groups/{uuid}/; serve as it starts vs serve --quiet):`);
  for (const [label, load] of [
    ['same URL (the answer cache)', { path }],
    ['each URL different', { path, vary: true }],
  ] as Array<[string, Load]>) {
    const rounds = { logging: [] as number[], quiet: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      rounds.logging.push(await rps(port(servers.logging), load));
      rounds.quiet.push(await rps(port(servers.quiet), load));
    }
    const [logging, quiet] = [median(rounds.logging), median(rounds.quiet)];
    console.log(`  ${label}: ${logging.toFixed(0)} vs ${quiet.toFixed(0)}, ratio ${(logging / quiet).toFixed(2)}`);
  }
  if (servers.logging.logLines() === 0) throw new Error('serve logged no request');
  for (const server of Object.values(servers)) server.child.kill();
}

/** A large world: --records 5000 on the whole reference, every table generated by a dump streamed to the client. */
async function largeWorld(): Promise<void> {
  const mock = await startServer(['mock', 'schemas', '5000']);
  const origin = `http://127.0.0.1:${mock.port}`;
  const started = performance.now();
  const response = await fetch(`${origin}/_mock/dump`, { headers: auth });
  let bytes = 0;
  const reader = response.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
  const seconds = (performance.now() - started) / 1000;
  const summary = (await (await fetch(`${origin}/_mock/`, { headers: auth })).json()) as { usage: { records: number } };
  console.log(
    `large world (--records 5000): ${summary.usage.records} records generated and dumped (${(bytes / 1e6).toFixed(0)} MB streamed) in ${seconds.toFixed(1)} s; peak RSS ${procMemoryMb(mock.child.pid, 'VmHWM').toFixed(0)} MB (budget ≤ 1024 MB)`,
  );
  mock.child.kill();
}

/** RSS of the default server once every table of the whole reference is generated (a dump touches them all). */
async function memory(): Promise<void> {
  const mock = await startServer(['mock', 'schemas']);
  const origin = `http://127.0.0.1:${mock.port}`;
  await (await fetch(`${origin}/_mock/dump`, { headers: auth })).arrayBuffer();
  const rss = await new Promise<number>((resolve) => {
    mock.child.once('message', (m: { rss: number }) => resolve(m.rss));
    mock.child.send('rss');
  });
  const summary = (await (await fetch(`${origin}/_mock/`, { headers: auth })).json()) as {
    records: Record<string, number>;
    operations: number;
  };
  const total = Object.values(summary.records).reduce((n, count) => n + count, 0);
  console.log(
    `RSS with every table generated: ${total} records in ${Object.keys(summary.records).length} tables, ${summary.operations} operations: ${(rss / 1024 / 1024).toFixed(0)} MB (target ≤ 150 MB)`,
  );
  mock.child.kill();
}

// BENCH_ONLY=throughput (or memory, …) runs one part.
const only = process.env['BENCH_ONLY'];
if (!only || only === 'throughput') await throughput();
if (!only || only === 'first-response') await timeToFirstResponse();
if (!only || only === 'request-log') await requestLog();
if (!only || only === 'memory') await memory();
if (!only || only === 'large-world') await largeWorld();
rmSync(tmp, { recursive: true, force: true });
