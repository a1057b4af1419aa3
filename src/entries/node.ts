/** `authentik-mock/node`: the contract read from a schemas/ folder, the mock and its HTTP server, importing pages. */
export { createMock, loadContract, type NodeMockOptions } from '../node/create-mock.js';
export { startServer, type RunningServer, type ServerEvent, type ServerOptions } from '../adapters/http-server.js';
export { importFiles, importSources, type ImportFilesOptions, type ImportSourcesOptions } from '../node/import-files.js';
export type { ImportResult } from '../importer/import-pages.js';
export { PACKAGE_SCHEMAS_DIR, defaultSchemasDir } from '../node/schemas-dir.js';
