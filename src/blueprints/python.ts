/**
 * The bits of Python that blueprint tags lean on: truthiness (`!If`, `!Condition`, `conditions`), `str()`/`repr()`
 * and `%` formatting (`!Format`), and deepmerge's `always_merger` (context, identifiers into attrs, `!Enumerate` MAP).
 */

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/** Python's `bool(value)`: None, False, 0, "", [] and {} are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

function pyNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value);
}

/** Python's `repr()` of plain data. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isPlainObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  return pyStr(value);
}

/** Python's `str()` of plain data. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value) || isPlainObject(value)) return pyRepr(value);
  return String(value);
}

/** A Python `TypeError`, as `%` formatting raises it. */
export class PyTypeError extends Error {}

const pyTypeName = (value: unknown): string => {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
};

function realNumber(value: unknown, conversion: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  throw new PyTypeError(`%${conversion} format: a real number is required, not ${pyTypeName(value)}`);
}

function pad(body: string, flags: string, width: number, numeric: boolean): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]/.test(body) ? body[0]! : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width);
}

function signed(text: string, negative: boolean, flags: string): string {
  if (negative) return `-${text}`;
  if (flags.includes('+')) return `+${text}`;
  if (flags.includes(' ')) return ` ${text}`;
  return text;
}

function exponent(value: number, precision: number, upper: boolean): string {
  const [mantissa, exp] = value.toExponential(precision).split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  const text = `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
  return upper ? text.toUpperCase() : text;
}

/** `%g`: exponent form when the (rounded) exponent is < -4 or >= precision, trailing zeros dropped unless `#`. */
function general(value: number, precision: number, flags: string, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const exp = Number(value.toExponential(p - 1).split('e')[1]);
  const text = exp < -4 || exp >= p ? exponent(value, p - 1, upper) : value.toFixed(Math.max(p - 1 - exp, 0));
  if (flags.includes('#')) return text;
  const [mantissa, rest] = text.split(/(?=[eE])/) as [string, string | undefined];
  return (mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa) + (rest ?? '');
}

function convert(conversion: string, value: unknown, flags: string, precision: number | undefined): { body: string; numeric: boolean } {
  switch (conversion) {
    case 's':
      return { body: precision === undefined ? pyStr(value) : pyStr(value).slice(0, precision), numeric: false };
    case 'r':
    case 'a':
      return { body: precision === undefined ? pyRepr(value) : pyRepr(value).slice(0, precision), numeric: false };
    case 'c':
      if (typeof value === 'string' && [...value].length === 1) return { body: value, numeric: false };
      return { body: String.fromCodePoint(Math.trunc(realNumber(value, 'c'))), numeric: false };
    case 'd':
    case 'i':
    case 'u': {
      const n = Math.trunc(realNumber(value, conversion));
      return { body: signed(String(Math.abs(n)), n < 0, flags), numeric: true };
    }
    case 'o':
    case 'x':
    case 'X': {
      const n = realNumber(value, conversion);
      if (!Number.isInteger(n)) throw new PyTypeError(`%${conversion} format: an integer is required, not float`);
      const base = conversion === 'o' ? 8 : 16;
      let digits = Math.abs(n).toString(base);
      if (conversion === 'X') digits = digits.toUpperCase();
      if (flags.includes('#')) digits = (conversion === 'o' ? '0o' : conversion === 'x' ? '0x' : '0X') + digits;
      return { body: signed(digits, n < 0, flags), numeric: true };
    }
    default: {
      const n = realNumber(value, conversion);
      const p = precision ?? 6;
      const lower = conversion.toLowerCase();
      const abs = Math.abs(n);
      const text =
        lower === 'f' ? abs.toFixed(p) : lower === 'e' ? exponent(abs, p, conversion === 'E') : general(abs, p, flags, conversion === 'G');
      return { body: signed(text, n < 0 || Object.is(n, -0), flags), numeric: true };
    }
  }
}

const SPEC = /%(\([^)]*\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])?/g;

/** Python's `format % tuple(args)`, with its TypeErrors (too few or too many arguments, a number expected). */
export function pyFormat(format: string, args: readonly unknown[]): string {
  let next = 0;
  const take = (): unknown => {
    if (next >= args.length) throw new PyTypeError('not enough arguments for format string');
    return args[next++];
  };
  const result = format.replace(
    SPEC,
    (
      whole,
      key: string | undefined,
      flags: string,
      width: string | undefined,
      precision: string | undefined,
      conversion: string | undefined,
    ) => {
      if (conversion === undefined) throw new PyTypeError(`incomplete format: ${whole}`);
      if (conversion === '%' && whole === '%%') return '%';
      if (key !== undefined) throw new PyTypeError('format requires a mapping');
      const w = width === '*' ? Math.trunc(realNumber(take(), '*')) : Number(width ?? 0);
      const p = precision === '*' ? Math.trunc(realNumber(take(), '*')) : precision === undefined ? undefined : Number(precision);
      if (conversion === '%') return '%';
      const { body, numeric } = convert(conversion, take(), flags, p);
      return pad(body, w < 0 ? `${flags}-` : flags, Math.abs(w), numeric);
    },
  );
  if (next < args.length) throw new PyTypeError('not all arguments converted during string formatting');
  return result;
}

/** deepmerge's `always_merger.merge(base, extra)`: mappings merge key by key, lists concatenate, anything else is replaced. */
export function alwaysMerge(base: unknown, extra: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(extra)) return [...(base as unknown[]), ...(extra as unknown[])];
  if (isPlainObject(base) && isPlainObject(extra)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(extra)) {
      if (key === '__proto__') continue;
      merged[key] = Object.hasOwn(merged, key) ? alwaysMerge(merged[key], value) : value;
    }
    return merged;
  }
  return extra;
}
