import type { Principal, World } from '../world/world.js';
import { DETAILS } from '../contract/authentik-messages.js';
import { httpError } from './http.js';

/** The key of an `Authorization: Bearer <key>` header (any case, any spacing), or undefined for anything else. */
export function bearerKey(header: string | undefined): string | undefined {
  const value = (header ?? '').trim();
  const space = value.search(/\s/);
  if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  const key = value.slice(space + 1).trim();
  return key === '' ? undefined : key;
}

/** authentik's bearer-token check: every failure throws a 403 (no WWW-Authenticate challenge, so DRF never says 401). */
export function authenticate(world: World, header: string | undefined): Principal {
  const value = (header ?? '').trim();
  if (value === '') throw httpError(403, DETAILS.notProvided);
  const space = value.search(/\s/);
  const scheme = space < 0 ? value : value.slice(0, space);
  const key = space < 0 ? '' : value.slice(space + 1).trim();
  if (scheme.toLowerCase() !== 'bearer') throw httpError(403, DETAILS.unsupportedAuth);
  if (key === '') throw httpError(403, DETAILS.malformed);
  const principal = world.authenticate(key);
  if (!principal) throw httpError(403, DETAILS.invalidToken);
  return principal;
}
