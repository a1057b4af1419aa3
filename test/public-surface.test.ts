// What each entry point of the package exports, pinned: the names a user can import (values and types, read from the
// built .d.ts as TypeScript sees them), what the JavaScript modules really export, and the README's list of them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/contracts.js';

/** Every name each entry exports, sorted. A change here is a change of the public API: the README must follow. */
const PINNED: Record<string, string[]> = {
  'authentik-mock': [
    'AnswerCacheLimits',
    'BlueprintError',
    'BlueprintResult',
    'BlueprintSource',
    'ConsoleFiles',
    'Contract',
    'ContractDocument',
    'CorsOrigins',
    'GenerateOptions',
    'HoldLimits',
    'JsonSchema',
    'MockOptions',
    'MockServer',
    'OperationSpec',
    'RecordLimits',
    'RequestLogEntry',
    'ScenarioMatch',
    'ScenarioRespond',
    'ScenarioRule',
    'Scenarios',
    'SchemaViolation',
    'World',
    'WorldDump',
    'addTotpDevice',
    'generate',
    'keyFromConfigUrl',
    'totpCode',
  ],
  'authentik-mock/node': [
    'ImportFilesOptions',
    'ImportResult',
    'ImportSourcesOptions',
    'NodeMockOptions',
    'PACKAGE_SCHEMAS_DIR',
    'RunningServer',
    'ServerEvent',
    'ServerOptions',
    'createMock',
    'defaultSchemasDir',
    'importFiles',
    'importSources',
    'loadContract',
    'startServer',
  ],
  'authentik-mock/express': ['ExpressMockOptions', 'MockApp', 'createApp'],
  'authentik-mock/msw': ['MswHandlers', 'MswMockOptions', 'PersistIn', 'createHandlers'],
  'authentik-mock/vitest': ['ContractResponse', 'RunningMock', 'contractMatchers', 'startMock', 'useContract', 'useMock'],
  'authentik-mock/harness': [
    'ContractFinding',
    'ContractFindingKind',
    'ContractReport',
    'ContractRunOptions',
    'FetchLike',
    'KnownIds',
    'OperationResult',
    'ServerUnreachable',
    'TokenRejected',
    'closingLine',
    'findingText',
    'junitXml',
    'resultLine',
    'runContract',
  ],
};

type ExportTarget = string | { types: string; node: string; default: string };
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, ExportTarget> };
const subpath = (entry: string) => `.${entry.slice('authentik-mock'.length)}`;
const target = (entry: string) => manifest.exports[subpath(entry)]!;
const typesFile = (entry: string) => {
  const found = target(entry);
  return join(ROOT, typeof found === 'string' ? found.replace(/\.js$/, '.d.ts') : found.types);
};
const scriptFiles = (entry: string) => {
  const found = target(entry);
  return (typeof found === 'string' ? [found] : [found.node, found.default]).map((file) => join(ROOT, file));
};

/** The names a module's declaration file exports, as the type checker resolves them (re-exports followed). */
function declaredExports(files: string[]): Map<string, string[]> {
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  return new Map(
    files.map((file) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
      return [
        file,
        checker
          .getExportsOfModule(module)
          .map((symbol) => symbol.getName())
          .sort(),
      ];
    }),
  );
}

/** The README's table of entry points: entry → the names its row lists. */
function readmeTable(): Map<string, string[]> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Library entry points'),
    readme.indexOf('\n## ', readme.indexOf('## Library entry points') + 1),
  );
  const rows = [...section.matchAll(/^\| `(authentik-mock[^`]*)` \|([^|]*)\|([^|\n]*)\|?$/gm)];
  return new Map(rows.map((row) => [row[1]!, [...row[3]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).sort()]));
}

describe('the public surface of each entry point', () => {
  let declared: Map<string, string[]>;
  beforeAll(() => {
    declared = declaredExports(Object.keys(PINNED).map(typesFile));
  });

  it('every entry in package.json is pinned here, and nothing else', () => {
    expect(
      Object.keys(manifest.exports)
        .filter((path) => path !== './package.json')
        .sort(),
    ).toEqual(Object.keys(PINNED).map(subpath).sort());
  });

  for (const [entry, names] of Object.entries(PINNED)) {
    it(`${entry}: exactly the pinned names (types included)`, () => {
      expect(declared.get(typesFile(entry))).toEqual(names);
    });

    it(`${entry}: its JavaScript exports only pinned names${entry === 'authentik-mock/msw' ? ' (the browser and the Node module alike)' : ''}`, async () => {
      for (const file of scriptFiles(entry)) {
        const values = Object.keys((await import(pathToFileURL(file).href)) as object).sort();
        expect(values.length, file).toBeGreaterThan(0);
        expect(names, file).toEqual(expect.arrayContaining(values));
      }
    });
  }

  it("the README's table of entry points lists exactly these names", () => {
    expect(Object.fromEntries(readmeTable())).toEqual(PINNED);
  });
});
