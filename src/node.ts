/** Node-only entry points: reading and writing schemas/ folders, importing pages. The core never imports this. */
import { Contract } from './contract/contract.js';
import { MockServer, type MockOptions } from './core/mock-server.js';
import { readSchemasDir } from './node/schemas-dir.js';

export { importFiles, type ImportFilesOptions } from './node/import-files.js';
export { readSchemasDir, writeSchemasDir } from './node/schemas-dir.js';

export const DEFAULT_SCHEMAS_DIR = 'schemas';

export type NodeMockOptions = Omit<MockOptions, 'contract'> & {
  /** A schemas/ folder to read (default `schemas`), unless `contract` is given. */
  schemas?: string;
  contract?: MockOptions['contract'];
};

export function loadContract(dir: string = DEFAULT_SCHEMAS_DIR): Contract {
  return new Contract(readSchemasDir(dir));
}

export function createMock(options: NodeMockOptions = {}): MockServer {
  return new MockServer({ ...options, contract: options.contract ?? loadContract(options.schemas) });
}
