/**
 * The few Python behaviours authentik's OAuth2 provider shows on the wire: `re.fullmatch` of redirect URI lines,
 * `re.escape`, `urllib.parse.quote`, `base64.b64decode`, `json.dumps` spacing.
 */

/** `str.split()`: the words between runs of whitespace (a provider's redirect URI lines). */
export function pySplit(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** `re.escape` (Python 3.7+): the regex metacharacters, space and the whitespace controls get a backslash. */
export function reEscape(text: string): string {
  return text.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, '\\$&');
}

const compiled = new Map<string, RegExp | null>();
const COMPILED_AT_MOST = 512;

/**
 * `re.fullmatch(pattern, text)`. Python's syntax where JS differs (`(?P<n>…)`, `(?P=n)`, `\A`, `\Z`, a leading
 * `(?i)`) is translated; a pattern that still does not compile raises, as Python's `re.error` does.
 */
export function fullmatch(pattern: string, text: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    if (compiled.size >= COMPILED_AT_MOST) compiled.clear();
    compiled.set(pattern, (regex = compile(pattern)));
  }
  if (!regex) throw new SyntaxError(`invalid regular expression: ${pattern}`);
  return regex.test(text);
}

function compile(pattern: string): RegExp | null {
  const ignoreCase = pattern.startsWith('(?i)');
  const body = (ignoreCase ? pattern.slice(4) : pattern)
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  try {
    return new RegExp(`^(?:${body})$`, ignoreCase ? 'i' : '');
  } catch {
    return null;
  }
}

/** `urllib.parse.quote(text)` (safe `/`): every byte but letters, digits, `_.-~/` percent-encoded. */
export function quote(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/**
 * `base64.b64decode(text).decode("utf-8")`, or undefined where Python raises: characters outside the alphabet are
 * discarded first (Python's default `validate=False`), wrong padding and bytes that are no UTF-8 fail.
 */
export function b64decodeUtf8(text: string): string | undefined {
  const cleaned = text.replace(/[^A-Za-z0-9+/=]/g, '');
  const data = cleaned.replace(/=+$/, '');
  if (data.includes('=') || data.length % 4 === 1 || (cleaned.length > data.length && cleaned.length % 4 !== 0)) return undefined;
  try {
    const binary = atob(data + '='.repeat((4 - (data.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * `json.dumps(value)` as Django's JsonResponse writes it: `", "` and `": "` between items, non-ASCII escaped
 * (`ensure_ascii`); with `indent`, one item a line (`","` at line ends), as `json.dumps(value, indent=2)`.
 */
export function pyJson(value: unknown, indent?: number): string {
  const text = indent === undefined ? compactPyJson(value) : JSON.stringify(value, null, indent);
  // The characters json.dumps escapes with ensure_ascii.
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function compactPyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => compactPyJson(item ?? null)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${compactPyJson(item)}`).join(', ')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** `int(timedelta.total_seconds())`: whole seconds, towards zero. */
export const wholeSeconds = (ms: number): number => Math.trunc(ms / 1000);
