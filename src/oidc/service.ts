import type { WorldRecord } from '../contract/entity-model.js';
import type { FeatureHost } from '../core/extensions.js';
import { HttpError } from '../core/http.js';
import { RequestContext } from '../core/request-context.js';
import { randomKey } from '../world/secrets.js';
import { halfHash, idTokenPayload, newIdToken, type IdToken } from './claims.js';
import { Grants, type Grant, type SavedGrants } from './grants.js';
import { originOf } from './http.js';
import { SigningKeys, type SavedKeyPair } from './keys.js';
import type { OidcModel } from './model.js';
import { durationMs } from '../contract/durations.js';

/** Who an authorization request is from, and how they logged in. */
export interface LoggedIn {
  user: WorldRecord;
  /** When they logged in (epoch seconds): `auth_time`. */
  authTime: number;
  /** How (`amr`): the login methods of the session's login. */
  amr: string[];
  /** Logged in by `autoLogin` (no login page, no consent page). */
  auto: boolean;
}

/**
 * What a dump carries of the OAuth2 provider besides its records: the certificate-key pairs' private keys (by record
 * pk, as JWKs) and the grants' secrets (code, access-token JWT, refresh token → record pk and details), kept with the
 * world (`World.keepWith`): a restart from `--data` signs with the same keys and honours the tokens issued before.
 */
export interface OidcSaved {
  keys: Record<string, SavedKeyPair>;
  grants: SavedGrants;
}

/** A new token and what went into it. */
export interface Minted {
  grant: Grant;
  idToken: IdToken;
}

/**
 * The OAuth2/OIDC provider of one mock: the world's model, the signing keys and the grants, and the minting of
 * tokens every endpoint shares.
 */
export class Oidc {
  readonly keys: SigningKeys;
  readonly grants: Grants;
  /** prompt=login asked a new login of these users; their next authorize goes on (authentik: once per session). */
  readonly loginAsked = new Set<string>();

  constructor(
    readonly host: FeatureHost,
    readonly model: OidcModel,
    readonly autoLogin: string | undefined,
  ) {
    this.keys = new SigningKeys(model);
    this.grants = new Grants(model);
  }

  /**
   * `OAuth2Provider.get_issuer`: `per_provider` → `http(s)://host/application/o/<app slug>/`, `global` →
   * `http(s)://host/`; null for a provider without an application.
   */
  issuer(provider: WorldRecord, context: RequestContext): string | null {
    if (provider['issuer_mode'] === 'global') return `${originOf(context)}/`;
    const application = this.model.applicationOf(provider);
    return application ? `${originOf(context)}/application/o/${String(application['slug'])}/` : null;
  }

  /**
   * Who the request is from: the session's (or a token's) user, else the auto-login user; undefined for nobody. A
   * bad token is nobody here (the authorize endpoint is a page, not the API).
   */
  caller(context: RequestContext, now = Date.now()): LoggedIn | undefined {
    const user = this.sessionUser(context);
    if (user) return { user, authTime: loginTime(user, now), amr: ['pwd'], auto: false };
    const auto = this.autoLogin === undefined ? undefined : this.model.userByUsername(this.autoLogin);
    if (auto && auto['is_active'] !== false) return { user: auto, authTime: Math.trunc(now / 1000), amr: ['pwd'], auto: true };
    return undefined;
  }

  /**
   * The active user the request's session authenticates, if any. authentik's pages (Django views, not the API) know
   * the session only: an `Authorization` header is not looked at, and a refused session is nobody.
   */
  sessionUser(context: RequestContext): WorldRecord | undefined {
    let userPk: unknown;
    try {
      userPk = this.host.callers.authenticate(withoutAuthorization(context), true).userPk;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
    }
    const user = userPk === undefined ? undefined : this.model.user(userPk);
    return user && user['is_active'] !== false ? user : undefined;
  }

  /** `AccessToken` with its id_token: the JWT is the id_token's claims plus `azp` and a random `uid`. */
  async mintAccessToken(context: RequestContext, input: MintInput): Promise<Minted> {
    const { provider, user, scope, authTime, now } = input;
    const expires = now + durationMs(provider['access_token_validity']);
    const idToken = newIdToken(this.model, {
      issuer: this.issuer(provider, context),
      provider,
      user,
      expires,
      authTime,
      scope,
      amr: input.amr,
      now,
    });
    idToken.nonce = input.nonce ?? null;
    if (input.codeHash) idToken.c_hash = input.codeHash;
    const signer = await this.keys.signerFor(provider);
    const jwt = await signer.sign({ ...idTokenPayload(idToken), azp: String(provider['client_id'] ?? ''), uid: randomKey(40) });
    const details = { authTime, idToken, nonce: input.nonce ?? null, ...(input.amr ? { amr: input.amr } : {}) };
    const grant = this.grants.issue('access', { provider, user, expires, scope }, details, jwt);
    return { grant, idToken };
  }

  /** `RefreshToken`: opaque; its id_token (kept for introspection) has the access token's `at_hash`. */
  async mintRefreshToken(context: RequestContext, input: MintInput & { accessToken: string }): Promise<Minted> {
    const { provider, user, scope, authTime, now } = input;
    const expires = now + durationMs(provider['refresh_token_validity']);
    const idToken = newIdToken(this.model, { issuer: this.issuer(provider, context), provider, user, expires, authTime, scope, now });
    idToken.nonce = input.nonce ?? null;
    idToken.at_hash = await halfHash(input.accessToken);
    const grant = this.grants.issue('refresh', { provider, user, expires, scope }, { authTime, idToken, nonce: input.nonce ?? null });
    return { grant, idToken };
  }

  /** The id_token as the client gets it (`IDToken.to_jwt(provider)`). */
  async idTokenJwt(provider: WorldRecord, idToken: IdToken): Promise<string> {
    return (await this.keys.signerFor(provider)).sign(idTokenPayload(idToken));
  }

  /** The user a grant is for, while they exist and are active. */
  activeUser(grant: Grant): WorldRecord | undefined {
    const user = this.model.user(grant.record['user']);
    return user && user['is_active'] !== false ? user : undefined;
  }

  save(): OidcSaved {
    return { keys: this.keys.toJSON(), grants: this.grants.toJSON() };
  }

  /** What a dump kept (anything: what is not a key pair or grant this mock wrote is left out, never thrown on). */
  load(saved: unknown): void {
    this.clear();
    const held = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
    this.keys.load(held['keys']);
    this.grants.load(held['grants']);
  }

  /** Nothing issued, no keys made, no login pending (the world starts again). */
  clear(): void {
    this.keys.clear();
    this.grants.load([]);
    this.loginAsked.clear();
  }
}

export interface MintInput {
  provider: WorldRecord;
  user: WorldRecord;
  scope: readonly string[];
  authTime: number;
  now: number;
  nonce?: string | null | undefined;
  amr?: string[] | undefined;
  /** `c_hash` of the code (hybrid responses). */
  codeHash?: string | undefined;
}

/** The request as a Django view sees it for login: without its `Authorization` header (API credentials). */
function withoutAuthorization(context: RequestContext): RequestContext {
  const { headers } = context.request;
  if (!headers.has('authorization')) return context;
  const hidden = (name: string) => name.toLowerCase() === 'authorization';
  return new RequestContext({
    method: context.request.method,
    url: context.request.url,
    signal: context.request.signal,
    client: context.request.client,
    body: null,
    headers: { get: (name) => (hidden(name) ? null : headers.get(name)), has: (name) => !hidden(name) && headers.has(name) },
  });
}

/** When a session's user logged in: their `last_login`, else now. */
function loginTime(user: WorldRecord, now: number): number {
  const last = typeof user['last_login'] === 'string' ? Date.parse(user['last_login']) : NaN;
  return Math.trunc((Number.isNaN(last) ? now : last) / 1000);
}
