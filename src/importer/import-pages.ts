import type { ContractDocument, JsonSchema, OperationSpec, SchemasIndex } from '../contract/types.js';
import { ComponentRegistry, inlineComponents, mapOperationSchemas } from './components.js';
import { findEncodedKey, operationFromDecodedPage } from './docs-page.js';
import { ImportError } from './import-error.js';
import { KnownShapes } from './known-shapes.js';
import { asOpenApiDocument, operationsFromOpenApi, parseOpenApiDocument } from './openapi-document.js';
import { looksLikeRenderedPage, operationFromRenderedPage } from './rendered-page.js';

/** A docs page or OpenAPI document as text (YAML or JSON, recognised by content). */
export interface TextInput {
  /** How the file is named in messages and in the index. */
  file: string;
  text: string;
}

/** An OpenAPI 3 document already parsed (built in memory, or fetched and parsed elsewhere). */
export interface DocumentInput {
  file: string;
  document: Record<string, unknown>;
}

export type ImportInput = TextInput | DocumentInput;

export interface ImportResult {
  contract: ContractDocument;
  index: SchemasIndex;
  errors: ImportError[];
  notes: string[];
  /** Operations this import added or replaced. */
  imported: number;
}

export const GENERATOR = 'authentik-mock import';

type Progress = (done: number, total: number) => void;

/** Reads one input; a rendered page is returned as is for the second pass, which needs the components of all others. */
function readInput(input: ImportInput): OperationSpec[] | TextInput {
  if ('document' in input) return operationsFromOpenApi(asOpenApiDocument(input.document), input.file);
  const encoded = findEncodedKey(input.text);
  if (encoded !== undefined) return [operationFromDecodedPage(encoded, input.file)];
  const doc = parseOpenApiDocument(input.text);
  if (doc) return operationsFromOpenApi(doc, input.file);
  if (looksLikeRenderedPage(input.text)) return input;
  if (/^---\s*$/m.test(input.text) && /^(id|title):/m.test(input.text)) throw new Error('docs page without an "api:" key');
  throw new Error('not an authentik API docs page or OpenAPI 3 document');
}

function inlined(operation: OperationSpec, components: Record<string, JsonSchema>): OperationSpec {
  return mapOperationSchemas(operation, (schema) => inlineComponents(schema, components));
}

/**
 * docs pages / OpenAPI documents → operations whose titled schemas are shared components. `existing` is what
 * schemas/ already holds: a re-imported operation replaces its old version; everything is re-extracted in
 * operationId order, so the result depends only on the set of operations, never on the order of the inputs.
 */
export function importPages(inputs: ImportInput[], existing?: ContractDocument, onProgress?: Progress): ImportResult {
  const errors: ImportError[] = [];
  const fresh = new Map<string, OperationSpec>();
  const rendered: TextInput[] = [];
  inputs.forEach((input, i) => {
    try {
      const result = readInput(input);
      if (!Array.isArray(result)) rendered.push(result);
      else for (const operation of result) fresh.set(operation.operationId, operation);
    } catch (error) {
      errors.push(new ImportError(input.file, (error as Error).message));
    }
    onProgress?.(i + 1, inputs.length);
  });

  const all = new Map<string, OperationSpec>();
  for (const operation of existing?.operations ?? []) all.set(operation.operationId, inlined(operation, existing!.components));
  for (const [id, operation] of fresh) all.set(id, operation);

  if (rendered.length > 0) {
    const firstPass = new ComponentRegistry();
    for (const operation of sortById(all)) firstPass.extractOperation(operation);
    const known = new KnownShapes(firstPass.components);
    const components = Object.fromEntries(firstPass.components);
    for (const input of rendered) {
      try {
        const operation = operationFromRenderedPage(input.text, input.file, known);
        const full = inlined(operation, components);
        all.set(full.operationId, full);
        fresh.set(full.operationId, full);
      } catch (error) {
        errors.push(new ImportError(input.file, (error as Error).message));
      }
    }
  }

  const registry = new ComponentRegistry();
  const operations = sortById(all).map((operation) => registry.extractOperation(operation));
  const components = registry.sorted();
  const index: SchemasIndex = {
    generator: GENERATOR,
    operations: operations.map(({ operationId, method, path, source, origin }) => ({ operationId, method, path, source, origin })),
    components: Object.keys(components),
  };
  return { contract: { operations, components }, index, errors, notes: registry.notes, imported: fresh.size };
}

function sortById(operations: Map<string, OperationSpec>): OperationSpec[] {
  return [...operations.values()].sort((a, b) => (a.operationId < b.operationId ? -1 : a.operationId > b.operationId ? 1 : 0));
}
