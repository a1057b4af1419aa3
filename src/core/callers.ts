import type { Principal, World } from '../world/world.js';
import { DETAILS } from '../contract/authentik-messages.js';
import { httpError } from './http.js';
import type { RequestContext } from './request-context.js';

/** The scheme authentik reads, in any case (no lower-cased copy made per request). */
const BEARER = /^bearer$/i;

/** Who a request is from when it carries no credentials: nobody (an operation must allow it, see `allowsAnonymous`). */
export const ANONYMOUS: Principal = Object.freeze({ userPk: undefined, superuser: false, validUntil: Infinity });

/** A bearer key → who it authenticates as (an API token's key; an OAuth2 access token), or undefined if not one of its. */
export type BearerResolver = (key: string, now: number) => Principal | undefined;

/**
 * Credentials a request carries besides a bearer header (a session cookie): who they authenticate as, undefined when
 * the request has none of them; throws an HttpError when they are there but refused (a CSRF failure).
 */
export type RequestAuthenticator = (context: RequestContext) => Principal | undefined;

/** The key of an `Authorization: Bearer <key>` header (any case, any spacing), or undefined for anything else. */
export function bearerKey(header: string | null | undefined): string | undefined {
  const value = (header ?? '').trim();
  const space = value.search(/\s/);
  if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  const key = value.slice(space + 1).trim();
  return key === '' ? undefined : key;
}

/**
 * authentik's authentication, in DRF's order (authentik/root/settings.py `DEFAULT_AUTHENTICATION_CLASSES`): a bearer
 * header first — API tokens, then what features add (OAuth2 access tokens) — then the session. Every failure is a 403
 * (no WWW-Authenticate challenge, so DRF never says 401).
 */
export class Callers {
  private readonly bearers: BearerResolver[];
  private readonly others: RequestAuthenticator[] = [];

  constructor(world: World) {
    this.bearers = [(key, now) => world.authenticate(key, now)];
  }

  addBearer(resolver: BearerResolver): void {
    this.bearers.push(resolver);
  }

  add(authenticator: RequestAuthenticator): void {
    this.others.push(authenticator);
  }

  /** Who the request is from; anonymous only where `allowAnonymous` (the operation's `security` lists `{}`). */
  authenticate(context: RequestContext, allowAnonymous = false): Principal {
    const header = (context.headers.get('authorization') ?? '').trim();
    if (header !== '') return this.fromHeader(header);
    for (const authenticator of this.others) {
      const principal = authenticator(context);
      if (principal) return principal;
    }
    if (allowAnonymous) return ANONYMOUS;
    throw httpError(403, DETAILS.notProvided);
  }

  /** Who a bearer key is, or undefined (no exception: for logs and scenario rules). */
  resolveKey(key: string, now = Date.now()): Principal | undefined {
    for (const resolve of this.bearers) {
      const principal = resolve(key, now);
      if (principal) return principal;
    }
    return undefined;
  }

  private fromHeader(header: string): Principal {
    const space = header.search(/\s/);
    const scheme = space < 0 ? header : header.slice(0, space);
    const key = space < 0 ? '' : header.slice(space + 1).trim();
    if (!BEARER.test(scheme)) throw httpError(403, DETAILS.unsupportedAuth);
    if (key === '') throw httpError(403, DETAILS.malformed);
    const principal = this.resolveKey(key);
    if (!principal) throw httpError(403, DETAILS.invalidToken);
    return principal;
  }
}
