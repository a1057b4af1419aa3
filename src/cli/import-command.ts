import type { Command } from 'commander';
import { importFiles } from '../node/import-files.js';

function progressPrinter(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    if (total < 50 || (done % 25 !== 0 && done !== total)) return;
    process.stderr.write(`\rreading pages ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('turn authentik API docs pages (any wrapping) or OpenAPI documents into schemas/')
    .argument('<paths...>', 'files or folders (read recursively; pages are recognised by content)')
    .option('--out <dir>', 'schemas folder to write', 'schemas')
    .option('--clean', 'start from an empty schemas folder instead of merging into it')
    .action((paths: string[], options: { out: string; clean?: boolean }) => {
      const started = performance.now();
      const result = importFiles(paths, { out: options.out, clean: options.clean === true, onProgress: progressPrinter() });
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
