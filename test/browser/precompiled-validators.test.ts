// `authentik-mock bundle --out file.js`: the contract with ajv standalone validators, as a page loads it. In Node,
// against the whole reference: the precompiled validators answer exactly what run-time compiled ones answer (ajv
// errors and DRF bodies alike), and the mock given them compiles nothing — what a strict CSP needs.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contract, type ContractInput } from '../../src/contract/contract.js';
import { contractModule } from '../../src/node/standalone-validators.js';
import type { ContractDocument, JsonSchema } from '../../src/contract/types.js';
import { MockServer } from '../../src/mock-server.js';
import { generate } from '../../src/fake/generate.js';
import { referenceDocument, ROOT } from '../support/contracts.js';

let dir: string;
let file: string;
let document: ContractDocument;
let loaded: { contract: ContractInput; validators: Record<string, unknown>; default: ContractInput };
let validatorCount = 0;

beforeAll(async () => {
  document = referenceDocument();
  const module = contractModule(document);
  validatorCount = module.validators;
  dir = mkdtempSync(join(tmpdir(), 'authentik-mock-module-'));
  file = join(dir, 'authentik-contract.js');
  writeFileSync(file, module.code);
  loaded = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as typeof loaded;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Bodies that exercise most keywords: nothing, wrong types everywhere, a generated valid one, not an object, `""`
 * everywhere (what authentik's admin UI sends for fields left empty) and text DRF's fields read (`"7"`, `"on"`).
 */
function sampleBodies(contract: Contract, schema: JsonSchema, seed: number): unknown[] {
  const fields = Object.keys(contract.writableFields(schema));
  const each = (values: unknown[]) => Object.fromEntries(fields.map((field, i) => [field, values[(i + seed) % values.length]]));
  const wrong = each([42, 'not valid', true, null, [1, 'x'], { a: 1 }]);
  const valid = generate(schema, { seed, components: contract.components, mode: 'request' });
  return [{}, wrong, valid, 'text', [valid], each(['']), each(['7', 'on', ' text ', '1.0', 'False'])];
}

describe('the ES module written by `bundle`', () => {
  it('exports the document, its validators and both together as the default', () => {
    expect(loaded.contract.operations).toHaveLength(document.operations.length);
    expect(Object.keys(loaded.contract.components)).toEqual(Object.keys(document.components));
    expect(Object.keys(loaded.validators)).toHaveLength(validatorCount);
    expect(loaded.contract.validators).toBe(loaded.validators);
    expect(loaded.default).toBe(loaded.contract);
    // Every request body of the API, and PATCH bodies also as partial updates.
    const bodies = document.operations.flatMap((o) =>
      Object.keys(o.requestBody?.content ?? {}).flatMap((type) =>
        o.method === 'PATCH' ? [`${type}:false`, `${type}:true`] : [`${type}:false`],
      ),
    );
    expect(Object.keys(loaded.validators).filter((k) => k.startsWith('req:'))).toHaveLength(bodies.length);
  });

  it('validates every request body as run-time compiled validators do: the same ajv errors and DRF bodies', () => {
    const precompiled = new Contract(loaded.contract);
    const compiling = new Contract(document);
    let compared = 0;
    for (const operation of precompiled.operations) {
      for (const [contentType, media] of Object.entries(operation.requestBody?.content ?? {})) {
        for (const partialUpdate of operation.method === 'PATCH' ? [false, true] : [false]) {
          for (const body of sampleBodies(precompiled, media.schema, compared)) {
            const given = precompiled.validateRequestBody(operation, contentType, structuredClone(body), partialUpdate);
            const compiled = compiling.validateRequestBody(
              compiling.operation(operation.operationId)!,
              contentType,
              structuredClone(body),
              partialUpdate,
            );
            expect(given, `${operation.operationId} ${contentType} partial=${partialUpdate}`).toEqual(compiled);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(precompiled.compiledAtRunTime).toBe(0);
    expect(compiling.compiledAtRunTime).toBeGreaterThan(400);
    // The raw ajv errors too (the harness and the matcher read them): same keyword, path, params and message.
    const schema = precompiled.operation('core_groups_create')!.requestBody!.content['application/json']!.schema;
    const body = { name: 5, users: ['x'], is_superuser: 'maybe', attributes: [] };
    expect(precompiled.check(schema, body, 'request')).toEqual(compiling.check(schema, body, 'request'));
  });

  it('a mock given them answers forced errors and the caller, and loads a saved world, as a compiling one does, compiling nothing', async () => {
    const adminToken = 'precompiled-admin';
    const given = new MockServer({ contract: loaded.contract, adminToken });
    const compiling = new MockServer({ contract: document, adminToken });
    const requests: Array<{ method: string; url: string; headers: Record<string, string> }> = [];
    for (const operation of given.contract.operations) {
      const path = `${operation.server.replace(/\/$/, '')}${operation.path.replace(/\{[^}]+\}/g, '1')}`;
      for (const status of Object.keys(operation.responses).filter((s) => Number(s) >= 400))
        requests.push({ method: operation.method, url: `http://mock.test${path}`, headers: { prefer: `code=${status}` } });
      if (operation.method === 'GET' && operation.path.endsWith('/me/'))
        requests.push({ method: 'GET', url: `http://mock.test${path}`, headers: { authorization: `Bearer ${adminToken}` } });
    }
    expect(requests.length).toBeGreaterThan(1000);
    const answer = async (mock: MockServer, { url, ...init }: (typeof requests)[number]) => {
      const response = await mock.fetch(url, init);
      return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
    };
    for (const request of requests) {
      const [a, b] = [await answer(given, request), await answer(compiling, request)];
      expect(a, `${request.method} ${request.url} ${JSON.stringify(request.headers)}`).toEqual(b);
    }
    // A saved world (`data`, or a page's persisted one) is checked field by field when loaded.
    given.world.load(compiling.world.dump());
    expect(given.world.dump()).toEqual(compiling.world.dump());
    expect(given.contract.compiledAtRunTime).toBe(0);
  });

  it('serves writes in a Node that forbids code from strings, as a strict CSP does (no Chromium needed)', async () => {
    const core = pathToFileURL(join(ROOT, 'dist', 'mock-server.js')).href;
    if (!existsSync(new URL(core))) throw new Error('dist/ is missing: run "npm run build" first');
    const script = `
      const { MockServer } = await import(${JSON.stringify(core)});
      const { contract } = await import(${JSON.stringify(pathToFileURL(file).href)});
      let evalBlocked = false;
      try { new Function('return 1'); } catch (error) { evalBlocked = error instanceof EvalError; }
      const mock = new MockServer({ contract, adminToken: 'k' });
      const post = (body) => mock.fetch('http://mock.test/api/v3/core/groups/', {
        method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const [created, invalid] = [await post({ name: 'No eval here' }), await post({ name: '', is_superuser: 'maybe' })];
      // The control: the same document without its validators has to compile one, which this Node forbids.
      const compiling = new MockServer({ contract: { ...contract, validators: undefined }, adminToken: 'k' });
      const unvalidated = await compiling.fetch('http://mock.test/api/v3/core/groups/', {
        method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: '{"name": "x"}' });
      console.log(JSON.stringify({ evalBlocked, created: created.status, invalid: [invalid.status, await invalid.json()], unvalidated: unvalidated.status }));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toEqual({
      evalBlocked: true,
      created: 201,
      invalid: [400, { name: ['This field may not be blank.'], is_superuser: ['Must be a valid boolean.'] }],
      unvalidated: 500,
    });
  });

  it('falls back to compiling a validator it was not given', () => {
    const contract = new Contract({ ...loaded.contract, validators: {} });
    expect(contract.check({ type: 'integer' }, 'x')).toHaveLength(1);
    expect(contract.compiledAtRunTime).toBe(1);
  });
});
