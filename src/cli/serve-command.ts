import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { createApp } from '../adapters/express.js';
import { CONTROL_PREFIX } from '../core/control.js';
import { createMock } from '../node/index.js';
import { readJsonFile } from '../node/read-json.js';
import { DEFAULT_SCHEMAS_HELP, INDEX_FILE, OPERATIONS_DIR, defaultSchemasDir } from '../node/schemas-dir.js';
import { wholeNumber } from './options.js';

interface ServeOptions {
  schemas?: string;
  host: string;
  port: number;
  seed: number;
  token?: string;
  userToken?: string;
  data?: string;
  records: number;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("serve the mock authentik API over HTTP (mounted at the contract's server base, /api/v3/)")
    .option('--schemas <dir>', DEFAULT_SCHEMAS_HELP)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port', wholeNumber(), 9000)
    .option('--seed <n>', 'seed of the generated world', wholeNumber(), 1)
    .option('--token <key>', "akadmin's API token (default: $AUTHENTIK_MOCK_TOKEN, else generated from the seed)")
    .option('--user-token <key>', "an ordinary user's API token (default: generated from the seed)")
    .option('--records <n>', 'records generated per resource', wholeNumber(2), 25)
    .option('--data <file>', 'start from a saved world (GET /_mock/dump)')
    .action(async (options: ServeOptions) => {
      const started = performance.now();
      const schemas = options.schemas ?? defaultSchemasDir();
      const mock = createMock({
        schemas,
        seed: options.seed,
        adminToken: options.token ?? process.env['AUTHENTIK_MOCK_TOKEN'] ?? undefined,
        userToken: options.userToken,
        recordsPerEntity: options.records,
        data: options.data ? readJsonFile(options.data) : undefined,
      });
      const app = createApp({ mock });
      const server = app.listen(options.port, options.host);
      await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
      const base = mock.contract.operations[0]?.server ?? '/api/v3/';
      const origin = `http://${options.host}:${(server.address() as AddressInfo).port}`;
      const index = resolvePath(schemas, INDEX_FILE);
      const operations = mock.contract.operations.length;
      console.log(
        `authentik-mock: ${operations} operations, ${mock.world.resources.length} resources, ready in ${Math.round(performance.now() - started)} ms`,
      );
      console.log(`  API         ${origin}${base}`);
      console.log(
        `  operations  ${existsSync(index) ? `${index}  (lists all ${operations})` : `${resolvePath(schemas, OPERATIONS_DIR)}/  (one file each)`}`,
      );
      console.log(`  resources   ${origin}${CONTROL_PREFIX}resources  (each resource's operations and keys)`);
      console.log(`  control     ${origin}${CONTROL_PREFIX}  (summary; tokens, dump, load, reset)`);
      console.log(
        `  scenarios   ${origin}${CONTROL_PREFIX}scenarios  (forced statuses, delays, network failures; or a Prefer: code=500 header)`,
      );
      console.log(`  admin token (akadmin):   ${mock.world.adminToken}`);
      console.log(`  user token (no rights):  ${mock.world.userToken}`);
      const stop = (signal: string) => {
        console.log(`authentik-mock: ${signal}, stopping`);
        server.close(() => process.exit(0));
        server.closeAllConnections();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
