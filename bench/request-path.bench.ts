/**
 * npm run bench:request-path — microseconds per request of the core in process (no HTTP), on the whole reference:
 * the group retrieve and the 20-item token list of bench:server, each URL different (`&v=N`: no cached answer) and
 * the same URL (the answer cache), through `mock.reply` (the reply as data, as the Express adapter writes it) and
 * `mock.fetch` (a web `Response`, as MSW gets it). What a request costs before Node or Express touch it;
 * bench:server measures the whole path.
 *
 *   BENCH_REQUESTS=20000 (per measurement)
 */
import { median } from './stats.js';
import { createMock } from '../src/entries/node.js';
import type { IncomingRequest } from '../src/core/http.js';

const TOKEN = 'bench-token';
const COUNT = Number(process.env['BENCH_REQUESTS'] ?? 20_000);
const ROUNDS = 3;

const newMock = () => createMock({ seed: 1, adminToken: TOKEN, recordsPerEntity: 25 });
let mock = newMock();
const headers = new Headers({ authorization: `Bearer ${TOKEN}` });
const signal = new AbortController().signal;
const request = (url: string): IncomingRequest => ({ method: 'GET', url, headers, signal, body: null });

const group = (mock.world.table('Group').all()[0] as Record<string, unknown>)['pk'] as string;
const paths = {
  'group retrieve': `/api/v3/core/groups/${group}/`,
  '20-item token list': '/api/v3/oauth2/access_tokens/?page_size=20',
};

let sequence = 0;
const vary = (path: string) => `http://localhost${path}${path.includes('?') ? '&' : '?'}v=${++sequence}`;

async function perRequestUs(url: () => string, read: (response: Response) => unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const response = await mock.fetch(request(url()));
    if (response.status !== 200) throw new Error(`${url()}: ${response.status}`);
    await read(response);
  }
  return ((performance.now() - started) * 1000) / COUNT;
}

async function replyUs(url: () => string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const reply = await mock.reply(request(url()));
    if (reply.status !== 200) throw new Error(`${url()}: ${reply.status}`);
  }
  return ((performance.now() - started) * 1000) / COUNT;
}

for (const [label, path] of Object.entries(paths)) {
  const nothing = () => undefined;
  const ways = {
    'each URL different, reply (the Node path)': () => replyUs(() => vary(path)),
    'same URL, reply (the answer cache)': () => replyUs(() => `http://localhost${path}`),
    'each URL different, Response made': () => perRequestUs(() => vary(path), nothing),
    'each URL different, body read (as MSW does)': () =>
      perRequestUs(
        () => vary(path),
        (r) => r.text(),
      ),
    'same URL, Response made (the answer cache)': () => perRequestUs(() => `http://localhost${path}`, nothing),
  };
  for (const [way, run] of Object.entries(ways)) {
    // Each way on a new mock: answers another way left in the cache must not weigh on this one.
    mock = newMock();
    await run(); // warm-up
    const samples: number[] = [];
    for (let round = 0; round < ROUNDS; round++) samples.push(await run());
    console.log(`${label}, ${way}: ${median(samples).toFixed(1)} µs per request`);
  }
}
