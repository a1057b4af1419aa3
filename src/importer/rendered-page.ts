import type { JsonSchema, OperationSpec, ParameterSpec, ResponseSpec } from '../contract/types.js';
import { applyFieldNotes, classifyNotes, planFieldNotes } from './field-notes.js';
import { ExampleInference } from './infer-from-example.js';
import type { KnownShapes } from './known-shapes.js';
import { derivedOperationId } from './normalize-operation.js';

/** `GET/core/user_consent/:id/`: how a rendered page shows method and path. */
const METHOD_PATH = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)(\/\S*)$/;
const SECTION_HEADERS = new Set(['Request', 'Path Parameters', 'Query Parameters', 'Header Parameters', 'Body', 'Responses']);

export function looksLikeRenderedPage(text: string): boolean {
  return /^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\/\S*\s*$/m.test(text) && /^\s*Responses\s*$/m.test(text);
}

interface Section {
  notes: string[];
  example?: unknown;
}

/** Reads the JSON example that starts at `start`; returns it and the line after it. */
function readJson(lines: string[], start: number): { value: unknown; next: number } | undefined {
  for (let end = start; end < lines.length && end < start + 5000; end++) {
    const last = lines[end]!;
    if (last !== '}' && last !== ']' && last !== '{}' && last !== '[]') continue;
    try {
      return { value: JSON.parse(lines.slice(start, end + 1).join('\n')), next: end + 1 };
    } catch {
      // not balanced yet
    }
  }
  return undefined;
}

/** Each `- application/json` section: the notes before its JSON example, and the example. */
function responseSections(lines: string[], from: number): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^- [\w.+-]+\/[\w.+-]+$/.test(line)) {
      current = { notes: [] };
      sections.push(current);
    } else if (current && current.example === undefined && (line === '{' || line === '[' || line === '{}' || line === '[]')) {
      const json = readJson(lines, i);
      if (json) {
        current.example = json.value;
        i = json.next - 1;
      }
    } else if (current && current.example === undefined && !line.startsWith('- ') && line !== 'Schema') {
      current.notes.push(line);
    }
  }
  return sections;
}

function pathParameter(name: string, description: string | undefined): ParameterSpec {
  const schema: JsonSchema = /integer/i.test(description ?? '')
    ? { type: 'integer' }
    : /uuid/i.test(description ?? '')
      ? { type: 'string', format: 'uuid' }
      : { type: 'string' };
  const parameter: ParameterSpec = { name, in: 'path', required: true, schema };
  if (description) parameter.description = description;
  return parameter;
}

/** Lines of one section of the request part (between its header and the next header). */
function sectionLines(lines: string[], header: string): string[] {
  const start = lines.indexOf(header);
  if (start < 0) return [];
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && !SECTION_HEADERS.has(lines[i]!); i++) out.push(lines[i]!);
  return out;
}

/**
 * A rendered docs page (no encoded key): method and path, path parameters, response codes, and each response schema
 * inferred from its JSON example, the field notes, and the components other pages already defined.
 */
export function operationFromRenderedPage(text: string, source: string, known: KnownShapes): OperationSpec {
  const lines = text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const at = lines.findIndex((l) => METHOD_PATH.test(l));
  const [, method, rawPath] = METHOD_PATH.exec(lines[at] ?? '') ?? [];
  if (!method || !rawPath) throw new Error('no method and path line (like "GET/core/users/:id/")');
  const path = rawPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
  const previous = lines[at - 1];
  const operationId = previous && /^[A-Za-z0-9_]+$/.test(previous) ? previous : derivedOperationId(method, path);
  const description = lines[at + 1] && !SECTION_HEADERS.has(lines[at + 1]!) ? lines[at + 1] : undefined;
  const title = /^([A-Z][A-Za-z0-9]*) Viewset$/.exec(description ?? '')?.[1];

  const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const pathDescriptions = sectionLines(lines, 'Path Parameters');
  const parameters = pathNames.map((name, i) => pathParameter(name, pathDescriptions[i]));

  const responsesAt = lines.indexOf('Responses');
  const statuses: string[] = [];
  for (let i = responsesAt + 1; i < lines.length && /^- \d{3}$/.test(lines[i]!); i++) statuses.push(lines[i]!.slice(2));
  if (statuses.length === 0) throw new Error('no response codes under "Responses"');
  const sections = responseSections(lines, responsesAt + 1 + statuses.length);

  const responses: Record<string, ResponseSpec> = {};
  statuses.forEach((status, i) => {
    const section = sections[i];
    if (!section || section.example === undefined) {
      responses[status] = { description: '' };
      return;
    }
    const plan = planFieldNotes(classifyNotes(section.notes), section.example, known);
    const inference = new ExampleInference(known, plan.missing);
    const isSuccess = status.startsWith('2');
    const schema = inference.infer(section.example, '', isSuccess ? title : undefined);
    applyFieldNotes(plan, inference.objects);
    responses[status] = { description: '', content: { 'application/json': { schema } } };
  });

  const operation: OperationSpec = {
    operationId,
    method: method as OperationSpec['method'],
    path,
    server: '/api/v3/',
    tags: [path.split('/')[1] ?? ''].filter(Boolean),
    security: [{ authentik: [] }],
    parameters,
    responses,
    origin: 'inferred',
    source,
  };
  if (description) operation.description = description;
  return operation;
}
