import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_SCHEMAS_HELP, defaultSchemasDir, readSchemasDir } from '../node/schemas-dir.js';

export function registerBundle(program: Command): void {
  program
    .command('bundle')
    .description('write schemas/ as one JSON file, for the browser (createHandlers({ contract }) with setupWorker)')
    .option('--schemas <dir>', DEFAULT_SCHEMAS_HELP)
    .requiredOption('--out <file>', 'JSON file to write')
    .action((options: { schemas?: string; out: string }) => {
      const schemas = options.schemas ?? defaultSchemasDir();
      const contract = readSchemasDir(schemas);
      writeFileSync(options.out, `${JSON.stringify(contract)}\n`);
      console.log(
        `${options.out}: ${contract.operations.length} operations, ${Object.keys(contract.components).length} components (from ${schemas})`,
      );
    });
}
