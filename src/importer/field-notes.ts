import { isPlainObject, type JsonSchema } from '../contract/types.js';
import type { InferredObject } from './infer-from-example.js';

/** One line of a rendered page's schema notes, classified. */
type Note =
  | { kind: 'block'; name: string; required: boolean; nullable: boolean }
  | { kind: 'constraint'; keywords: JsonSchema }
  | { kind: 'text' };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OBJECT_TYPE = /^object(\[\])?$/;

/** "Possible values: <= 50 characters, Value must match regular expression ^…$" → { maxLength: 50, pattern }. */
export function parseConstraint(text: string): JsonSchema | undefined {
  const match = /^Possible values:\s*(.*)$/.exec(text);
  if (!match?.[1]) return undefined;
  const body = match[1];
  const keywords: JsonSchema = {};
  const enumMatch = /^\[(.*)\]$/.exec(body.trim());
  if (enumMatch?.[1] !== undefined) {
    keywords['enum'] = enumMatch[1].split(',').map((v) => v.trim()).filter(Boolean);
    return keywords;
  }
  const pattern = /Value must match regular expression (\S+)/.exec(body)?.[1];
  if (pattern) keywords['pattern'] = pattern;
  const max = /<=\s*(\d+)\s*characters/.exec(body)?.[1];
  const min = />=\s*(\d+)\s*characters/.exec(body)?.[1];
  if (max) keywords['maxLength'] = Number(max);
  if (min) keywords['minLength'] = Number(min);
  const maximum = /<=\s*(-?\d+(\.\d+)?)(?!\s*characters)\b/.exec(body)?.[1];
  const minimum = />=\s*(-?\d+(\.\d+)?)(?!\s*characters)\b/.exec(body)?.[1];
  if (maximum && !max) keywords['maximum'] = Number(maximum);
  if (minimum && !min) keywords['minimum'] = Number(minimum);
  return Object.keys(keywords).length > 0 ? keywords : undefined;
}

/** Lines of the notes, with wrapped continuations (", external") joined back. */
export function classifyNotes(lines: string[]): Note[] {
  const joined: string[] = [];
  for (const line of lines) {
    if (line.startsWith(',') && joined.length > 0) joined[joined.length - 1] += line;
    else joined.push(line);
  }
  const notes: Note[] = [];
  for (let i = 0; i < joined.length; i++) {
    const line = joined[i]!;
    if (IDENTIFIER.test(line) && OBJECT_TYPE.test(joined[i + 1] ?? '')) {
      const block = { kind: 'block' as const, name: line, required: false, nullable: false };
      i++;
      while (joined[i + 1] === 'required' || joined[i + 1] === 'nullable') block[joined[++i] as 'required' | 'nullable'] = true;
      notes.push(block);
      continue;
    }
    const keywords = parseConstraint(line);
    notes.push(keywords ? { kind: 'constraint', keywords } : { kind: 'text' });
  }
  return notes;
}

interface FieldSite {
  parent: string;
  name: string;
  path: string;
}

/** Every field of the example in document order, with the path of the object it belongs to. */
function fieldSites(value: unknown, path = '', out: FieldSite[] = []): FieldSite[] {
  const object = Array.isArray(value) ? value[0] : value;
  const objectPath = Array.isArray(value) ? `${path}[]` : path;
  if (!isPlainObject(object)) return out;
  for (const [name, child] of Object.entries(object)) {
    const childPath = objectPath ? `${objectPath}.${name}` : name;
    out.push({ parent: objectPath, name, path: childPath });
    fieldSites(child, childPath, out);
  }
  return out;
}

function parentPath(path: string): string | undefined {
  if (path === '') return undefined;
  const bare = path.endsWith('[]') ? path.slice(0, -2) : path;
  const dot = bare.lastIndexOf('.');
  return dot < 0 ? '' : bare.slice(0, dot);
}

/**
 * Applies the notes to the inferred objects: `required`/`nullable` from named blocks, and each constraint to the
 * first field of the current block (or, failing that, an enclosing one) that can carry it. Objects that became known
 * components are left alone: the decoded page already said all of it.
 */
export function applyFieldNotes(notes: Note[], example: unknown, objects: InferredObject[]): void {
  const byPath = new Map(objects.map((o) => [o.path, o]));
  const sites = fieldSites(example);
  const claimed = new Set<string>();
  let siteCursor = 0;
  let block = '';
  for (const note of notes) {
    if (note.kind === 'block') {
      const index = sites.findIndex((site, i) => i >= siteCursor && site.name === note.name);
      if (index < 0) continue;
      const site = sites[index]!;
      siteCursor = index + 1;
      block = Array.isArray(lookup(example, site.path)) ? `${site.path}[]` : site.path;
      const parent = byPath.get(site.parent);
      if (parent && !parent.known) markField(parent.schema, site.name, note);
    } else if (note.kind === 'constraint') {
      applyConstraint(note.keywords, block, byPath, claimed);
    }
  }
}

function lookup(example: unknown, path: string): unknown {
  let node: unknown = example;
  for (const part of path.split('.')) {
    const key = part.replace(/\[\]$/, '');
    node = isPlainObject(node) ? node[key] : undefined;
    if (part.endsWith('[]') && Array.isArray(node)) node = node[0];
  }
  return node;
}

function markField(schema: JsonSchema, field: string, note: { required: boolean; nullable: boolean }): void {
  const properties = schema['properties'] as Record<string, JsonSchema>;
  const property = properties[field];
  if (!property) return;
  if (note.nullable && !('$ref' in property)) property['nullable'] = true;
  if (note.nullable && '$ref' in property) properties[field] = { allOf: [property], nullable: true };
  const required = schema['required'] as string[];
  if (note.required && !required.includes(field)) required.push(field);
}

function applyConstraint(keywords: JsonSchema, block: string, byPath: Map<string, InferredObject>, claimed: Set<string>): void {
  for (let path: string | undefined = block; path !== undefined; path = parentPath(path)) {
    const object = byPath.get(path);
    if (!object) continue;
    if (object.known) return;
    const field = candidateField(keywords, object, claimed);
    if (!field) continue;
    claimed.add(`${path}.${field}`);
    Object.assign((object.schema['properties'] as Record<string, JsonSchema>)[field]!, keywords);
    return;
  }
}

/** An enum goes to the field whose example is one of its values; a length or pattern to the first unclaimed plain string. */
function candidateField(keywords: JsonSchema, object: InferredObject, claimed: Set<string>): string | undefined {
  const properties = object.schema['properties'] as Record<string, JsonSchema>;
  const open = Object.keys(properties).filter((name) => !claimed.has(`${object.path}.${name}`));
  if (Array.isArray(keywords['enum'])) {
    const values = keywords['enum'];
    return open.find((name) => values.includes(object.example[name]));
  }
  const sameAlready = open.find((name) => Object.entries(keywords).every(([k, v]) => properties[name]![k] === v));
  if (sameAlready) return sameAlready;
  const wantsNumber = 'maximum' in keywords || 'minimum' in keywords;
  return open.find((name) => {
    const property = properties[name]!;
    const type = wantsNumber ? ['integer', 'number'] : ['string'];
    return type.includes(property['type'] as string) && !property['format'] && !('maxLength' in property) && !('pattern' in property);
  });
}
