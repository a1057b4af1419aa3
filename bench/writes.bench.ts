/**
 * npm run bench:writes — creates, updates and deletes per second against the size of the table they write, in
 * process on the whole reference: core/groups (unique name+parent, many-to-many users, a self link) with 1,000 and
 * 50,000 groups, and core/users with 50,000 groups (the other side of their many-to-many). Target: the 50k rate
 * at least 0.8 of the 1k rate.
 */
import { createMock } from '../src/entries/node.js';
import type { MockServer } from '../src/mock-server.js';

const TOKEN = 'bench-writes';
const ROUND = Number(process.env['BENCH_WRITES'] ?? 2000);
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function send(mock: MockServer, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await mock.fetch(`/api/v3${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
}

/** Operations per second of `count` calls of `one(i)`. */
async function rate(count: number, one: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await one(i);
  return count / ((performance.now() - started) / 1000);
}

async function fill(mock: MockServer, groups: number): Promise<void> {
  const have = mock.world.table('Group').size;
  for (let i = have; i < groups; i++) await send(mock, 'POST', '/core/groups/', { name: `fill ${i}` });
}

async function measure(groups: number): Promise<Record<string, number>> {
  const mock = createMock({ seed: 1, adminToken: TOKEN, recordsPerEntity: 25, limits: { maxRecordsPerTable: 1_000_000 } });
  await fill(mock, groups);
  const users = (await send(mock, 'GET', '/core/users/?page_size=5')) as { results: Array<{ pk: number }> };
  const userPks = users.results.map((u) => u.pk);
  const created: string[] = [];
  const result: Record<string, number> = {};
  result['group create'] = await rate(ROUND, async (i) => {
    const group = await send(mock, 'POST', '/core/groups/', { name: `bench ${groups} ${i}`, users: userPks.slice(0, 2) });
    created.push(group['pk'] as string);
  });
  result['group patch'] = await rate(ROUND, (i) =>
    send(mock, 'PATCH', `/core/groups/${created[i]}/`, { name: `renamed ${i}`, users: userPks.slice(i % 3) }),
  );
  const groupPks = created.slice(0, 3);
  result['user create'] = await rate(ROUND, (i) =>
    send(mock, 'POST', '/core/users/', { username: `bench-${groups}-${i}`, name: 'n', groups: groupPks }),
  );
  result['group delete'] = await rate(ROUND, (i) => send(mock, 'DELETE', `/core/groups/${created[i]}/`));
  return result;
}

await measure(1_000); // warm-up: the JIT, not the table, must not decide the ratio
const small = await measure(1_000);
const large = await measure(50_000);
console.log(`writes in process, ${ROUND} of each, core/groups at 1,000 vs 50,000 groups (whole reference):`);
for (const [what, perSecond] of Object.entries(small)) {
  const ratio = large[what]! / perSecond;
  console.log(
    `  ${what.padEnd(13)} ${perSecond.toFixed(0).padStart(6)}/s at 1k, ${large[what]!.toFixed(0).padStart(6)}/s at 50k: ratio ${ratio.toFixed(2)} (target ≥ 0.8)`,
  );
}
