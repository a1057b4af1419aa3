import { join } from 'node:path';
import type { Command } from 'commander';
import { Contract, jsonMedia } from '../contract/contract.js';
import { FixtureGenerator, createFaker } from '../fake/generate.js';
import { MockServer } from '../mock-server.js';
import { nearestName } from '../harness/nearest-name.js';
import { worldFixtures } from '../core/world-fixtures.js';
import { DEFAULT_SCHEMAS_HELP, INDEX_FILE, defaultSchemasDir, readSchemasDir } from '../node/schemas-dir.js';
import { wholeNumber } from './options.js';

export function registerFixtures(program: Command): void {
  program
    .command('fixtures')
    .description('print generated response bodies for an operation, as JSON')
    .argument('<operationId>')
    .option('--status <code>', 'response status (default: the first documented 2xx with a body)')
    .option('--seed <n>', 'seed', wholeNumber(), 1)
    .option(
      '--count <n>',
      'how many values (more than 1 prints an array); for a list, the page size of the one page printed',
      wholeNumber(1),
      1,
    )
    .option('--schemas <dir>', DEFAULT_SCHEMAS_HELP)
    .action(async (operationId: string, options: { status?: string; seed: number; count: number; schemas?: string }) => {
      const schemas = options.schemas ?? defaultSchemasDir();
      const contract = new Contract(readSchemasDir(schemas));
      const operation = contract.operation(operationId);
      if (!operation) {
        const nearest = nearestName(
          operationId,
          contract.operations.map((o) => o.operationId),
        );
        throw new Error(
          `no operation "${operationId}" in ${schemas}${nearest ? `: did you mean ${nearest}?` : ''} (see ${join(schemas, INDEX_FILE)})`,
        );
      }
      const status =
        options.status ?? Object.keys(operation.responses).find((s) => s.startsWith('2') && jsonMedia(operation.responses[s]!.content));
      const schema = status ? contract.responseSchema(operationId, status) : undefined;
      if (!schema)
        throw new Error(
          `${operationId} documents no JSON body for status ${status ?? '2xx'} (documented: ${Object.keys(operation.responses).join(', ')})`,
        );
      const count = options.count;
      // Records come from a seeded world, so a list is a coherent page and embeds agree with their ids.
      const fromWorld =
        options.status === undefined
          ? await worldFixtures(new MockServer({ contract, seed: options.seed }), operationId, count)
          : undefined;
      const generator = new FixtureGenerator(createFaker(options.seed), contract.components);
      const values = fromWorld ?? Array.from({ length: count }, () => generator.value(schema));
      console.log(JSON.stringify(values.length === 1 ? values[0] : values, null, 2));
    });
}
