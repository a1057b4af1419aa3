/**
 * npm run bench:validation — what request validation and `contract.check()` cost per call on the whole reference
 * (in process): a field checked against its schema (the calls `/me/`, a loaded world and the harness make), a valid
 * and an invalid group create body, and compiling every request validator (strict ajv) once.
 */
import { Contract } from '../src/contract/contract.js';
import { propertiesOf } from '../src/contract/types.js';
import { readSchemasDir } from '../src/node/schemas-dir.js';

const document = readSchemasDir('schemas');

function perCall(label: string, rounds: number, run: () => void): void {
  for (let i = 0; i < Math.min(rounds, 1000); i++) run(); // warm-up: compile, JIT
  const started = performance.now();
  for (let i = 0; i < rounds; i++) run();
  const micros = ((performance.now() - started) * 1000) / rounds;
  console.log(`${label}: ${micros.toFixed(2)} µs per call`);
}

const contract = new Contract(document);
const user = contract.resolve({ $ref: '#/components/schemas/User' });
const fields = Object.entries(propertiesOf(user));
const sample: Record<string, unknown> = { pk: 1, username: 'akadmin', name: 'authentik Default Admin', is_active: true, groups: [] };
let n = 0;
perCall(`contract.check() of a User field (${fields.length} fields in turn)`, 200_000, () => {
  const [field, schema] = fields[n++ % fields.length]!;
  contract.check(schema, sample[field] ?? null);
});

const create = contract.operation('core_groups_create')!;
const valid = { name: 'Bench group', is_superuser: false, attributes: {}, users: [] };
const invalid = { name: '', is_superuser: 'maybe', users: ['x'], parent: 'not-a-uuid' };
perCall('validateRequestBody, a valid group create', 200_000, () => contract.validateRequestBody(create, 'application/json', { ...valid }));
perCall('validateRequestBody, an invalid group create (DRF 400 body)', 100_000, () =>
  contract.validateRequestBody(create, 'application/json', { ...invalid }),
);

const started = performance.now();
const fresh = new Contract(document);
for (const operation of fresh.operations)
  for (const contentType of Object.keys(operation.requestBody?.content ?? {}))
    fresh.validateRequestBody(operation, contentType, {}, operation.method === 'PATCH');
console.log(`compiling every request validator (${fresh.compiledAtRunTime}, strict ajv): ${(performance.now() - started).toFixed(0)} ms`);
