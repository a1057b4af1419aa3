import type { WorldRecord } from '../contract/entity-model.js';

/**
 * When a record of one of authentik's `ExpiringModel`s (tokens, consents, OAuth2 grants) stops being valid, in ms
 * since epoch: never when it is not `expiring` or has no date; NaN for a date that does not parse (never expired).
 */
export function expiresAt(record: WorldRecord): number {
  return record['expiring'] !== false && typeof record['expires'] === 'string' ? Date.parse(record['expires']) : Infinity;
}

/** `ExpiringModel.is_expired`: its date has passed. */
export function isExpired(record: WorldRecord, now = Date.now()): boolean {
  return expiresAt(record) < now;
}
