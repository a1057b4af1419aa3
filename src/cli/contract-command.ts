import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ServerUnreachable } from '../harness/http-client.js';
import { closingLine, junitXml, resultLine } from '../harness/report.js';
import { DEFAULT_CONCURRENCY, runContract } from '../harness/run-contract.js';
import { TokenRejected } from '../harness/token-check.js';
import type { KnownIds } from '../harness/path-keys.js';
import { loadContract } from '../node/create-mock.js';
import { readJsonFile } from '../node/read-json.js';
import { DEFAULT_SCHEMAS_HELP } from '../node/schemas-dir.js';
import { httpUrl, wholeNumber } from './options.js';

interface ContractOptions {
  baseUrl: string;
  token?: string;
  schemas?: string;
  only?: string;
  allowWrites?: boolean;
  junit?: string;
  seed: number;
  ids?: string;
  concurrency: number;
}

export function registerContract(program: Command): void {
  program
    .command('contract')
    .description('check a live server (a real authentik, or this mock) against schemas/; exit 1 on any failure')
    .requiredOption('--base-url <url>', 'server origin, e.g. http://127.0.0.1:9000', httpUrl)
    .option('--token <key>', 'API token of a superuser (default: $AUTHENTIK_TOKEN)')
    .option('--schemas <dir>', DEFAULT_SCHEMAS_HELP)
    .option('--only <ids>', 'comma-separated operationIds')
    .option(
      '--allow-writes',
      'also send PUT/PATCH/POST/DELETE (deletes only records it made itself; never writes to a record it cannot read, nor to the token it authenticates with)',
    )
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--seed <n>', 'seed for generated request bodies', wholeNumber(), 1)
    .option('--ids <file>', 'JSON of path keys: {"param": value} or {"operationId.param": value}')
    .option(
      '--concurrency <n>',
      'operations checked at once: reads, then writes whose footprints cannot meet (a failure is checked again alone); 1 for one operation at a time',
      wholeNumber(1),
      DEFAULT_CONCURRENCY,
    )
    .action(async (options: ContractOptions) => {
      const token = options.token ?? process.env['AUTHENTIK_TOKEN'];
      if (!token) throw new Error('no token: pass --token or set AUTHENTIK_TOKEN');
      const contract = loadContract(options.schemas);
      const progress = process.stderr.isTTY;
      try {
        const report = await runContract({
          contract,
          baseUrl: options.baseUrl,
          token,
          only: options.only
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          allowWrites: options.allowWrites === true,
          seed: options.seed,
          concurrency: options.concurrency,
          ids: options.ids ? (readJsonFile(options.ids) as KnownIds) : undefined,
          onResult: (result, done, total) => {
            if (progress) process.stderr.write(`\r\x1b[K[${done}/${total}] `);
            console.log(resultLine(result));
          },
        });
        if (progress) process.stderr.write('\r\x1b[K');
        if (options.junit) writeFileSync(options.junit, junitXml(report, contract.operations));
        console.log(closingLine(report));
        if (report.failed > 0) process.exitCode = 1;
      } catch (error) {
        if (progress) process.stderr.write('\r\x1b[K');
        if (error instanceof TokenRejected)
          console.error(`error: ${error.message}: pass a key that works with --token or $AUTHENTIK_TOKEN`);
        else if (error instanceof ServerUnreachable) console.error(`error: ${error.message}`);
        else throw error;
        process.exitCode = 2;
      }
    });
}
