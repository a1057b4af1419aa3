import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_SCHEMAS_HELP, defaultSchemasDir, readSchemasDir } from '../node/schemas-dir.js';

type Format = 'json' | 'module';

function format(value: string): Format {
  if (value !== 'json' && value !== 'module') throw new InvalidArgumentError(`expected "json" or "module", got "${value}"`);
  return value;
}

const size = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e3)} kB`);

export function registerBundle(program: Command): void {
  program
    .command('bundle')
    .description(
      'write schemas/ as one file for the browser: an ES module with precompiled validators (--out file.js, safe under a ' +
        "strict CSP: `const { contract } = await import('/file.js')`) or plain JSON (--out file.json)",
    )
    .option('--schemas <dir>', DEFAULT_SCHEMAS_HELP)
    .requiredOption('--out <file>', 'file to write: .js/.mjs → ES module with validators, else JSON')
    .option('--format <format>', '"module" or "json" (default: from the file name)', format)
    .option('--response-validators', 'module: also precompile every response validator (contract.validateResponse; the mock needs none)')
    .action(async (options: { schemas?: string; out: string; format?: Format; responseValidators?: boolean }) => {
      const schemas = options.schemas ?? defaultSchemasDir();
      const contract = readSchemasDir(schemas);
      const what = `${contract.operations.length} operations, ${Object.keys(contract.components).length} components`;
      if ((options.format ?? (/\.m?js$/.test(options.out) ? 'module' : 'json')) === 'json') {
        writeFileSync(options.out, `${JSON.stringify(contract)}\n`);
        console.log(`${options.out}: ${what} (from ${schemas})`);
        return;
      }
      // Loaded here, not with the CLI: every `serve` start would pay for ajv's standalone code writer.
      const { contractModule } = await import('../node/standalone-validators.js');
      const module = contractModule(contract, { responses: options.responseValidators });
      writeFileSync(options.out, module.code);
      const bytes = Buffer.byteLength(module.code);
      console.log(
        `${options.out}: ES module, ${what}, ${module.validators} precompiled validators (from ${schemas}); ` +
          `${size(bytes)}, ${size(gzipSync(module.code).length)} gzip`,
      );
    });
}
