/**
 * authentik's duration strings (authentik/lib/utils/time.py `timedelta_from_string`: `hours=1;minutes=2`,
 * `seconds=0`, `weeks=4`) in milliseconds; an unreadable part counts as 0, a negative amount stays negative as in Python's
 * timedelta. Generated records (expiry dates), flows (session and consent durations) and OAuth2 (token validity) read
 * them alike.
 */
const UNITS: Record<string, number> = {
  weeks: 604_800_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
  microseconds: 0.001,
};

const MAX_MS = 1e14;

export function durationMs(text: unknown): number {
  if (typeof text !== 'string') return 0;
  let total = 0;
  for (const part of text.split(';')) {
    const [unit = '', amount = ''] = part.split('=').map((s) => s.trim());
    const value = Number(amount);
    if (Object.hasOwn(UNITS, unit) && Number.isFinite(value)) total += UNITS[unit]! * value;
  }
  // A Date holds ±8.64e15 ms: a duration far beyond any a token or session could use is held to ~3,000 years, so
  // `now + duration` stays a date (authentik's own datetime arithmetic would overflow there).
  return Number.isNaN(total) ? 0 : Math.min(Math.max(total, -MAX_MS), MAX_MS);
}
