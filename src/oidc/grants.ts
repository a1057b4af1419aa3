import { isPlainObject } from '../contract/types.js';
import type { WorldRecord } from '../contract/entity-model.js';
import { randomHex, randomKey } from '../world/secrets.js';
import type { IdToken } from './claims.js';
import { isExpired } from '../world/expiring.js';
import type { OidcModel } from './model.js';

/** authentik's grant models: AuthorizationCode, AccessToken, RefreshToken (authentik/providers/oauth2/models.py). */
export type GrantKind = 'code' | 'access' | 'refresh';

const TABLE = { code: 'codes', access: 'accessTokens', refresh: 'refreshTokens' } as const;

/** What a grant model holds that its API serializer does not show. */
export interface GrantDetails {
  /** When the user logged in (epoch seconds): the tokens' `auth_time`. */
  authTime: number;
  nonce?: string | null;
  codeChallenge?: string | null;
  codeChallengeMethod?: string | null;
  /** An access or refresh token's id_token, as `IDToken` holds it. */
  idToken?: IdToken;
  /** The access token's login methods (`amr`), for tokens issued at the authorization endpoint. */
  amr?: string[];
}

/** A grant the world holds: its record (in /oauth2/access_tokens/…), its secret and its details. */
export interface Grant {
  kind: GrantKind;
  secret: string;
  record: WorldRecord;
  details: GrantDetails;
}

/** What a new grant's record says. */
export interface GrantValues {
  provider: WorldRecord;
  user: WorldRecord;
  /** When it stops working (ms since epoch). */
  expires: number;
  scope: readonly string[];
}

interface Held {
  kind: GrantKind;
  pk: string;
  provider: string;
  user: string;
  details: GrantDetails;
}

/** What a dump keeps of the grants: each secret with its record's pk and details. */
export type SavedGrants = Array<[string, Held]>;

const SWEEP_EVERY = 1024;

function isSavedGrant(entry: unknown): entry is [string, Held] {
  if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || !isPlainObject(entry[1])) return false;
  const { kind, pk, provider, user, details } = entry[1];
  return (
    typeof kind === 'string' &&
    Object.hasOwn(TABLE, kind) &&
    [pk, provider, user].every((value) => typeof value === 'string') &&
    isPlainObject(details) &&
    Number.isFinite(details['authTime']) &&
    (details['idToken'] === undefined || isPlainObject(details['idToken'])) &&
    (details['amr'] === undefined || (Array.isArray(details['amr']) && details['amr'].every((m) => typeof m === 'string')))
  );
}

/**
 * The OAuth2 grants: records of the contract's grant entities (so they show in `/oauth2/access_tokens/`,
 * `/oauth2/refresh_tokens/`, `/oauth2/authorization_codes/` and in dumps, and deleting one there ends it), with
 * their secrets (the code, the access token's JWT, the refresh token) kept apart, as token keys are: no read shows
 * them. A secret whose record is gone (deleted, or the world reset) no longer works.
 */
export class Grants {
  private bySecret = new Map<string, Held>();
  private issued = 0;

  constructor(private readonly model: OidcModel) {}

  /** Why the world cannot take these grants now (its record budget), or undefined. */
  roomFor(kinds: readonly GrantKind[]): string | undefined {
    for (const kind of kinds) {
      const entity = this.model.entityName(TABLE[kind]);
      if (!entity) return `This mock's contract has no ${TABLE[kind]} to hold OAuth2 grants.`;
      const problem = this.model.world.budgetProblem(entity, { scope: [], id_token: '' }, true);
      if (problem) return problem;
    }
    return undefined;
  }

  /** Stores a new grant (check `roomFor` first). `secret`: the token's own text (an access token's JWT). */
  issue(kind: GrantKind, values: GrantValues, details: GrantDetails, secret = newSecret(kind)): Grant {
    const entity = this.model.entityName(TABLE[kind])!;
    const providerPk = this.model.pkOf('providers', values.provider);
    const userPk = this.model.pkOf('users', values.user);
    const fields = this.model.world.profile(entity).fields;
    const wanted: WorldRecord = {
      provider: providerPk,
      user: userPk,
      expires: new Date(values.expires).toISOString(),
      scope: [...values.scope],
      is_expired: false,
      revoked: false,
      id_token: details.idToken ? idTokenText(details.idToken) : '',
    };
    const known = Object.fromEntries(Object.entries(wanted).filter(([field]) => field in fields));
    const record = this.model.world.create(entity, known);
    const pk = String(this.model.pkOf(TABLE[kind], record));
    this.bySecret.set(secret, { kind, pk, provider: String(providerPk), user: String(userPk), details });
    if (++this.issued % SWEEP_EVERY === 0) this.sweep();
    return { kind, secret, record, details };
  }

  /** The grant of this kind with this secret, while its record exists. */
  find(kind: GrantKind, secret: string): Grant | undefined {
    const held = this.bySecret.get(secret);
    if (!held || held.kind !== kind) return undefined;
    const record = this.recordOf(held);
    if (!record) {
      this.bySecret.delete(secret);
      return undefined;
    }
    return { kind, secret, record, details: held.details };
  }

  /** Deletes the grant's record (a used code, a revoked token). */
  remove(grant: Grant): void {
    this.bySecret.delete(grant.secret);
    const pk = this.model.pkOf(TABLE[grant.kind], grant.record);
    if (this.model.table(TABLE[grant.kind])?.get(pk)) this.model.world.remove(this.model.entityName(TABLE[grant.kind])!, pk);
  }

  /** Marks a refresh token used (authentik keeps it, `revoked`, to notice a replay). */
  revoke(grant: Grant): void {
    const entity = this.model.entityName(TABLE[grant.kind])!;
    if ('revoked' in grant.record) this.model.world.save(entity, { ...grant.record, revoked: true });
  }

  toJSON(): SavedGrants {
    return [...this.bySecret].filter(([, held]) => this.recordOf(held));
  }

  /** Grants from a dump; an entry that is not one this mock wrote is left out (a dump file may have been edited). */
  load(saved: unknown): void {
    this.bySecret = new Map(Array.isArray(saved) ? saved.filter(isSavedGrant) : []);
  }

  /** The record behind a secret, if it is still the one the secret was issued with. */
  private recordOf(held: Held): WorldRecord | undefined {
    const record = this.model.table(TABLE[held.kind])?.get(held.pk);
    return record && String(record['provider']) === held.provider && String(record['user']) === held.user ? record : undefined;
  }

  /**
   * Forgets secrets whose records are gone (deleted, or the world reset) and deletes the grants that have expired,
   * as authentik's `clean_expired_models` task does: a long-running mock does not pile them up.
   */
  private sweep(now = Date.now()): void {
    for (const [secret, held] of this.bySecret) {
      const record = this.recordOf(held);
      if (record && isExpired(record, now))
        this.model.world.remove(this.model.entityName(TABLE[held.kind])!, this.model.pkOf(TABLE[held.kind], record));
      if (!record || !this.model.table(TABLE[held.kind])?.get(held.pk)) this.bySecret.delete(secret);
    }
  }
}

/** A code is `uuid4().hex`; a refresh token `generate_client_secret()` (128 letters and digits). */
function newSecret(kind: GrantKind): string {
  return kind === 'code' ? randomHex(32) : randomKey(128);
}

/** The TokenModel serializer's `id_token`: `json.dumps(asdict(token.id_token), indent=4)`. */
function idTokenText(token: IdToken): string {
  return JSON.stringify(token, null, 4);
}
