import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import type { JsonSchema, OperationSpec, ParameterSpec } from '../src/contract/types.js';
import type { FetchLike } from '../src/harness/http-client.js';
import { runContract } from '../src/harness/run-contract.js';
import { exclusivePool, type Footprint } from '../src/harness/schedule.js';
import { COMMON_COMPONENTS } from './support/common-components.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('writes side by side', () => {
  it('never run two whose footprints meet, nor anything beside one that touches everything, nor more than the limit', async () => {
    const footprints: Record<string, Footprint> = {
      a: new Set(['Tag', 'Color']),
      b: new Set(['Tag']),
      c: new Set(['Shape']),
      d: 'everything',
      e: new Set(['Size']),
      f: new Set(['Color', 'Size']),
      g: new Set(['Weight']),
      h: new Set(['Height']),
    };
    const spans: Array<{ item: string; start: number; end: number; company: boolean }> = [];
    let clock = 0;
    await exclusivePool(
      Object.keys(footprints),
      3,
      (item) => footprints[item]!,
      async (item, company) => {
        const span = { item, start: clock++, end: Infinity, company: false };
        spans.push(span);
        await pause(5 + (item.charCodeAt(0) % 3) * 5);
        span.end = clock++;
        span.company = company();
      },
    );
    const meet = (x: string, y: string) => {
      const [p, q] = [footprints[x]!, footprints[y]!];
      return p === 'everything' || q === 'everything' || [...p].some((entity) => q.has(entity));
    };
    expect(spans.map((s) => s.item).sort()).toEqual(Object.keys(footprints));
    const most = Math.max(...spans.map((s) => spans.filter((o) => o.start <= s.start && s.start < o.end).length));
    for (const span of spans) {
      const beside = spans.filter((o) => o !== span && o.start < span.end && span.start < o.end);
      for (const other of beside) expect(meet(span.item, other.item), `${span.item} beside ${other.item}`).toBe(false);
      expect(span.company).toBe(beside.length > 0);
    }
    expect(most).toBe(3);
    // The first waiting item that fits starts: c and e pass b (which waits for a), d waits for everything.
    expect(spans.slice(0, 3).map((s) => s.item)).toEqual(['a', 'c', 'e']);
  });
});

const TOKEN = 'schedule-token';
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const errors = {
  '400': { description: '', content: json(ref('ValidationError')) },
  '403': { description: '', content: json(ref('GenericError')) },
};
const slugParam: ParameterSpec = { name: 'slug', in: 'path', required: true, schema: { type: 'string' } };

/** Two unrelated resources, each listed (a plain array), read and updated: their writes may be checked side by side. */
function twoResources(): Contract {
  const operations: OperationSpec[] = [];
  const components: Record<string, JsonSchema> = { ...COMMON_COMPONENTS };
  for (const [name, path] of [
    ['Tag', '/tags/'],
    ['Color', '/colors/'],
  ] as const) {
    const base = { server: '/api/v3/', tags: ['test'], security: [{ authentik: [] }], origin: 'openapi' as const, source: 'test' };
    const id = name.toLowerCase() + 's';
    components[name] = {
      type: 'object',
      properties: { pk: { type: 'integer', readOnly: true }, slug: { type: 'string' }, name: { type: 'string' } },
      required: ['pk', 'slug', 'name'],
    };
    components[`${name}Request`] = {
      type: 'object',
      properties: { slug: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
      required: ['slug', 'name'],
    };
    const list = { type: 'array', items: ref(name) };
    const ok = (schema: JsonSchema) => ({ '200': { description: '', content: json(schema) }, ...errors });
    operations.push(
      { ...base, operationId: `${id}_list`, method: 'GET', path, parameters: [], responses: ok(list) },
      { ...base, operationId: `${id}_retrieve`, method: 'GET', path: `${path}{slug}/`, parameters: [slugParam], responses: ok(ref(name)) },
      {
        ...base,
        operationId: `${id}_update`,
        method: 'PUT',
        path: `${path}{slug}/`,
        parameters: [slugParam],
        requestBody: { required: true, content: json(ref(`${name}Request`)) },
        responses: ok(ref(name)),
      },
    );
  }
  return new Contract({ operations, components });
}

/**
 * A server of both, each answer a little late; `leak(inFlight)` says whether a refused tag update changes the tag
 * anyway, given how many other requests are in flight at that moment.
 */
function server(leak: (othersInFlight: number) => boolean): { fetch: FetchLike; tagUpdates: () => number } {
  const records: Record<string, Map<string, Record<string, unknown>>> = {
    tags: new Map(['a', 'b'].map((s, i) => [s, { pk: i + 1, slug: s, name: `tag ${s}` }])),
    colors: new Map(['red', 'blue'].map((s, i) => [s, { pk: i + 1, slug: s, name: s }])),
  };
  let inFlight = 0;
  let tagUpdates = 0;
  const answer = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch: FetchLike = async (url, init) => {
    inFlight++;
    try {
      await pause(2);
      if (new Headers(init.headers).get('authorization') !== `Bearer ${TOKEN}`) return answer(403, { detail: 'Token invalid/expired' });
      const [, kind, slug] = /^\/api\/v3\/(tags|colors)\/(?:([^/]+)\/)?$/.exec(new URL(url).pathname) ?? [];
      const table = records[kind!]!;
      if (!slug) return answer(200, [...table.values()]);
      const record = table.get(slug);
      if (!record) return answer(404, { detail: 'Not found.' });
      if (init.method === 'GET') return answer(200, record);
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      if (kind === 'tags') tagUpdates++;
      const problems = Object.fromEntries(
        ['slug', 'name'].filter((f) => typeof body[f] !== 'string' || body[f] === '').map((f) => [f, ['This field is required.']]),
      );
      if (Object.keys(problems).length === 0) return answer(200, Object.assign(record, { name: body['name'] }));
      if (kind === 'tags' && leak(inFlight - 1)) record['name'] = `changed ${tagUpdates}`;
      return answer(400, problems);
    } finally {
      inFlight--;
    }
  };
  return { fetch, tagUpdates: () => tagUpdates };
}

describe('a write that fails beside another', () => {
  const contract = twoResources();
  const run = (fetch: FetchLike) =>
    runContract({ contract, baseUrl: 'http://authentik.test', token: TOKEN, allowWrites: true, fetch, concurrency: 4 });

  it('is checked again alone, and the verdict alone is the one reported', async () => {
    // A change that only happens while another check's request is in flight: not this operation's doing.
    const crowded = server((others) => others > 0);
    const report = await run(crowded.fetch);
    expect(report.results.map((r) => [r.operationId, r.verdict])).toEqual([
      ['colors_list', 'pass'],
      ['colors_retrieve', 'pass'],
      ['tags_list', 'pass'],
      ['tags_retrieve', 'pass'],
      ['colors_update', 'pass'],
      ['tags_update', 'pass'],
    ]);
    const alone = server(() => false);
    await run(alone.fetch);
    expect(crowded.tagUpdates()).toBe(2 * alone.tagUpdates()); // checked twice: beside colors_update, then alone
  });

  it('still fails when it fails alone, once, with its findings', async () => {
    const report = await run(server(() => true).fetch);
    const tags = report.results.find((r) => r.operationId === 'tags_update')!;
    expect(tags.verdict).toBe('fail');
    expect(tags.findings.filter((f) => f.kind === 'state-changed').length).toBeGreaterThan(0);
    expect(report.results.filter((r) => r.operationId === 'tags_update')).toHaveLength(1);
    expect(report.failed).toBe(1);
  });
});
