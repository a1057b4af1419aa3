import { setOwn } from './drf-errors.js';
import { isPlainObject, propertiesOf, refName, requiredOf, type JsonSchema } from './types.js';

/*
 * How Django REST framework's serializer fields read what a client sends, before any validator runs
 * (rest_framework/fields.py and relations.py, DRF 3.15 as authentik 2024.8 ships it), told from the schema
 * drf-spectacular wrote for each field. Reading only converts what the field would accept; a value it would refuse
 * is left as sent, so that validation says why in DRF's words.
 */

/** A serializer field's kind, as its schema shows it. */
/** `json`: a schema with no type (a JSONField); `other`: a string of another field (dates, times, decimals). */
export type FieldKind = 'char' | 'choice' | 'integer' | 'number' | 'boolean' | 'uuid' | 'file' | 'list' | 'object' | 'json' | 'other';

export interface FieldShape {
  kind: FieldKind;
  /** `allow_null`: the schema (or a wrapper of it) is `nullable`, or a choice lists null. */
  nullable: boolean;
  /**
   * `allow_blank`: a CharField whose schema has no `minLength` (drf-spectacular writes `minLength: 1` for every
   * CharField with allow_blank=False, drf_spectacular/openapi.py `_get_serializer_field_meta`), or a ChoiceField whose
   * choices hold `''`.
   */
  allowBlank: boolean;
  choices?: readonly unknown[];
  /** A list's item schema. */
  items?: JsonSchema;
  /** A nested object's fields, and the schema of any other key (a DictField's child). */
  properties?: Record<string, JsonSchema>;
  additional?: JsonSchema;
  required?: ReadonlySet<string>;
}

/**
 * Formats drf-spectacular gives fields that are no CharField (UUIDField, DateTimeField, DateField, TimeField,
 * DurationField, FileField, DecimalField, and number formats): these refuse `""`. Every other string
 * (EmailField `email`, URLField `uri`, IPAddressField `ipv4`/`ipv6`, SlugField and RegexField `pattern`, a plain
 * CharField) is a CharField.
 */
const NOT_CHAR_FORMATS = new Set([
  'uuid',
  'date',
  'date-time',
  'time',
  'duration',
  'binary',
  'byte',
  'decimal',
  'int32',
  'int64',
  'float',
  'double',
]);

/** A string schema that is a DRF CharField (or a subclass): no choice, and no format of another field. */
export function isCharField(schema: JsonSchema): boolean {
  return schema.type === 'string' && !Array.isArray(schema.enum) && !NOT_CHAR_FORMATS.has(schema.format ?? '');
}

/** A CharField that takes `""` (allow_blank=True): drf-spectacular writes `minLength` only for allow_blank=False. */
export function isBlankableCharField(schema: JsonSchema): boolean {
  return isCharField(schema) && !(typeof schema.minLength === 'number' && schema.minLength > 0);
}

// BooleanField.TRUE_VALUES / FALSE_VALUES / NULL_VALUES (1.0 and 0.0 are 1 and 0 in JavaScript).
const TRUE_VALUES = new Set<unknown>([...'t T y Y yes Yes YES true True TRUE on On ON 1'.split(' '), 1, true]);
const FALSE_VALUES = new Set<unknown>([...'f F n N no No NO false False FALSE off Off OFF 0'.split(' '), 0, false]);
const NULL_VALUES = new Set<unknown>(['null', 'Null', 'NULL', '', null]);
/** IntegerField and FloatField refuse longer strings ("String value too large."), before parsing them. */
const MAX_STRING_LENGTH = 1000;
/** Python's `int()` text: a sign, digits, single underscores between digits (surrounding whitespace stripped first). */
const PYTHON_INT = /^[+-]?\d+(?:_\d+)*$/;
const DIGITS = String.raw`\d+(?:_\d+)*`;
/** Python's `float()` text for a finite number (`inf` and `nan` are left out: JSON cannot hold them). */
const PYTHON_FLOAT = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);

/**
 * Reads request values as DRF's fields do, for one contract (its `resolve`). Shapes are worked out once per schema
 * object.
 */
export class DrfFieldReader {
  private readonly shapes = new WeakMap<JsonSchema, FieldShape>();

  constructor(private readonly resolve: (schema: JsonSchema) => JsonSchema) {}

  /** The field a schema describes, through `$ref`s and one-element `allOf` wrappers (a nullable enum). */
  shape(schema: JsonSchema): FieldShape {
    let shape = this.shapes.get(schema);
    if (!shape) this.shapes.set(schema, (shape = this.shapeOf(schema)));
    return shape;
  }

  private shapeOf(schema: JsonSchema): FieldShape {
    let current = schema;
    let nullable = false;
    for (let depth = 0; depth < 16; depth++) {
      if (current.nullable === true) nullable = true;
      if (refName(current) !== undefined) current = this.resolve(current);
      else if (Array.isArray(current.allOf) && current.allOf.length === 1 && isPlainObject(current.allOf[0])) current = current.allOf[0];
      else break;
    }
    const choices = this.choicesOf(current);
    if (choices) {
      const values = choices.filter((c) => c !== null);
      return { kind: 'choice', nullable: nullable || values.length < choices.length, allowBlank: values.includes(''), choices: values };
    }
    const base = { nullable, allowBlank: false };
    switch (current.type) {
      case 'integer':
      case 'number':
      case 'boolean':
        return { ...base, kind: current.type };
      case 'array':
        return { ...base, kind: 'list', ...(isPlainObject(current.items) ? { items: current.items } : {}) };
      case 'object':
        return this.objectShape(current, nullable);
      case 'string':
        if (current.format === 'uuid') return { ...base, kind: 'uuid' };
        if (current.format === 'binary') return { ...base, kind: 'file' };
        return isCharField(current) ? { kind: 'char', nullable, allowBlank: isBlankableCharField(current) } : { ...base, kind: 'other' };
      default:
        if (isPlainObject(current.properties)) return this.objectShape(current, nullable);
        return { ...base, kind: current.type === undefined ? 'json' : 'other' };
    }
  }

  /** An enum's choices; a `oneOf` of enums (drf-spectacular's `BlankEnum`/`NullEnum` beside the choices) merged. */
  private choicesOf(schema: JsonSchema): unknown[] | undefined {
    if (Array.isArray(schema.enum)) return schema.enum;
    const branches = schema.oneOf ?? schema.anyOf;
    if (!Array.isArray(branches) || branches.length === 0) return undefined;
    const lists = branches.map((branch) => (isPlainObject(branch) ? this.shape(branch) : undefined));
    if (!lists.every((s) => s?.kind === 'choice')) return undefined;
    return lists.flatMap((s) => [...s!.choices!, ...(s!.nullable ? [null] : [])]);
  }

  private objectShape(schema: JsonSchema, nullable: boolean): FieldShape {
    const shape: FieldShape = {
      kind: 'object',
      nullable,
      allowBlank: false,
      properties: propertiesOf(schema),
      required: requiredOf(schema),
    };
    if (isPlainObject(schema.additionalProperties)) shape.additional = schema.additionalProperties;
    return shape;
  }

  /** A value as the field's `to_internal_value` reads it; the value itself when the field would refuse it. */
  read(schema: JsonSchema, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    const shape = this.shape(schema);
    switch (shape.kind) {
      case 'char':
        return readChar(value);
      case 'choice':
        return readChoice(shape, value);
      case 'integer':
        return readInteger(value);
      case 'number':
        return readNumber(value);
      case 'boolean':
        return readBoolean(shape, value);
      case 'uuid':
        return readUuid(value);
      case 'list':
        return Array.isArray(value) && shape.items ? this.readList(shape.items, value) : value;
      case 'object':
        return isPlainObject(value) ? this.readObject(shape, value) : value;
      default:
        return value;
    }
  }

  /** A list: each item read by the child field; the list itself when every item reads as sent. */
  private readList(items: JsonSchema, value: unknown[]): unknown[] {
    let out: unknown[] | undefined;
    value.forEach((item, index) => {
      const read = this.read(items, item);
      if (read !== item) (out ??= [...value])[index] = read;
    });
    return out ?? value;
  }

  /**
   * An object: each field it documents read, anything else kept as sent (a serializer ignores it); the object
   * itself when every field reads as sent.
   */
  private readObject(shape: FieldShape, value: Record<string, unknown>): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const schema = shape.properties && Object.hasOwn(shape.properties, key) ? shape.properties[key] : shape.additional;
      const read = schema ? this.read(schema, item) : item;
      if (read !== item) setOwn((out ??= copy(value)), key, read);
    }
    return out ?? value;
  }
}

/** A shallow copy made of own properties only (a key such as `__proto__` stays a plain field). */
function copy(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) setOwn(out, key, item);
  return out;
}

/**
 * CharField.run_validation / to_internal_value: blank (or only whitespace) is `""`, numbers are read as text
 * (booleans and anything else are refused), and surrounding whitespace is trimmed (trim_whitespace defaults to True).
 */
function readChar(value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? value.trim() : value;
}

/** ChoiceField.to_internal_value: `""` when blank is allowed, else the choice whose text is the value's text. */
function readChoice(shape: FieldShape, value: unknown): unknown {
  if (value === '' && shape.allowBlank) return '';
  const text = pythonText(value);
  return text === undefined ? value : (shape.choices!.find((choice) => pythonText(choice) === text) ?? value);
}

/** `str()` of a JSON scalar, as Python writes it; undefined for lists and objects (never a choice). */
function pythonText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** IntegerField.to_internal_value: `int(re.sub(r'\.0*\s*$', '', str(data)))`. */
function readInteger(value: unknown): unknown {
  if (typeof value !== 'string' || value.length > MAX_STRING_LENGTH) return value;
  const text = value.replace(/\.0*\s*$/, '').trim();
  return PYTHON_INT.test(text) ? Number(text.replace(/_/g, '')) : value;
}

/** FloatField.to_internal_value: `float(data)` (a boolean is 1.0 or 0.0 to Python). */
function readNumber(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string' || value.length > MAX_STRING_LENGTH) return value;
  const text = value.trim();
  const number = PYTHON_FLOAT.test(text) ? Number(text.replace(/_/g, '')) : NaN;
  return Number.isFinite(number) ? number : value;
}

/** BooleanField.to_internal_value: DRF's true and false texts; its null texts when the field allows null. */
function readBoolean(shape: FieldShape, value: unknown): unknown {
  if (TRUE_VALUES.has(value)) return true;
  if (FALSE_VALUES.has(value)) return false;
  return shape.nullable && NULL_VALUES.has(value) ? null : value;
}

/**
 * UUIDField (and a UUID primary key, Django's UUIDField.to_python): Python's `uuid.UUID(hex=…)` takes the hex with
 * or without hyphens and braces, any case, an `urn:uuid:` prefix; the value is kept as DRF shows it, lowercase with
 * hyphens.
 */
function readUuid(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const hex = value
    .replace(/urn:/g, '')
    .replace(/uuid:/g, '')
    .replace(/^\{+|\}+$/g, '')
    .replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) return value;
  const lower = hex.toLowerCase();
  return `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Form input (`application/x-www-form-urlencoded`, `multipart/form-data`)

/** A form's fields as Django's QueryDict holds them: every value of each name, in order (a file as its name). */
export type FormFields = ReadonlyMap<string, readonly string[]>;

const SKIP = Symbol('left out');

/**
 * What each serializer field takes from a form (DRF's `Field.get_value` for HTML input, and the overrides of
 * BooleanField, ListField, MultipleChoiceField, ManyRelatedField, DictField, JSONField and nested serializers):
 * - a field left out: skipped on a partial update; else a boolean is `false` (default_empty_html) and a list of
 *   choices or of keys is `[]` (MultipleChoiceField, ManyRelatedField); anything else is left out (its default,
 *   or "This field is required.");
 * - `""`: `""` where blank is allowed, else null where null is allowed, else left out unless required;
 * - the last value of a repeated name, except for lists: every value (or `name[0]`, `name[1]`…);
 * - an object: its `name.key` entries, or the JSON text of `name` (a JSONField).
 * The values stay text: `DrfFieldReader.read` then reads them as it reads JSON.
 */
export function formBody(reader: DrfFieldReader, schema: JsonSchema, form: FormFields, partial: boolean): Record<string, unknown> {
  const shape = reader.shape(schema);
  const out: Record<string, unknown> = {};
  for (const [field, fieldSchema] of Object.entries(shape.properties ?? {})) {
    const value = formValue(reader, reader.shape(fieldSchema), { field, form, partial, required: shape.required?.has(field) === true });
    if (value !== SKIP) setOwn(out, field, value);
  }
  return out;
}

interface FormField {
  field: string;
  form: FormFields;
  partial: boolean;
  required: boolean;
}

function formValue(reader: DrfFieldReader, shape: FieldShape, at: FormField): unknown {
  if (shape.kind === 'list') return formList(reader, shape, at);
  if (shape.kind === 'object') return formObject(at);
  const value = at.form.get(at.field)?.at(-1);
  if (value === undefined) return at.partial || shape.kind !== 'boolean' ? SKIP : false;
  if (shape.kind === 'json') return parsedJson(value);
  if (value !== '') return value;
  if (shape.nullable) return shape.allowBlank ? '' : null;
  return at.required || shape.allowBlank ? '' : SKIP;
}

function formList(reader: DrfFieldReader, shape: FieldShape, at: FormField): unknown {
  const repeated = at.form.get(at.field);
  if (repeated && repeated.length > 0) return [...repeated];
  const indexed: Array<[number, string]> = [];
  for (const [name, values] of at.form) {
    const index = name.startsWith(`${at.field}[`) ? /^\[(\d+)\]$/.exec(name.slice(at.field.length)) : null;
    if (index && values.length > 0) indexed.push([Number(index[1]), values[values.length - 1]!]);
  }
  if (indexed.length > 0) return indexed.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  if (at.partial) return SKIP;
  // MultipleChoiceField and ManyRelatedField read a missing name as an empty list; a ListField leaves it out.
  const item = shape.items ? reader.shape(shape.items).kind : undefined;
  return item === 'choice' || item === 'integer' || item === 'uuid' ? [] : SKIP;
}

function formObject(at: FormField): unknown {
  const prefix = `${at.field}.`;
  const entries = [...at.form].filter(([name, values]) => name.startsWith(prefix) && name.length > prefix.length && values.length > 0);
  if (entries.length > 0) {
    const out: Record<string, unknown> = {};
    for (const [name, values] of entries) setOwn(out, name.slice(prefix.length), values[values.length - 1]);
    return out;
  }
  const text = at.form.get(at.field)?.at(-1);
  return text === undefined ? SKIP : parsedJson(text);
}

/** JSONField.get_value marks form text as JSON; text that is not JSON stays text (and fails validation as such). */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
