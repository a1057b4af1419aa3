// Issue 17 item 6, "any version": the newest official client's own document, imported as a user would import it,
// served by the mock and checked by the harness with writes: no failure, with no code written for that version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { importPages } from '../src/importer/import-pages.js';
import { runContract } from '../src/harness/run-contract.js';
import { resultLine } from '../src/harness/report.js';
import { ROOT } from './support/contracts.js';
import { fetchOf } from './support/requester.js';

/** `schema.yml` of @goauthentik/api 2026.8.3, as the package ships it (fixtures/documents/LICENSE says where from). */
const DOCUMENT = join(ROOT, 'fixtures', 'documents', 'goauthentik-api-2026.8.3-schema.yml.gz');
const TOKEN = 'newest-client-token';

describe('@goauthentik/api 2026.8.3 (schema.yml: 1,193 operations)', () => {
  it('imports cleanly, and the mock on it passes the whole harness, writes included', async () => {
    const text = gunzipSync(readFileSync(DOCUMENT)).toString('utf8');
    const imported = importPages([{ file: 'schema.yml', text }]);
    expect(imported.errors).toEqual([]);
    expect(imported.contract.operations).toHaveLength(1193);

    const contract = new Contract(imported.contract);
    const mock = new MockServer({ contract, seed: 1, adminToken: TOKEN });
    const report = await runContract({
      contract,
      baseUrl: 'http://mock.test/api/v3/',
      token: TOKEN,
      allowWrites: true,
      fetch: fetchOf(mock),
    });
    expect(report.results.filter((r) => r.verdict === 'fail').map((r) => resultLine(r))).toEqual([]);
    expect(report.passed).toBeGreaterThan(1150);
    // The creates that answer another component than their record are checked through to their deletes.
    const verdicts = Object.fromEntries(report.results.map((r) => [r.operationId, r.verdict]));
    for (const id of ['agents_agents_create', 'agents_agents_destroy', 'requests_grant_requests_create', 'requests_grant_requests_destroy'])
      expect(verdicts[id], id).toBe('pass');
  }, 120_000);
});
