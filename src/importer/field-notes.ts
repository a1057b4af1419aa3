import { isPlainObject, type JsonSchema } from '../contract/types.js';
import type { InferredObject, MissingField } from './infer-from-example.js';
import type { KnownShapes } from './known-shapes.js';

/** One line of a rendered page's schema notes, classified. */
type Note =
  | { kind: 'block'; name: string; many: boolean; required: boolean; nullable: boolean; serializer?: string }
  | { kind: 'constraint'; keywords: JsonSchema }
  | { kind: 'text' };
type BlockNote = Extract<Note, { kind: 'block' }>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OBJECT_TYPE = /^object(\[\])?$/;
/** drf-spectacular describes a nested serializer as `User Serializer`: the component it is, when that one is known. */
const SERIALIZER = /^([A-Z][A-Za-z0-9]*) Serializer$/;

/** "Possible values: <= 50 characters, Value must match regular expression ^…$" → { maxLength: 50, pattern }. */
export function parseConstraint(text: string): JsonSchema | undefined {
  const match = /^Possible values:\s*(.*)$/.exec(text);
  if (!match?.[1]) return undefined;
  const body = match[1];
  const keywords: JsonSchema = {};
  const enumMatch = /^\[(.*)\]$/.exec(body.trim());
  if (enumMatch?.[1] !== undefined) {
    keywords.enum = enumMatch[1]
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    return keywords;
  }
  const pattern = /Value must match regular expression (\S+)/.exec(body)?.[1];
  if (pattern) keywords.pattern = pattern;
  const max = /<=\s*(\d+)\s*characters/.exec(body)?.[1];
  const min = />=\s*(\d+)\s*characters/.exec(body)?.[1];
  if (max) keywords.maxLength = Number(max);
  if (min) keywords.minLength = Number(min);
  const maximum = /<=\s*(-?\d+(\.\d+)?)(?!\s*characters)\b/.exec(body)?.[1];
  const minimum = />=\s*(-?\d+(\.\d+)?)(?!\s*characters)\b/.exec(body)?.[1];
  if (maximum && !max) keywords.maximum = Number(maximum);
  if (minimum && !min) keywords.minimum = Number(minimum);
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
    const type = OBJECT_TYPE.exec(joined[i + 1] ?? '');
    if (IDENTIFIER.test(line) && type) {
      const block: BlockNote = { kind: 'block', name: line, many: type[1] !== undefined, required: false, nullable: false };
      i++;
      while (joined[i + 1] === 'required' || joined[i + 1] === 'nullable') block[joined[++i] as 'required' | 'nullable'] = true;
      const serializer = SERIALIZER.exec(joined[i + 1] ?? '')?.[1];
      if (serializer) {
        block.serializer = serializer;
        i++;
      }
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

/** What the notes say, placed in the example: field marks and constraints in order, and the fields it lacks by object path. */
export interface NotePlan {
  steps: Step[];
  missing: Map<string, MissingField[]>;
}

type Step =
  | { kind: 'field'; parent: string; name: string; required: boolean; nullable: boolean }
  | { kind: 'constraint'; keywords: JsonSchema; block: string };

/**
 * Walks the notes beside the example's fields (both are in document order). A block found in the example marks that
 * field and opens its object for the constraints that follow; a block the example lacks is placed in the enclosing
 * object it most likely belongs to, and the constraints inside it are skipped (they describe fields nobody shows).
 */
export function planFieldNotes(notes: Note[], example: unknown, known: KnownShapes): NotePlan {
  const sites = fieldSites(example);
  const plan: NotePlan = { steps: [], missing: new Map() };
  let cursor = 0;
  let scope = '';
  let block: string | undefined = '';
  notes.forEach((note, i) => {
    if (note.kind === 'constraint' && block !== undefined) plan.steps.push({ kind: 'constraint', keywords: note.keywords, block });
    if (note.kind !== 'block') return;
    const index = siteIndex(sites, note.name, cursor);
    if (index >= 0) {
      const site = sites[index]!;
      cursor = index + 1;
      block = scope = Array.isArray(lookup(example, site.path)) ? `${site.path}[]` : site.path;
      plan.steps.push({ kind: 'field', parent: site.parent, name: site.name, required: note.required, nullable: note.nullable });
      return;
    }
    const next = notes.slice(i + 1).find((n): n is BlockNote => n.kind === 'block' && siteIndex(sites, n.name, cursor) >= 0);
    const nextParent = next && sites[siteIndex(sites, next.name, cursor)]!.parent;
    const placed = placeMissing(note, scope, nextParent, example, known);
    block = undefined;
    if (!placed) return;
    scope = placed.parent;
    addMissing(plan, placed.parent, placed.field);
    plan.steps.push({ kind: 'field', parent: placed.parent, name: note.name, required: note.required, nullable: note.nullable });
  });
  return plan;
}

function siteIndex(sites: FieldSite[], name: string, from: number): number {
  return sites.findIndex((site, i) => i >= from && site.name === name);
}

/**
 * The object a missing field belongs to, among the current one and those enclosing it: the one a known component
 * completes with it, else the one holding the pk an `x_obj` embed shows (`provider` for `provider_obj`), else the
 * innermost that also holds the next field the notes name, else the current one.
 */
function placeMissing(
  note: BlockNote,
  scope: string,
  nextParent: string | undefined,
  example: unknown,
  known: KnownShapes,
): { parent: string; field: MissingField } | undefined {
  const keysAt = (path: string) => Object.keys(lookup(example, path) as Record<string, unknown>);
  const candidates = enclosing(scope).filter((path) => isPlainObject(lookup(example, path)));
  // An enclosing object has it after all, named out of the notes' order: nothing is missing.
  if (candidates.some((path) => keysAt(path).includes(note.name))) return undefined;
  const field: MissingField = { name: note.name, many: note.many };
  if (note.serializer) field.serializer = note.serializer;
  for (const path of candidates) {
    const keys = keysAt(path);
    const schema = keys.length > 0 ? known.fieldBeside(keys, note.name) : undefined;
    if (schema) return { parent: path, field: { ...field, known: schema } };
  }
  const embedded = note.name.endsWith('_obj') ? note.name.slice(0, -'_obj'.length) : undefined;
  const parent =
    candidates.find((path) => embedded !== undefined && keysAt(path).includes(embedded)) ??
    candidates.find((path) => nextParent !== undefined && isWithin(nextParent, path)) ??
    candidates[0];
  return parent === undefined ? undefined : { parent, field };
}

/** The path and every path enclosing it, innermost first (`a.b[]`, `a`, ``). */
function enclosing(path: string): string[] {
  const out: string[] = [];
  for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) out.push(p);
  return out;
}

function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(`${ancestor}.`);
}

function addMissing(plan: NotePlan, parent: string, field: MissingField): void {
  const fields = plan.missing.get(parent) ?? [];
  if (!fields.some((f) => f.name === field.name)) fields.push(field);
  plan.missing.set(parent, fields);
}

/**
 * Applies the plan to the inferred objects: `required`/`nullable` from named blocks, and each constraint to the first
 * field of its block (or, failing that, an enclosing one) that can carry it. Objects that became known components are
 * left alone: the decoded page already said all of it.
 */
export function applyFieldNotes(plan: NotePlan, objects: InferredObject[]): void {
  const byPath = new Map(objects.map((o) => [o.path, o]));
  const claimed = new Set<string>();
  for (const step of plan.steps) {
    if (step.kind === 'constraint') {
      applyConstraint(step.keywords, step.block, byPath, claimed);
      continue;
    }
    const parent = byPath.get(step.parent);
    if (parent && !parent.known) markField(parent.schema, step.name, step);
  }
}

/** The example's value at a dotted path; `x[]` steps into an array's first item. */
function lookup(example: unknown, path: string): unknown {
  let node: unknown = example;
  if (path === '') return node;
  for (const part of path.split('.')) {
    const key = part.replace(/\[\]$/, '');
    if (key !== '') node = isPlainObject(node) ? node[key] : undefined;
    if (part.endsWith('[]')) node = Array.isArray(node) ? node[0] : undefined;
  }
  return node;
}

function markField(schema: JsonSchema, field: string, note: { required: boolean; nullable: boolean }): void {
  const properties = schema.properties as Record<string, JsonSchema>;
  const property = properties[field];
  if (!property) return;
  if (note.nullable && !('$ref' in property)) property.nullable = true;
  if (note.nullable && '$ref' in property) properties[field] = { allOf: [property], nullable: true };
  const required = schema.required as string[];
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
    Object.assign((object.schema.properties as Record<string, JsonSchema>)[field]!, keywords);
    return;
  }
}

/** An enum goes to the field whose example is one of its values; a length or pattern to the first unclaimed plain string. */
function candidateField(keywords: JsonSchema, object: InferredObject, claimed: Set<string>): string | undefined {
  const properties = object.schema.properties as Record<string, JsonSchema>;
  const open = Object.keys(properties).filter((name) => !claimed.has(`${object.path}.${name}`));
  if (Array.isArray(keywords.enum)) {
    const values = keywords.enum;
    return open.find((name) => values.includes(object.example[name]));
  }
  const sameAlready = open.find((name) => Object.entries(keywords).every(([k, v]) => properties[name]![k] === v));
  if (sameAlready) return sameAlready;
  const wantsNumber = 'maximum' in keywords || 'minimum' in keywords;
  return open.find((name) => {
    const property = properties[name]!;
    const type = wantsNumber ? ['integer', 'number'] : ['string'];
    return type.includes(property.type as string) && !property.format && !('maxLength' in property) && !('pattern' in property);
  });
}
