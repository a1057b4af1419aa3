import { InvalidArgumentError, type Command } from 'commander';

function progressPrinter(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    if (total < 50 || (done % 25 !== 0 && done !== total)) return;
    process.stderr.write(`\rreading pages ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0) throw new InvalidArgumentError(`expected a number of seconds > 0, got "${value}"`);
  return n;
}

interface ImportOptions {
  out: string;
  clean?: boolean;
  timeout: number;
  token?: string;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('turn authentik API docs pages (any wrapping) or OpenAPI documents into schemas/')
    .argument(
      '<sources...>',
      'files or folders (read recursively; pages are recognised by content), installed packages that ship an OpenAPI document (@goauthentik/api), or http(s) URLs (https://authentik.example/api/v3/schema/)',
    )
    .option('--out <dir>', 'schemas folder to write', 'schemas')
    .option('--clean', 'start from an empty schemas folder instead of merging into it')
    .option('--timeout <seconds>', 'how long to wait for each URL', seconds, 30)
    .option('--token <key>', 'sent to URLs as "Authorization: Bearer <key>"')
    .action(async (sources: string[], options: ImportOptions) => {
      const started = performance.now();
      // Loaded here, not with the CLI: the importer is no part of a `serve` start.
      const { importSources } = await import('../node/import-files.js');
      const result = await importSources(sources, {
        out: options.out,
        clean: options.clean === true,
        onProgress: progressPrinter(),
        timeoutMs: options.timeout * 1000,
        token: options.token,
      });
      for (const error of result.errors) console.error(`error: ${error.message}`);
      for (const note of result.notes) console.error(`note: ${note}`);
      const inferred = result.index.operations.filter((o) => o.origin === 'inferred').length;
      const ms = Math.round(performance.now() - started);
      console.log(
        `imported ${result.imported} operation(s) in ${ms} ms → ${options.out}/ now holds ${result.index.operations.length} operations` +
          ` (${inferred} inferred) and ${result.index.components.length} components; ${result.errors.length} file(s) failed`,
      );
      if (result.errors.length > 0) process.exitCode = 1;
    });
}
