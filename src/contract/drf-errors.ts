import type { ErrorObject } from 'ajv';
import { FIELD_MESSAGES as MESSAGES, pythonTypeName } from './authentik-messages.js';
import { isPlainObject } from './types.js';

/** DRF's 400 body: field → messages, nested objects nest, list items keyed by index. */
export type DrfErrors = { [field: string]: string[] | DrfErrors };

export const SLUG_PATTERN = '^[-a-zA-Z0-9_]+$';
const FORMAT_MESSAGES: Record<string, string> = {
  uuid: MESSAGES.uuid,
  email: MESSAGES.email,
  uri: MESSAGES.url,
  url: MESSAGES.url,
  'date-time': MESSAGES.dateTime,
  date: MESSAGES.date,
  int32: MESSAGES.integer,
  int64: MESSAGES.integer,
  float: MESSAGES.number,
  double: MESSAGES.number,
};

function typeMessage(expected: unknown, value: unknown): string {
  const types = (Array.isArray(expected) ? expected : [expected]).filter((t) => t !== 'null');
  if (value === null) return MESSAGES.null;
  switch (types[0]) {
    case 'integer':
      return MESSAGES.integer;
    case 'number':
      return MESSAGES.number;
    case 'boolean':
      return MESSAGES.boolean;
    case 'array':
      return MESSAGES.notAList(pythonTypeName(value));
    case 'object':
      return MESSAGES.notADict(pythonTypeName(value));
    default:
      return MESSAGES.string;
  }
}

/** The message DRF would give for one AJV error, or undefined for errors that only echo another (if/else, anyOf). */
function messageFor(error: ErrorObject, value: unknown): string | undefined {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return MESSAGES.required;
    case 'type':
      return typeMessage(params.type, value);
    case 'enum':
      return value === null ? MESSAGES.null : MESSAGES.choice(value);
    case 'maxLength':
      return MESSAGES.maxLength(params['limit'] as number);
    case 'minLength':
      return value === '' ? MESSAGES.blank : MESSAGES.minLength(params['limit'] as number);
    case 'maximum':
    case 'exclusiveMaximum':
      return MESSAGES.maximum(params['limit'] as number);
    case 'minimum':
    case 'exclusiveMinimum':
      return MESSAGES.minimum(params['limit'] as number);
    case 'maxItems':
      return MESSAGES.maxItems(params['limit'] as number);
    case 'minItems':
      return MESSAGES.minItems(params['limit'] as number);
    case 'format':
      return FORMAT_MESSAGES[params.format as string] ?? MESSAGES.invalid;
    case 'pattern':
      return params.pattern === SLUG_PATTERN ? MESSAGES.slug : MESSAGES.pattern;
    case 'if':
    case 'anyOf':
    case 'oneOf':
    case 'additionalProperties':
      return undefined;
    default:
      return MESSAGES.invalid;
  }
}

function decodePointer(instancePath: string): string[] {
  return instancePath === ''
    ? []
    : instancePath
        .slice(1)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, path: string[]): unknown {
  let node = root;
  for (const key of path) node = isPlainObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** Own-property write: a key such as `__proto__` becomes a plain field, never a prototype. */
export function setOwn<T extends object>(target: T, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Adds a field's message. A blank CharField fails with "This field may not be blank." alone: DRF refuses `""` before
 * any validator runs (CharField.run_validation), so a format or pattern says nothing about it.
 */
function addMessage(errors: DrfErrors, path: string[], message: string): void {
  const fieldPath = path.length === 0 ? ['non_field_errors'] : path;
  let node = errors;
  for (const key of fieldPath.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (Array.isArray(next)) return; // the field already failed as a whole; DRF does not descend into it
    if (!next) setOwn(node, key, {});
    node = node[key] as DrfErrors;
  }
  const last = fieldPath[fieldPath.length - 1]!;
  const existing = Object.hasOwn(node, last) ? node[last] : undefined;
  if (existing === undefined || message === MESSAGES.blank) setOwn(node, last, [message]);
  else if (Array.isArray(existing) && !existing.includes(message) && !existing.includes(MESSAGES.blank)) existing.push(message);
}

/** AJV errors of a request body → the DRF 400 body, every field's problems at once. */
export function toDrfErrors(ajvErrors: readonly ErrorObject[], body: unknown): DrfErrors {
  const errors: DrfErrors = {};
  for (const error of ajvErrors) {
    const path = decodePointer(error.instancePath);
    if (error.keyword === 'required') path.push((error.params as { missingProperty: string }).missingProperty);
    const message = messageFor(error, error.keyword === 'required' ? undefined : valueAt(body, path));
    if (message) addMessage(errors, path, message);
  }
  // Only composite keywords failed (no variant of a oneOf fits): still a 400 that says something.
  if (Object.keys(errors).length === 0 && ajvErrors.length > 0) addMessage(errors, [], MESSAGES.invalid);
  return errors;
}
