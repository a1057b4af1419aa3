/**
 * npm run bench:server — requests/s of the mock against a bare Express app answering the same bytes, on loopback and
 * bounded in time (3 alternating rounds of 4 s per server, medians), on the whole reference; time to first response;
 * RSS once every table is generated.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

const TOKEN = 'bench-token';
const DURATION_S = Number(process.env['BENCH_SECONDS'] ?? 4);
const ROUNDS = 3;
const tmp = join(process.cwd(), '.bench-tmp', 'server');
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

function start(args: string[]): Promise<{ child: ChildProcess; rss: number }> {
  const child = fork(join(import.meta.dirname, 'server-child.mjs'), args, {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { rss: number }) => resolve({ child, rss: m.rss }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function load(url: string): Promise<number> {
  const result = await autocannon({ url, connections: 10, duration: DURATION_S, headers: { authorization: `Bearer ${TOKEN}` } });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function throughput(): Promise<void> {
  const mock = await start(['mock', 'schemas', '9301']);
  const resources = (await (
    await fetch('http://127.0.0.1:9301/_mock/resources', { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as Array<{ path: string; keys: string[] }>;
  const group = resources.find((r) => r.path === '/core/groups/')!.keys[0]!;
  const paths = [`/api/v3/core/groups/${group}/`, '/api/v3/oauth2/access_tokens/?page_size=20'];
  const replies: Record<string, unknown> = {};
  for (const path of paths) {
    const response = await fetch(`http://127.0.0.1:9301${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    replies[path] = {
      status: response.status,
      headers: { 'content-type': response.headers.get('content-type')! },
      body: await response.text(),
    };
  }
  writeFileSync(join(tmp, 'replies.json'), JSON.stringify(replies));
  const bare = await start(['bare', '9302', join(tmp, 'replies.json')]);
  const uncached = await start(['mock-uncached', 'schemas', '9305']);
  // The machine is shared with the load generator and noisy: servers take turns, and each gets the median of its rounds.
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const path of paths) {
    const rounds: Record<'mock' | 'bare' | 'uncached', number[]> = { mock: [], bare: [], uncached: [] };
    for (let round = 0; round < ROUNDS; round++) {
      rounds.mock.push(await load(`http://127.0.0.1:9301${path}`));
      rounds.bare.push(await load(`http://127.0.0.1:9302${path}`));
      rounds.uncached.push(await load(`http://127.0.0.1:9305${path}`));
    }
    const [mockRps, bareRps, renderedRps] = [median(rounds.mock), median(rounds.bare), median(rounds.uncached)];
    const label = path.replace(group, '{uuid}');
    console.log(
      `GET ${label}: mock ${mockRps.toFixed(0)} req/s, bare Express ${bareRps.toFixed(0)} req/s, ratio ${(mockRps / bareRps).toFixed(2)} (target ≥ 0.8); with the answer cache off ${renderedRps.toFixed(0)} req/s, ratio ${(renderedRps / bareRps).toFixed(2)}`,
    );
  }
  for (const server of [mock, bare, uncached]) server.child.kill();
}

/** From spawning `authentik-mock serve` (the whole reference, its default) to its first answered request. */
async function timeToFirstResponse(): Promise<void> {
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--port', '9303', '--token', TOKEN], { stdio: 'ignore' });
  const url = 'http://127.0.0.1:9303/api/v3/core/users/?page_size=5';
  for (let attempt = 0; attempt < 2000; attempt++) {
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (response.status === 200) break;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const operations = (
    (await (await fetch('http://127.0.0.1:9303/_mock/', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      operations: number;
    }
  ).operations;
  console.log(
    `time to first response, whole reference (${operations} operations): ${(performance.now() - started).toFixed(0)} ms from process spawn (target ≤ 1000 ms)`,
  );
  child.kill();
}

/** Peak RSS of a process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** A large world: --records 5000 on the whole reference, every table generated by a dump streamed to the client. */
async function largeWorld(): Promise<void> {
  const mock = await start(['mock', 'schemas', '9306', '5000']);
  const started = performance.now();
  const response = await fetch('http://127.0.0.1:9306/_mock/dump', { headers: { authorization: `Bearer ${TOKEN}` } });
  let bytes = 0;
  const reader = response.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
  const seconds = (performance.now() - started) / 1000;
  const summary = (await (await fetch('http://127.0.0.1:9306/_mock/', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
    usage: { records: number };
  };
  console.log(
    `large world (--records 5000): ${summary.usage.records} records generated and dumped (${(bytes / 1e6).toFixed(0)} MB streamed) in ${seconds.toFixed(1)} s; peak RSS ${peakRssMb(mock.child.pid!).toFixed(0)} MB (budget ≤ 1024 MB)`,
  );
  mock.child.kill();
}

/** RSS of the default server once every table of the whole reference is generated (a dump touches them all). */
async function memory(): Promise<void> {
  const mock = await start(['mock', 'schemas', '9304']);
  await (await fetch('http://127.0.0.1:9304/_mock/dump', { headers: { authorization: `Bearer ${TOKEN}` } })).arrayBuffer();
  const rss = await new Promise<number>((resolve) => {
    mock.child.once('message', (m: { rss: number }) => resolve(m.rss));
    mock.child.send('rss');
  });
  const summary = (await (await fetch('http://127.0.0.1:9304/_mock/', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
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
if (!only || only === 'memory') await memory();
if (!only || only === 'large-world') await largeWorld();
rmSync(tmp, { recursive: true, force: true });
