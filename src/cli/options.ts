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
export const MAX_DURATION_MS = 2 ** 31 - 1;

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

/** A host name or address for URLs and Host headers: IPv6 literals without their brackets, lower case. */
const bare = (host: string) =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');

/** An IPv4 or IPv6 literal (as opposed to a name that DNS, and so a DNS-rebinding attacker, answers for). */
export function isIpAddress(host: string): boolean {
  const h = bare(host);
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(h) || (h.includes(':') && /^[0-9a-f:.]+$/.test(h));
}

/** Only this machine can reach an address bound here: `localhost`, 127.0.0.0/8, `::1` (and IPv4-mapped 127.x). */
export function isLoopbackHost(host: string): boolean {
  const h = bare(host);
  return h === 'localhost' || h.endsWith('.localhost') || /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(h) || h === '::1';
}

/** `http://host:port` with an IPv6 literal bracketed. */
export function originOf(host: string, port: number): string {
  const h = bare(host);
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}
