/** npm run bench:fixtures — fixture generation and response validation speed on the committed schemas/. */
import { Contract } from '../src/contract/contract.js';
import { FixtureGenerator, createFaker } from '../src/fake/generate.js';
import { readSchemasDir } from '../src/node/schemas-dir.js';
import { MockServer } from '../src/mock-server.js';
import { importPages } from '../src/importer/import-pages.js';
import { rawPage } from '../test/support/pages.js';
import { interlinkedOpenApiDocument, syntheticOperations } from '../test/support/synthetic-corpus.js';

const contract = new Contract(readSchemasDir('schemas'));
const user = { $ref: '#/components/schemas/User' };

function best(runs: number, work: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    min = Math.min(min, performance.now() - started);
  }
  return min;
}

const generator = new FixtureGenerator(createFaker(1), contract.components);
const users = best(3, () => {
  for (let i = 0; i < 10_000; i++) generator.value(user);
});
console.log(`10,000 User objects: ${users.toFixed(0)} ms (target < 1000 ms)`);

const tokens = Array.from({ length: 100 }, () => generator.value({ $ref: '#/components/schemas/TokenModel' }));
const page = {
  pagination: { next: 2, previous: 0, count: 250, current: 1, total_pages: 3, start_index: 1, end_index: 100 },
  results: tokens,
};
if (contract.validateResponse('oauth2_access_tokens_list', 200, page).length > 0) throw new Error('generated page does not validate');
const rounds = 1000;
const validation = best(3, () => {
  for (let i = 0; i < rounds; i++) contract.validateResponse('oauth2_access_tokens_list', 200, page);
});
console.log(
  `validate a 100-item paginated list (oauth2_access_tokens_list 200): ${((validation / rounds) * 1000).toFixed(0)} µs per body (target < 1000 µs)`,
);

// Issue: ~900 operations must be ready to serve well under a second: contract + world built, first request answered.
const pages = importPages(syntheticOperations(900).map((o) => ({ file: `${o.operationId}.mdx`, text: rawPage(o) }))).contract;
let ready = Infinity;
for (let run = 0; run < 3; run++) {
  const document = structuredClone(pages);
  const started = performance.now();
  const mock = new MockServer({ contract: document, adminToken: 'bench' });
  const answer = await mock.fetch('/api/v3/area0/res0/?page_size=5', { headers: { authorization: 'Bearer bench' } });
  if (answer.status !== 200) throw new Error(`first request answered ${answer.status}`);
  ready = Math.min(ready, performance.now() - started);
}
console.log(
  `900-operation contract loaded, world built and first list answered, in process: ${ready.toFixed(0)} ms (target well under 1000 ms)`,
);

// Records that embed records that embed records…: the world links them instead of generating copies.
const interlinked = importPages([{ file: 'schema.json', text: interlinkedOpenApiDocument(400, 875) }]).contract;
const deepMock = new MockServer({ contract: interlinked, adminToken: 'bench' });
const deepStarted = performance.now();
const deep = await deepMock.fetch('/api/v3/r0/1/', { headers: { authorization: 'Bearer bench' } });
if (deep.status !== 200) throw new Error(`deep record answered ${deep.status}`);
console.log(`first answer reaching 400 interlinked entities (OpenAPI, 875 operations): ${(performance.now() - deepStarted).toFixed(0)} ms`);
