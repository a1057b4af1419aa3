/** Node-only entry points: reading and writing schemas/ folders, importing pages. The core never imports this. */
import { Contract } from '../contract/contract.js';
import { MockServer, type MockOptions } from '../core/mock-server.js';
import { defaultSchemasDir, readSchemasDir } from './schemas-dir.js';

export { importFiles, importSources, type ImportFilesOptions, type ImportSourcesOptions } from './import-files.js';
export { PACKAGE_BLUEPRINTS_DIR, readBlueprintSources, readDefaultBlueprints } from './blueprint-files.js';
export { PACKAGE_SCHEMAS_DIR, defaultSchemasDir, readSchemasDir, writeSchemasDir } from './schemas-dir.js';

export type NodeMockOptions = Omit<MockOptions, 'contract'> & {
  /** A schemas/ folder to read, unless `contract` is given (default: `./schemas` if it is one, else the package's own). */
  schemas?: string;
  contract?: MockOptions['contract'];
};

/** The contract in a schemas/ folder (default: `./schemas` if it is one, else the package's own — all of authentik 2024.8). */
export function loadContract(dir: string = defaultSchemasDir()): Contract {
  return new Contract(readSchemasDir(dir));
}

export function createMock(options: NodeMockOptions = {}): MockServer {
  return new MockServer({ ...options, contract: options.contract ?? loadContract(options.schemas) });
}
