import { InvalidArgumentError } from 'commander';

/** Commander parser for whole-number options: `--port abc` is an error that names the option, not NaN. */
export function wholeNumber(min = 0): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`expected a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${value}"`);
    return Number(value);
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** setInterval's longest period (a larger one silently becomes 1 ms). */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** `90s`, `30m`, `1h`, `1h30m`, `1.5h`, `500ms`, `1d` → milliseconds; `undefined` when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g) : null;
  if (!parts) return undefined;
  let ms = 0;
  for (const part of parts) {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(part)!;
    ms += Number(amount) * UNITS[unit!]!;
  }
  return Math.round(ms);
}

/** Commander parser for a duration option (ms); `min` keeps a period from hammering the server. */
export function duration(min = 1): (value: string) => number {
  return (value: string) => {
    const ms = parseDuration(value.trim());
    if (ms === undefined) throw new InvalidArgumentError(`expected a duration such as 90s, 30m, 1h or 1h30m, got "${value}"`);
    if (ms < min) throw new InvalidArgumentError(`expected at least ${formatDuration(min)}, got "${value}"`);
    if (ms > MAX_DURATION_MS)
      throw new InvalidArgumentError(`expected at most ${formatDuration(MAX_DURATION_MS)} (24 days), got "${value}"`);
    return ms;
  };
}

/** Milliseconds the way `parseDuration` reads them back: 5400000 → `1h30m`, 1500 → `1s500ms`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNITS[unit]!;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** Commander parser for a comma-separated list (`a, b,,c` → `['a', 'b', 'c']`). */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Commander parser for a choice among fixed values. */
export function oneOf<T extends string>(...choices: T[]): (value: string) => T {
  return (value: string) => {
    if (!(choices as string[]).includes(value))
      throw new InvalidArgumentError(`expected ${choices.map((c) => `"${c}"`).join(' or ')}, got "${value}"`);
    return value as T;
  };
}

/** Commander parser for `--port`: 0 (any free port) to 65535. */
export function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError(`expected a port from 0 to 65535 (0: any free port), got "${value}"`);
  return Number(value);
}

/** Commander parser for an http(s) URL. */
export function httpUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new InvalidArgumentError(`not a URL, got "${value}" (expected http://host:port or https://…)`);
  return value;
}

/**
 * Commander's error for a bad option value (`option '--port <port>' argument 'x' is invalid. expected …`) as one
 * line that starts with the flag: `--port: expected …`. Other errors are left as they are.
 */
export function flagErrorText(text: string): string {
  return text.replace(/option '(-[-\w]+)[^']*' argument '(?:[^']|'(?! is invalid))*' is invalid\. /, '$1: ');
}
