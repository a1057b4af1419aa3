/**
 * Evaluating blueprint tags, following each tag's `resolve` in authentik/blueprints/v1/common.py (2024.8).
 *
 * One deliberate difference: arguments are evaluated all the way down. authentik resolves only a tag's direct
 * arguments (a tag nested in a list argument, in a context value or in a default reaches the serializer as a Python
 * object and fails there); here nested tags are evaluated too, so what fails in authentik works here instead.
 */
import { PyTypeError, alwaysMerge, pyFormat, pyRepr, truthy } from './python.js';
import { isTag, type BlueprintValue, type YamlTag } from './tag.js';
import type { BlueprintRecord, BlueprintTarget } from './types.js';
import type { FieldErrors } from './errors.js';

/** An entry cannot be evaluated or applied; the importer adds the file and entry to the reason. */
export class EntryInvalid extends Error {
  constructor(
    readonly reason: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(reason);
  }
}

/** A model the target does not know (entry model or `!Find`): an error or a skipped entry, as the options say. */
export class UnknownModel extends EntryInvalid {
  constructor(readonly model: string) {
    super(`unknown model ${model}: the target has no such model`);
  }
}

export const POLICY_BINDING_MODEL = 'authentik_policies.policybinding';

/** A record an entry of this blueprint created, found or updated (`BlueprintEntry._state.instance`). */
export interface EntryInstance {
  model: string;
  record: BlueprintRecord;
}

interface EnumerationFrame {
  current: readonly [unknown, unknown] | undefined;
}

export interface EvalScope {
  /** The model of the entry being evaluated (lowercased), for `!KeyOf`'s policy-binding case. */
  entryModel: string;
  context: Record<string, unknown>;
  env: Record<string, string | undefined>;
  files: Record<string, string>;
  target: BlueprintTarget;
  /** The first entry with this `id` that has an instance (`KeyOf.resolve`). */
  instanceOf(id: string): EntryInstance | undefined;
  warn(message: string): void;
  /** Open `!Enumerate` tags, innermost last (`BlueprintEntry.__tag_contexts`). */
  enumerations: EnumerationFrame[];
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !isTag(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

/** Plain JSON-like data, `__proto__` keys dropped (what `!ParseJSON` and `!FindObject` bring in). */
function plainData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainData);
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (key !== '__proto__') out[key] = plainData(inner);
    return out;
  }
  return value;
}

/** `app_label.model_name` as Django's registry reads it: the model name is case-insensitive. */
export function normalizeModel(name: unknown): string {
  if (typeof name !== 'string' || name.split('.').length !== 2)
    throw new EntryInvalid(`model ${pyRepr(name)} is not \`app_label.model_name\``);
  const [app, model] = name.split('.') as [string, string];
  return `${app}.${model.toLowerCase()}`;
}

/** A value with every tag in it evaluated. */
export function evaluate(value: BlueprintValue | undefined, scope: EvalScope): unknown {
  if (value === undefined) return null;
  if (isTag(value)) return evaluateTag(value, scope);
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope));
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = evaluate(inner as BlueprintValue, scope);
    return out;
  }
  return value;
}

function keyOf(tag: YamlTag, scope: EvalScope): unknown {
  const id = String(tag.args[0]);
  const instance = scope.instanceOf(id);
  if (!instance) throw new EntryInvalid(`KeyOf: failed to find entry with \`id\` of \`${id}\` and a model instance`);
  const keys = scope.target.keysOf(instance.model, instance.record);
  // A policy binding's target is the PolicyBindingModel's own key, not the subclass's pk (flows, stage bindings…).
  if (scope.entryModel === POLICY_BINDING_MODEL && keys.policyBindingModelKey !== undefined) return keys.policyBindingModelKey;
  return keys.pk;
}

/** `!Env`, `!Context` and `!File`: a key, and a default when written as a sequence. */
function keyAndDefault(tag: YamlTag, scope: EvalScope): { key: unknown; fallback: () => unknown } {
  const key = tag.scalar ? tag.args[0] : evaluate(tag.args[0], scope);
  return { key, fallback: () => (tag.scalar ? null : evaluate(tag.args[1], scope)) };
}

function env(tag: YamlTag, scope: EvalScope): unknown {
  const { key, fallback } = keyAndDefault(tag, scope);
  if (typeof key !== 'string') throw new EntryInvalid(`Env: the variable name must be a string, not ${pyRepr(key)}`);
  const value = Object.hasOwn(scope.env, key) ? scope.env[key] : undefined;
  // `getenv(key) or default`: an empty variable counts as unset.
  return value ? value : fallback();
}

function file(tag: YamlTag, scope: EvalScope): unknown {
  const { key: path, fallback } = keyAndDefault(tag, scope);
  if (typeof path === 'string' && Object.hasOwn(scope.files, path)) return scope.files[path]!.trim();
  scope.warn(`File: ${pyRepr(path)} was not given; using the default`);
  return fallback();
}

function context(tag: YamlTag, scope: EvalScope): unknown {
  const { key, fallback } = keyAndDefault(tag, scope);
  if (typeof key === 'string' && Object.hasOwn(scope.context, key)) return evaluate(scope.context[key] as BlueprintValue, scope);
  return fallback();
}

function parseJson(tag: YamlTag): unknown {
  try {
    return plainData(JSON.parse(String(tag.args[0])));
  } catch (error) {
    throw new EntryInvalid(`ParseJSON: ${(error as Error).message}`);
  }
}

function format(tag: YamlTag, scope: EvalScope): string {
  const [template, ...args] = tag.args.map((arg) => evaluate(arg, scope));
  if (typeof template !== 'string') throw new EntryInvalid(`Format: the format must be a string, not ${pyRepr(template)}`);
  try {
    return pyFormat(template, args);
  } catch (error) {
    if (error instanceof PyTypeError) throw new EntryInvalid(`Format: ${error.message}`);
    throw error;
  }
}

/** `Find._get_instance`: the first record of the model matching every [field, value] pair. */
function findRecord(tag: YamlTag, scope: EvalScope): { model: string; record: BlueprintRecord | undefined } {
  const model = normalizeModel(evaluate(tag.args[0], scope));
  if (!scope.target.hasModel(model)) throw new UnknownModel(model);
  const equals: Record<string, unknown> = {};
  for (const pair of tag.args.slice(1) as BlueprintValue[][]) {
    const field = evaluate(pair[0], scope);
    const value = evaluate(pair[1], scope);
    if (typeof field !== 'string') throw new EntryInvalid(`${tag.name}: a query field must be a string, not ${pyRepr(field)}`);
    // Q(a=1) & Q(a=2) matches nothing.
    if (Object.hasOwn(equals, field) && JSON.stringify(equals[field]) !== JSON.stringify(value)) return { model, record: undefined };
    equals[field] = value;
  }
  try {
    return { model, record: scope.target.find(model, { equals, contains: {} }) };
  } catch (error) {
    throw new EntryInvalid(`${tag.name}: ${(error as Error).message}`);
  }
}

function find(tag: YamlTag, scope: EvalScope): unknown {
  const { model, record } = findRecord(tag, scope);
  return record ? scope.target.keysOf(model, record).pk : null;
}

/** `!FindObject` (authentik ≥ 2025.8): the record's serialized data. */
function findObject(tag: YamlTag, scope: EvalScope): unknown {
  const { record } = findRecord(tag, scope);
  return record ? plainData(record) : null;
}

const COMPARATORS: Record<string, (values: boolean[]) => boolean> = {
  AND: (values) => values.every(Boolean),
  NAND: (values) => !values.every(Boolean),
  OR: (values) => values.some(Boolean),
  NOR: (values) => !values.some(Boolean),
  XOR: (values) => values.reduce((a, b) => a !== b),
  XNOR: (values) => !values.reduce((a, b) => a !== b),
};

function condition(tag: YamlTag, scope: EvalScope): boolean {
  const [mode, ...args] = tag.args.map((arg) => evaluate(arg, scope));
  if (args.length === 0) throw new EntryInvalid('Condition: At least one value is required after mode selection.');
  const comparator = typeof mode === 'string' ? COMPARATORS[mode.toUpperCase()] : undefined;
  if (!comparator) throw new EntryInvalid(`Condition: unknown mode ${pyRepr(mode)} (AND, NAND, OR, NOR, XOR, XNOR)`);
  return comparator(args.map(truthy));
}

function ifTag(tag: YamlTag, scope: EvalScope): unknown {
  const holds = truthy(evaluate(tag.args[0], scope));
  if (tag.args.length === 1) return holds;
  return evaluate(holds ? tag.args[1] : tag.args[2], scope);
}

/** The (index or key, value) pairs `!Enumerate` walks: a list's items, a mapping's items, a string's characters. */
function enumerationItems(iterable: unknown): Array<readonly [unknown, unknown]> | undefined {
  if (typeof iterable === 'string') return [...iterable].map((char, i) => [i, char] as const);
  if (Array.isArray(iterable)) return iterable.map((item, i) => [i, item] as const);
  if (isMapping(iterable)) return Object.entries(iterable);
  return undefined;
}

function addToMap(result: Record<string, unknown>, item: unknown): Record<string, unknown> {
  if (Array.isArray(item) && item.length >= 2) return alwaysMerge(result, { [String(item[0])]: item[1] }) as Record<string, unknown>;
  if (isMapping(item)) return alwaysMerge(result, item) as Record<string, unknown>;
  throw new EntryInvalid(`Invalid Enumerate item found: ${pyRepr(item)}`);
}

function enumerate(tag: YamlTag, scope: EvalScope): unknown {
  const [iterableArg, outputArg, body] = tag.args;
  if (isTag(iterableArg) && (iterableArg.name === 'Index' || iterableArg.name === 'Value') && Number(iterableArg.args[0]) === 0)
    throw new EntryInvalid(
      "Enumerate tag's iterable references this tag's context. This is a noop. Check you are setting depth bigger than 0.",
    );
  const frame: EnumerationFrame = { current: undefined };
  scope.enumerations.push(frame);
  try {
    const items = enumerationItems(evaluate(iterableArg, scope));
    if (!items) throw new EntryInvalid("Enumerate's iterable must be an iterable such as a sequence or a mapping");
    const output = evaluate(outputArg, scope);
    const mode = typeof output === 'string' ? output.toUpperCase() : undefined;
    if (mode !== 'SEQ' && mode !== 'MAP') throw new EntryInvalid(`Enumerate: the output must be SEQ or MAP, not ${pyRepr(output)}`);
    let result: unknown[] | Record<string, unknown> = mode === 'SEQ' ? [] : {};
    for (const item of items) {
      frame.current = item;
      const value = evaluate(body, scope);
      result = Array.isArray(result) ? [...result, value] : addToMap(result, value);
    }
    return result;
  } finally {
    scope.enumerations.pop();
  }
}

/** `!Index` / `!Value`: the current item of the `!Enumerate` `depth` levels out (`EnumeratedItem.resolve`). */
function enumeratedItem(tag: YamlTag, scope: EvalScope): unknown {
  const depth = Number.parseInt(String(tag.args[0]), 10);
  if (depth < 0) throw new EntryInvalid(`${tag.name} tag: depth must be a positive number or zero`);
  const frames = scope.enumerations;
  if (depth >= frames.length) {
    if (depth === 0) throw new EntryInvalid(`${tag.name} tags are only usable inside an Enumerate tag`);
    throw new EntryInvalid(`${tag.name} tag: invalid depth: ${depth}. Max depth: ${frames.length - 1}`);
  }
  const current = frames[frames.length - 1 - depth]!.current;
  if (!current) throw new EntryInvalid('Empty/invalid context: ()');
  return tag.name === 'Index' ? current[0] : current[1];
}

function atIndex(tag: YamlTag, scope: EvalScope): unknown {
  const collection = evaluate(tag.args[0], scope);
  const index = evaluate(tag.args[1], scope);
  const hasDefault = tag.args.length === 3;
  const orDefault = (reason: string) => {
    if (!hasDefault) throw new EntryInvalid(reason);
    return evaluate(tag.args[2], scope);
  };
  if (Array.isArray(collection)) {
    const position = typeof index === 'boolean' ? Number(index) : index;
    if (typeof position !== 'number' || !Number.isInteger(position)) throw new EntryInvalid(`Invalid index for list: ${pyRepr(index)}`);
    // Python indexing: negative positions count from the end.
    const at = position < 0 ? collection.length + position : position;
    return at >= 0 && at < collection.length ? collection[at] : orDefault(`Index out of range: ${position}`);
  }
  if (isMapping(collection)) {
    const key = String(index);
    return Object.hasOwn(collection, key) ? collection[key] : orDefault(`Key does not exist: ${pyRepr(index)}`);
  }
  throw new EntryInvalid(`AtIndex: ${pyRepr(collection)} is neither a sequence nor a mapping`);
}

const EVALUATORS: Record<YamlTag['name'], (tag: YamlTag, scope: EvalScope) => unknown> = {
  KeyOf: keyOf,
  Env: env,
  File: file,
  Context: context,
  ParseJSON: parseJson,
  Format: format,
  Find: find,
  FindObject: findObject,
  Condition: condition,
  If: ifTag,
  Enumerate: enumerate,
  Index: enumeratedItem,
  Value: enumeratedItem,
  AtIndex: atIndex,
};

function evaluateTag(tag: YamlTag, scope: EvalScope): unknown {
  return EVALUATORS[tag.name](tag, scope);
}
