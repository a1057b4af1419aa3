import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readSchemasDir } from '../node/schemas-dir.js';

export function registerBundle(program: Command): void {
  program
    .command('bundle')
    .description('write schemas/ as one JSON file, for the browser (createHandlers({ contract }) with setupWorker)')
    .option('--schemas <dir>', 'schemas folder', 'schemas')
    .requiredOption('--out <file>', 'JSON file to write')
    .action((options: { schemas: string; out: string }) => {
      const contract = readSchemasDir(options.schemas);
      writeFileSync(options.out, `${JSON.stringify(contract)}\n`);
      console.log(`${options.out}: ${contract.operations.length} operations, ${Object.keys(contract.components).length} components`);
    });
}
