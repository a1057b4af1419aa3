#!/usr/bin/env node
import { Command } from 'commander';
import { registerBundle } from './bundle-command.js';
import { registerContract } from './contract-command.js';
import { registerFixtures } from './fixtures-command.js';
import { registerImport } from './import-command.js';
import { registerServe } from './serve-command.js';

const program = new Command()
  .name('authentik-mock')
  .description('Mock server and contract-testing harness for the authentik API v3, derived from its docs pages');

registerImport(program);
registerFixtures(program);
registerServe(program);
registerContract(program);
registerBundle(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
