/** Node-only entry points: reading and writing schemas/ folders, importing pages, the mock over HTTP. The core never imports this. */
export { createMock, loadContract, type NodeMockOptions } from './create-mock.js';
export { startServer, type RunningServer, type ServerEvent, type ServerOptions } from './server.js';
export { importFiles, importSources, type ImportFilesOptions, type ImportSourcesOptions } from './import-files.js';
export { PACKAGE_BLUEPRINTS_DIR, readBlueprintSources, readDefaultBlueprints } from './blueprint-files.js';
export { PACKAGE_SCHEMAS_DIR, defaultSchemasDir, readSchemasDir, writeSchemasDir } from './schemas-dir.js';
