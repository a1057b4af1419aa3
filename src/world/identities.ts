import { pkOf, type EntityType, type Pk, type WorldRecord } from '../contract/entity-model.js';
import { KeyRing, type KeyOwner } from './key-ring.js';
import { randomKey } from './secrets.js';
import { expiresAt, isExpired } from './expiring.js';
import type { Table } from './store.js';

/** Longest key a token takes: a longer one could not be sent in a header (Node takes 16 KiB of headers). */
const MAX_KEY_LENGTH = 4096;

/** Who a bearer key authenticates as. */
export interface Principal {
  /** The user; undefined for an anonymous caller (an operation that lets anyone in). */
  userPk: Pk | undefined;
  superuser: boolean;
  /** When the token stops authenticating (ms since epoch): a cached answer must not outlive it. */
  validUntil: number;
}

/** Identifiers of the two API tokens whose keys the server prints. */
export const ADMIN_TOKEN = 'authentik-mock-admin';
export const USER_TOKEN = 'authentik-mock-user';

/** One of the two tokens whose keys the server prints. */
export function isPrintedToken(token: WorldRecord): boolean {
  return token['identifier'] === ADMIN_TOKEN || token['identifier'] === USER_TOKEN;
}

/** The tables authentication reads, ready to use (generated on first use by the world). */
export interface IdentityTables {
  tokens: () => Table | undefined;
  users: () => Table | undefined;
}

/** Keys the operator gave (`--token`, `--user-token`, `$AUTHENTIK_MOCK_TOKEN`): they win over any other. */
export interface ConfiguredKeys {
  adminToken?: string | undefined;
  userToken?: string | undefined;
}

/** What a dump keeps of identities: token keys by `Entity:pk`, passwords by user pk. */
export interface IdentitiesDump {
  keys: Record<string, string>;
  passwords: Record<string, string>;
}

/**
 * authentik's authentication model: API tokens (records of the token entity) with secret keys, users with passwords,
 * and the two printed keys (akadmin's and an ordinary user's). Keys and passwords are not part of any serializer, so
 * they live here beside the records, and a dump carries them. Every key is random unless the operator gave it: the
 * printed ones are drawn once per world, so they survive its resets.
 */
export class Identities {
  adminToken: string;
  userToken: string;
  private keys = new KeyRing();
  private passwords = new Map<string, string>();

  constructor(
    private readonly tokenEntity: EntityType | undefined,
    private readonly userEntity: EntityType | undefined,
    private readonly tables: IdentityTables,
    private readonly configured: ConfiguredKeys = {},
  ) {
    this.adminToken = configured.adminToken ?? randomKey();
    this.userToken = configured.userToken ?? randomKey();
  }

  /** No keys, no passwords (the world starts again next); the printed keys stay what they are. */
  reset(): void {
    this.useKeys(new KeyRing());
    this.passwords = new Map();
  }

  /** A new token record's key: random, never from the seed. */
  issue(token: WorldRecord): void {
    // Not counted as a key change: it comes with its record, whose creation changes the world anyway.
    if (this.tokenEntity) this.putKey(pkOf(this.tokenEntity, token), randomKey());
  }

  /**
   * Gives a token record this key (a blueprint's `key`, set_key's): a change of the world. Refused, with why in DRF's
   * words, when another record holds the key (in authentik both would, the first winning: here anyone who may set a
   * key could take over a printed one) or when it is too long to be sent in a header.
   */
  setKey(tokenPk: Pk, key: string): string | undefined {
    if (!this.tokenEntity) return undefined;
    if (key.length > MAX_KEY_LENGTH) return `Ensure this field has no more than ${MAX_KEY_LENGTH} characters.`;
    const holder = this.keys.ownerOf(key);
    if (holder && !(holder.entity === this.tokenEntity.name && holder.pk === String(tokenPk))) return 'token with this key already exists.';
    this.changes++;
    this.putKey(tokenPk, key);
    return undefined;
  }

  /** A printed token's key follows it: a rotated admin key is the one the control API then takes, the old one opens nothing. */
  private putKey(tokenPk: Pk, key: string): void {
    if (!this.tokenEntity) return;
    const previous = this.keys.keyOf(this.tokenEntity.name, tokenPk);
    this.keys.set(this.tokenEntity.name, tokenPk, key);
    if (previous !== undefined && previous === this.adminToken) this.adminToken = key;
    if (previous !== undefined && previous === this.userToken) this.userToken = key;
  }

  /**
   * A secret that stands for a record of any entity and is shown by no serializer (a session's key): kept and dumped
   * beside the token keys, forgotten when its record goes.
   */
  setSecret(entity: string, pk: Pk, secret: string): void {
    this.keys.set(entity, pk, secret);
  }

  /** The record a secret stands for (a session key's AuthenticatedSession), if any. */
  secretOwner(secret: string): KeyOwner | undefined {
    return this.keys.ownerOf(secret);
  }

  /** Sets a user's password (a blueprint's, `set_password`'s); null makes it unusable, as Django's `set_unusable_password`. */
  setPassword(userPk: Pk, password: string | null): void {
    if (password === null || password === '') this.passwords.delete(String(userPk));
    else this.passwords.set(String(userPk), password);
  }

  /** Whether the user has this password (never true for a user without a usable one). */
  checkPassword(userPk: Pk, password: string): boolean {
    const stored = this.passwords.get(String(userPk));
    return stored !== undefined && sameText(stored, password);
  }

  /** The user's password (for the operator who started the world: `serve` prints it), if the user has one. */
  passwordOf(userPk: Pk): string | undefined {
    return this.passwords.get(String(userPk));
  }

  hasPassword(userPk: Pk): boolean {
    return this.passwords.has(String(userPk));
  }

  /** Keys and passwords of removed records stop existing with them. */
  forget(removed: ReadonlyArray<{ entity: string; pk: Pk }>): void {
    for (const { entity, pk } of removed) {
      this.keys.delete(entity, pk);
      if (entity === this.userEntity?.name) this.passwords.delete(String(pk));
    }
  }

  /**
   * Whether the password is the key of one of the user's unexpired app-password tokens (authentik's `TokenBackend`,
   * authentik/core/auth.py: a password stage and OAuth2's client-credentials grant both take one).
   */
  isAppPassword(userPk: Pk, password: string, now = Date.now()): boolean {
    const token = password === '' ? undefined : this.tokenOfKey(password);
    return token !== undefined && token['intent'] === 'app_password' && String(token['user']) === String(userPk) && !isExpired(token, now);
  }

  /** The token record a key belongs to (found by the key, as authentik looks a key up). */
  private tokenOfKey(key: string): WorldRecord | undefined {
    if (!this.tokenEntity) return undefined;
    // Using the table first generates it on the first request, and with it the keys this lookup needs.
    const tokens = this.tables.tokens()!;
    const owner = this.keys.ownerOf(key);
    return owner?.entity === this.tokenEntity.name ? tokens.get(owner.pk) : undefined;
  }

  /** The user a bearer key authenticates as, or undefined (authentik's "Token invalid/expired" for every failure). */
  authenticate(
    key: string,
    now = Date.now(),
    isSuperuser: (user: WorldRecord) => boolean = (u) => u['is_superuser'] === true,
  ): Principal | undefined {
    if (!this.tokenEntity) {
      if (key === this.adminToken) return { userPk: 1, superuser: true, validUntil: Infinity };
      return key === this.userToken ? { userPk: 2, superuser: false, validUntil: Infinity } : undefined;
    }
    const token = this.tokenOfKey(key);
    if (!token || ('intent' in token && token['intent'] !== 'api')) return undefined;
    const expires = expiresAt(token);
    if (expires < now) return undefined;
    const user = this.userEntity ? this.tables.users()?.get(token['user']) : undefined;
    if (this.userEntity && (!user || user['is_active'] === false)) return undefined;
    return {
      userPk: (token['user'] as Pk) ?? 0,
      superuser: user ? isSuperuser(user) : false,
      validUntil: Number.isNaN(expires) ? Infinity : expires,
    };
  }

  /**
   * Keys set or replaced so far (set_key, a blueprint's key, a reset, a load; not a new token's first key, which comes
   * with its record): it only grows. The world's version counts it, so what was worked out from a key (an answer
   * cached for it, who it is) is stale once a key changes.
   */
  get keyChanges(): number {
    return this.changes;
  }

  private changes = 0;

  private useKeys(ring: KeyRing): void {
    this.changes++;
    this.keys = ring;
  }

  /** The secret key of a token record (authentik shows it only through a `view_key` action). */
  keyOf(entity: string, pk: Pk): string | undefined {
    return this.keys.keyOf(entity, pk);
  }

  /** Back to what `toJSON` gave (a transaction undone). */
  restore(saved: IdentitiesDump): void {
    this.useKeys(KeyRing.fromJSON(saved.keys));
    this.passwords = new Map(Object.entries(saved.passwords));
  }

  toJSON(): IdentitiesDump {
    return { keys: this.keys.toJSON(), passwords: Object.fromEntries(this.passwords) };
  }

  /**
   * Keys and passwords from a dump, for the loaded records: a token the dump gives no key gets a random one. The
   * printed tokens (found by their identifiers) keep the dump's keys, unless the operator gave keys: those win, so a
   * restart with `--token` rotates a leaked key.
   */
  load(keys: Record<string, unknown>, passwords: Record<string, unknown> = {}): void {
    this.useKeys(KeyRing.fromJSON(keys));
    this.passwords = new Map(Object.entries(passwords).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const tokens = this.tokenEntity && this.tables.tokens();
    if (!tokens) return;
    for (const token of tokens.all()) {
      const pk = pkOf(tokens.entity, token);
      if (this.keys.keyOf(tokens.entity.name, pk) === undefined) this.keys.set(tokens.entity.name, pk, randomKey());
    }
    this.adminToken = this.printedKey(tokens, ADMIN_TOKEN, this.configured.adminToken) ?? this.adminToken;
    this.userToken = this.printedKey(tokens, USER_TOKEN, this.configured.userToken) ?? this.userToken;
  }

  /** The key of the printed token `identifier`: the configured one (set on the record), else the record's own. */
  private printedKey(tokens: Table, identifier: string, configured: string | undefined): string | undefined {
    const token = tokens.find('identifier', identifier);
    if (!token) return configured;
    const pk = pkOf(tokens.entity, token);
    if (configured !== undefined) this.keys.set(tokens.entity.name, pk, configured);
    return this.keys.keyOf(tokens.entity.name, pk);
  }
}

/** Compared in time that does not depend on where the texts differ (a secret guessed a character at a time). */
export function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return difference === 0;
}

/** A copy with only the fields the record's entity has set: the same world code serves contracts with fewer fields. */
export function assignKnown(record: WorldRecord, values: WorldRecord): WorldRecord {
  const copy = { ...record };
  for (const [field, value] of Object.entries(values)) if (field in copy && value !== undefined) copy[field] = value;
  return copy;
}
