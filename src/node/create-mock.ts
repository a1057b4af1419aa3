/** The mock in Node: its contract read from a schemas/ folder, and a team's blueprints from files. */
import { Contract } from '../contract/contract.js';
import type { BlueprintSource } from '../blueprints/types.js';
import { MockServer, type MockOptions } from '../mock-server.js';
import { readBlueprintSources } from './blueprint-files.js';
import { consoleFiles } from './console-files.js';
import { defaultSchemasDir, readSchemasDir } from './schemas-dir.js';

export type NodeMockOptions = Omit<MockOptions, 'contract' | 'blueprints'> & {
  /** A schemas/ folder to read, unless `contract` is given (default: `./schemas` if it is one, else the package's own). */
  schemas?: string;
  contract?: MockOptions['contract'];
  /**
   * A team's blueprints, applied after authentik's own: blueprint files, folders (every `*.yaml` below, as authentik
   * discovers them) or sources already read (`{ path, text }`). Any problem refuses the start, naming the file.
   */
  blueprints?: ReadonlyArray<string | BlueprintSource>;
};

/** The contract in a schemas/ folder (default: `./schemas` if it is one, else the package's own — all of authentik 2024.8). */
export function loadContract(dir: string = defaultSchemasDir()): Contract {
  return new Contract(readSchemasDir(dir));
}

/** Blueprint files and folders read (`{ path, text }`); a path that cannot be read is named. */
function blueprintSources(entries: ReadonlyArray<string | BlueprintSource>): BlueprintSource[] {
  return entries.flatMap((entry) => {
    if (typeof entry !== 'string') return [entry];
    try {
      return readBlueprintSources(entry);
    } catch (error) {
      throw new Error(`${entry}: cannot read blueprints (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  });
}

/** The mock, with the demo console at /_mock/ui/. */
export function createMock(options: NodeMockOptions = {}): MockServer {
  const { blueprints, ...rest } = options;
  return new MockServer({
    consoleFiles: consoleFiles(),
    ...rest,
    ...(blueprints === undefined ? {} : { blueprints: blueprintSources(blueprints) }),
    contract: options.contract ?? loadContract(options.schemas),
  });
}
