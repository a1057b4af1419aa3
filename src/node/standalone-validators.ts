// Node only (the CLI's `bundle`): the contract and its validators as one self-contained ES module, compiled ahead of
// time with ajv's standalone code, so a page loads them with no `new Function`/eval (CSP `script-src 'self'`).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Name } from 'ajv';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { Contract, contractAjv, declareExtensions, jsonMedia } from '../contract/contract.js';
import type { SchemaMode } from '../contract/json-schema.js';
import { buildResources } from '../contract/resources.js';
import { successSchema } from '../contract/operation-shapes.js';
import { propertiesOf, type ContractDocument, type JsonSchema } from '../contract/types.js';

// CommonJS with a default export; under NodeNext it arrives wrapped.
type StandaloneCode = (ajv: ReturnType<typeof contractAjv>, refs: Record<string, string>) => string;
const standaloneCode = ((standaloneCodeModule as unknown as { default?: StandaloneCode }).default ??
  standaloneCodeModule) as unknown as StandaloneCode;

/** The identifier the generated code reads formats from (ajv-formats' `fullFormats`, as `addFormats` installs them). */
const FORMATS = '__ajvFormats';
/** Names of the validators in the generated code (exported by ajv, made local again: only `validators` is exported). */
const VALIDATOR = '__authentikMockValidator';

/**
 * The schemas the core passes to `contract.check()` (all in response mode), found the way the core finds them:
 * - a forced status ≥ 400 (`Prefer: code=…`, scenarios.ts) checks DRF's body against the documented schema;
 * - `GET …/me/` (caller.ts) checks each of the caller's fields against the answer's properties, at the top and
 *   one level down;
 * - loading a saved world (`data`, a persisted page, world/dump.ts) checks each field of each entity;
 * - a create documented to answer another component than its record (core/created-answer.ts) checks the record's
 *   values against that component's properties.
 * A schema missing here is compiled at run time (and counted in `contract.compiledAtRunTime`).
 */
function coreCheckSchemas(contract: Contract): Array<[JsonSchema, SchemaMode]> {
  const schemas: JsonSchema[] = [];
  const { model, roles } = buildResources(contract);
  for (const entity of model.entities.values()) schemas.push(...Object.values(propertiesOf(entity.schema)));
  for (const role of roles.values()) {
    const create = role.kind === 'create' ? role.resource?.operations.create : undefined;
    const created = create && successSchema(create)?.schema;
    const view = created && contract.resolve(created);
    if (view && view !== model.entities.get(role.resource!.entity)?.schema) schemas.push(...Object.values(propertiesOf(view)));
  }
  for (const operation of contract.operations) {
    for (const [status, response] of Object.entries(operation.responses)) {
      const schema = jsonMedia(response.content)?.schema;
      if (!schema) continue;
      if (Number(status) >= 400) schemas.push(schema);
      if (operation.method === 'GET' && operation.path.endsWith('/me/') && status.startsWith('2')) {
        const resolved = contract.resolve(schema);
        for (const field of Object.values(propertiesOf(resolved))) {
          schemas.push(field);
          schemas.push(...Object.values(propertiesOf(contract.resolve(field))));
        }
      }
    }
  }
  return schemas.map((schema) => [schema, 'response']);
}

export interface ContractModule {
  /** The ES module's source. */
  code: string;
  /** How many validators it holds. */
  validators: number;
}

/**
 * The contract document and its precompiled validators as one ES module with no imports:
 * `export const contract` (the document, with `validators`), `export const validators`, `export default contract`.
 * `createHandlers({ contract })` then validates with them and compiles nothing. With `responses`, response
 * validators too (the core never needs them; `contract.validateResponse()` does); `checks`, schemas of the contract
 * to precompile for `contract.check()` besides those the core checks.
 */
export function contractModule(
  document: ContractDocument,
  options: { responses?: boolean; checks?: Iterable<[JsonSchema, SchemaMode]> } = {},
): ContractModule {
  const contract = new Contract(document);
  const checks = [...coreCheckSchemas(contract), ...(options.checks ?? [])];
  const schemas = contract.validatorSchemas({ responses: options.responses, checks });
  const ajv = contractAjv(contract.components, { code: { source: true, esm: true, formats: new Name(FORMATS) } });
  const exports: Record<string, string> = {};
  const names: Array<[string, string]> = [];
  [...schemas].forEach(([key, schema], i) => {
    const id = `urn:authentik-mock:validator:${i}`;
    declareExtensions(ajv, schema);
    ajv.addSchema(schema, id);
    exports[`${VALIDATOR}${i}`] = id;
    names.push([key, `${VALIDATOR}${i}`]);
  });
  const validatorsCode = standaloneCode(ajv, exports).replace(new RegExp(`export const (${VALIDATOR}\\d+) = `, 'g'), 'const $1 = ');
  const { prelude, code } = inlineRequires(`const ${FORMATS} = require("ajv-formats/dist/formats").fullFormats;\n${validatorsCode}`);
  const map = names.map(([key, name]) => `  ${JSON.stringify(key)}: ${name},`).join('\n');
  return {
    validators: names.length,
    code: [
      `// Written by \`authentik-mock bundle\`: ${document.operations.length} operations, ${Object.keys(document.components).length} components,`,
      `// ${names.length} validators precompiled by ajv (standalone code: nothing is compiled at run time). Do not edit.`,
      prelude,
      code,
      `export const validators = {\n${map}\n};`,
      `export const contract = { ...JSON.parse(${JSON.stringify(JSON.stringify({ operations: document.operations, components: document.components }))}), validators };`,
      'export default contract;',
      '',
    ].join('\n'),
  };
}

/**
 * The `require()`s of generated code (ajv's runtime helpers, ajv-formats) replaced by copies of those CommonJS
 * files, so the module loads in a page without a bundler. Only the small, dependency-free files ajv's generated
 * code names are expected; anything else is an error.
 */
function inlineRequires(source: string): { prelude: string; code: string } {
  const requireFrom = createRequire(import.meta.url);
  const modules = new Map<string, string>(); // resolved file → its id in the prelude
  const bodies: string[] = [];
  const rewrite = (text: string, from: NodeJS.Require): string =>
    text.replace(/\brequire\("([^"]+)"\)/g, (_match, specifier: string) => `__require(${JSON.stringify(add(specifier, from))})`);
  const add = (specifier: string, from: NodeJS.Require): string => {
    if (!/^(ajv|ajv-formats|fast-deep-equal)(\/|$)/.test(specifier))
      throw new Error(`authentik-mock bundle: generated validators require "${specifier}", which cannot be inlined`);
    const file = from.resolve(specifier);
    let id = modules.get(file);
    if (id !== undefined) return id;
    id = String(modules.size);
    modules.set(file, id);
    const text = readFileSync(file, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/gm, '');
    const body = rewrite(text, createRequire(file));
    bodies.push(`${JSON.stringify(id)}: function (module, exports, __require) {\n${body}\n},`);
    return id;
  };
  const code = rewrite(source, requireFrom);
  const prelude = [
    'const __modules = {',
    ...bodies,
    '};',
    'const __cache = {};',
    'function __require(id) {',
    '  if (!__cache[id]) {',
    '    const module = (__cache[id] = { exports: {} });',
    '    __modules[id](module, module.exports, __require);',
    '  }',
    '  return __cache[id].exports;',
    '}',
  ].join('\n');
  return { prelude, code };
}
