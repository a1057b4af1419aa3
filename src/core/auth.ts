import type { Principal, World } from '../world/world.js';
import { DETAILS, detail, type MockResponse } from './http.js';

/** authentik's bearer-token check: every failure is a 403 (no WWW-Authenticate challenge, so DRF never says 401). */
export function authenticate(world: World, header: string | undefined): Principal | MockResponse {
  const value = (header ?? '').trim();
  if (value === '') return detail(403, DETAILS.notProvided);
  const space = value.search(/\s/);
  const scheme = space < 0 ? value : value.slice(0, space);
  const key = space < 0 ? '' : value.slice(space + 1).trim();
  if (scheme.toLowerCase() !== 'bearer') return detail(403, DETAILS.unsupportedAuth);
  if (key === '') return detail(403, DETAILS.malformed);
  return world.authenticate(key) ?? detail(403, DETAILS.invalidToken);
}
