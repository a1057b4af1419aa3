/**
 * Parsing a blueprint file: authentik's `Importer.from_string` (YAML with `BlueprintLoader`, then dacite's
 * `from_dict(Blueprint, …)`; authentik/blueprints/v1/importer.py, common.py) and the checks discovery makes
 * (`blueprints_find`, authentik/blueprints/v1/tasks.py: version 1 only). Tags stay unevaluated.
 */
import { isMap, isNode, isSeq, parseDocument, type Document } from 'yaml';
import { BlueprintError, type BlueprintErrorPlace } from './errors.js';
import { isTag, type BlueprintValue } from './tag.js';
import {
  ENTRY_STATES,
  type BlueprintEntry,
  type BlueprintMetadata,
  type BlueprintSource,
  type EntryPermission,
  type EntryState,
  type ParsedBlueprint,
} from './types.js';
import { blueprintTags } from './yaml-tags.js';

type Mapping = { [key: string]: BlueprintValue };

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !isTag(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

/** Plain data with tags kept; `__proto__` keys dropped so nothing can reach a prototype later. */
function sanitize(value: unknown): BlueprintValue {
  if (Array.isArray(value)) return value.map(sanitize);
  if (isTag(value)) return value;
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [key, inner] of Object.entries(value)) if (key !== '__proto__') out[key] = sanitize(inner);
    return out;
  }
  if (typeof value === 'bigint') return Number(value);
  return value as BlueprintValue;
}

/** The entry (index, id, model) whose text holds a position, so a YAML problem inside an entry names it. */
function entryAt(file: string, doc: Document.Parsed, offset: number | undefined): BlueprintErrorPlace {
  const entries = doc.get('entries', true);
  if (offset === undefined || !isSeq(entries)) return { file };
  const entryIndex = entries.items.findIndex(
    (item) => isNode(item) && item.range !== null && item.range !== undefined && item.range[0] <= offset && offset < item.range[2],
  );
  const entry = entries.items[entryIndex];
  if (entryIndex < 0 || !isMap(entry)) return { file };
  const text = (key: string) => {
    const value: unknown = entry.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  return { file, entryIndex, entryId: text('id'), model: text('model') };
}

/** The document's data, or a BlueprintError naming the first YAML problem (an unknown tag is one). */
function loadYaml(file: string, text: string): unknown {
  const doc = parseDocument(text, { version: '1.1', customTags: blueprintTags, uniqueKeys: false, merge: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  const first = problems[0];
  if (first) {
    const unknownTag = first.code === 'TAG_RESOLVE_FAILED' ? /Unresolved tag: (\S+)/.exec(first.message)?.[1] : undefined;
    const where = first.linePos ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : '';
    const message = first.message.split('\n')[0]!.replace(/:$/, '');
    // A tag used with the wrong arguments reports itself (yaml-tags.ts); anything else is the YAML's own problem.
    const reason = unknownTag ? `unknown tag ${unknownTag}${where}` : message.startsWith('!') ? message : `invalid YAML: ${message}`;
    throw new BlueprintError(entryAt(file, doc, first.pos[0]), reason);
  }
  // `json: true` makes toJS call each PendingTag's toJSON, which builds its YamlTag.
  return sanitize(doc.toJS({ json: true, maxAliasCount: 1000 }));
}

function parseMetadata(file: string, raw: BlueprintValue | undefined): BlueprintMetadata | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMapping(raw)) throw new BlueprintError({ file }, '`metadata` must be a mapping with a `name`');
  if (typeof raw.name !== 'string') throw new BlueprintError({ file }, '`metadata.name` is required and must be a string');
  const labels: Record<string, string> = {};
  const rawLabels = raw.labels ?? {};
  if (!isMapping(rawLabels)) throw new BlueprintError({ file }, '`metadata.labels` must be a mapping of strings');
  for (const [key, value] of Object.entries(rawLabels)) {
    if (typeof value !== 'string')
      throw new BlueprintError({ file }, `\`metadata.labels.${key}\` must be a string (quote it: "${String(value)}")`);
    labels[key] = value;
  }
  return { name: raw.name, labels };
}

/** Entries are a list; later authentik versions also accept a mapping of named lists (`Blueprint.iter_entries`). */
function entryList(file: string, raw: BlueprintValue | undefined): BlueprintValue[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw;
  if (isMapping(raw) && Object.values(raw).every(Array.isArray)) return Object.values(raw).flat();
  throw new BlueprintError({ file }, '`entries` must be a list of entries');
}

function parsePermissions(place: BlueprintErrorPlace, raw: BlueprintValue | undefined): EntryPermission[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new BlueprintError(place, '`permissions` must be a list');
  return raw.map((item, i) => {
    if (!isMapping(item) || item.permission === undefined) throw new BlueprintError(place, `\`permissions[${i}]\` needs a \`permission\``);
    return { permission: item.permission, user: item.user ?? null, role: item.role ?? null };
  });
}

function optionalMapping(place: BlueprintErrorPlace, field: string, raw: BlueprintValue | undefined): Mapping {
  if (raw === undefined || raw === null) return {};
  if (!isMapping(raw)) throw new BlueprintError(place, `\`${field}\` must be a mapping`);
  return raw;
}

function parseEntry(file: string, raw: BlueprintValue, index: number): BlueprintEntry {
  if (!isMapping(raw)) throw new BlueprintError({ file, entryIndex: index }, 'an entry must be a mapping');
  const id = raw.id === undefined || raw.id === null ? undefined : raw.id;
  const model = raw.model;
  const place: BlueprintErrorPlace = {
    file,
    entryIndex: index,
    entryId: typeof id === 'string' ? id : undefined,
    model: typeof model === 'string' ? model : undefined,
  };
  if (id !== undefined && typeof id !== 'string') throw new BlueprintError(place, '`id` must be a string');
  if (model === undefined || model === null) throw new BlueprintError(place, 'missing `model`');
  if (typeof model === 'string' && model.split('.').length !== 2) throw new BlueprintError(place, '`model` must be `app_label.model_name`');
  if (typeof model !== 'string' && !isTag(model)) throw new BlueprintError(place, '`model` must be a string');
  const state = raw.state ?? 'present';
  if (!isTag(state) && !ENTRY_STATES.includes(state as EntryState))
    throw new BlueprintError(place, `\`state\` must be one of ${ENTRY_STATES.join(', ')} (found ${JSON.stringify(state)})`);
  const conditions = raw.conditions ?? [];
  if (!Array.isArray(conditions)) throw new BlueprintError(place, '`conditions` must be a list');
  return {
    index,
    model,
    id,
    state: state as EntryState,
    conditions,
    identifiers: optionalMapping(place, 'identifiers', raw.identifiers),
    attrs: optionalMapping(place, 'attrs', raw.attrs),
    permissions: parsePermissions(place, raw.permissions),
  };
}

/**
 * A blueprint file parsed: version, metadata, context and entries with their tags kept for evaluation. Throws a
 * `BlueprintError` naming the file (and the entry) for malformed YAML, an unknown tag, a tag used with the wrong
 * arguments, a version other than 1, or an entry without `model` or with a wrong field.
 */
export function parseBlueprint({ path, text }: BlueprintSource): ParsedBlueprint {
  const file = path;
  const root = loadYaml(file, text);
  if (!isMapping(root)) throw new BlueprintError({ file }, 'not a blueprint: the file must hold a mapping with `version` and `entries`');
  const version = root.version ?? 1;
  if (version !== 1) throw new BlueprintError({ file }, `invalid blueprint version ${JSON.stringify(version)}: only version 1 exists`);
  const metadata = parseMetadata(file, root.metadata);
  const context = optionalMapping({ file }, 'context', root.context);
  const entries = entryList(file, root.entries).map((entry, index) => parseEntry(file, entry, index));
  return { path, version: 1, metadata, name: metadata?.name ?? path, labels: metadata?.labels ?? {}, context, entries };
}
