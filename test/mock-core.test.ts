import { describe, expect, it } from 'vitest';
import { MockServer } from '../src/mock-server.js';
import { bodyFromRecord } from '../src/harness/request-builder.js';
import { importPages } from '../src/importer/import-pages.js';
import { rawPage } from './support/pages.js';
import { interlinkedOpenApiDocument, syntheticOperations } from './support/synthetic-corpus.js';
import { behaviourSuite } from './behaviour/suite.js';
import { mixedDocument } from './support/contracts.js';
import { coreRequester } from './support/requester.js';

behaviourSuite(async () => {
  const mock = new MockServer({ contract: mixedDocument(), seed: 1 });
  return { name: 'core', mock, request: coreRequester(mock), close: async () => {} };
});

describe('a synthesised 96-operation contract works with no new code', () => {
  const document = importPages(syntheticOperations(96).map((o) => ({ file: `${o.operationId}.mdx`, text: rawPage(o) }))).contract;
  const mock = new MockServer({ contract: document, seed: 5 });
  const request = coreRequester(mock);
  const keys = new Map<string, unknown[]>();

  it('gives every operation authentik auth and a documented, schema-valid success', async () => {
    const problems: string[] = [];
    for (const [index, operation] of document.operations.entries()) {
      // Writes change keys (a PATCH may rename a slug): read them afresh for each operation.
      for (const resource of (await request('GET', '/_mock/resources', { token: mock.world.adminToken })).body as Array<{
        path: string;
        keys: unknown[];
      }>)
        keys.set(resource.path, resource.keys);
      // DELETE takes the second record, so the operations after it still find the first.
      const key = keys.get(operation.path.replace(/\{[^}]+\}.*$/, ''))?.[operation.method === 'DELETE' ? 1 : 0];
      const url = `/api/v3${operation.path.replace(/\{[^}]+\}/, () => String(key))}`;
      const anonymous = await request(operation.method, url, { token: null });
      if (anonymous.status !== 403) problems.push(`${operation.operationId}: ${anonymous.status} without a token`);
      const options = operation.requestBody?.content['application/json']
        ? { json: bodyFromRecord(mock.contract, operation, undefined, index + 1) }
        : {};
      const reply = await request(operation.method, url, { token: mock.world.adminToken, ...options });
      const violations = mock.contract.validateResponse(operation.operationId, reply.status, reply.body);
      if (!String(reply.status).startsWith('2') || violations.length > 0)
        problems.push(`${operation.operationId}: ${reply.status} ${JSON.stringify(violations.slice(0, 2))} ${reply.text.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('an OpenAPI document whose components embed each other', () => {
  const document = importPages([{ file: 'schema.json', text: interlinkedOpenApiDocument(30, 30) }]).contract;
  const mock = new MockServer({ contract: document, seed: 9 });
  const request = coreRequester(mock);

  it('answers every operation with a valid body whose embedded records are the records themselves', async () => {
    for (const operation of document.operations) {
      const reply = await request('GET', `/api/v3${operation.path.replace('{id}', '1')}`, { token: mock.world.adminToken });
      expect(reply.status, operation.operationId).toBe(200);
      expect(mock.contract.validateResponse(operation.operationId, 200, reply.body)).toEqual([]);
    }
    const first = (await request('GET', '/api/v3/r0/1/', { token: mock.world.adminToken })).body as Record<
      string,
      { pk: number; name: string } | null
    >;
    const embedded = first['c1']!;
    const own = (await request('GET', `/api/v3/r1/${embedded.pk}/`, { token: mock.world.adminToken })).body as { name: string };
    expect(own.name).toBe(embedded.name);
  });
});
