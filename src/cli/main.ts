#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerBundle } from './bundle-command.js';
import { registerContract } from './contract-command.js';
import { registerFixtures } from './fixtures-command.js';
import { registerImport } from './import-command.js';
import { flagErrorText } from './options.js';
import { registerServe } from './serve-command.js';

/** The package's version: its package.json, two levels up from src/cli/ and dist/cli/ alike. */
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('authentik-mock')
  .description('Mock server and contract-testing harness for the authentik API v3, derived from its docs pages')
  .version(version, '-V, --version', 'print the version')
  // Set before the commands are added: each copies it. A bad option value is one line that starts with the flag.
  .configureOutput({ outputError: (text, write) => write(flagErrorText(text)) });

registerImport(program);
registerFixtures(program);
registerServe(program);
registerContract(program);
registerBundle(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
