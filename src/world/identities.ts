import { pkOf, type EntityType, type Pk, type WorldRecord } from '../contract/entity-model.js';
import { KeyRing } from './key-ring.js';
import { randomKey } from './secrets.js';
import type { Table } from './store.js';

/** Who a bearer key authenticates as. */
export interface Principal {
  userPk: Pk;
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

/**
 * authentik's authentication model: API tokens (records of the token entity) with secret keys, the users they
 * authenticate as, and the two printed keys (akadmin's and an ordinary user's). Keys are not part of any serializer,
 * so they live here beside the records, and a dump carries them. Every key is random unless the operator gave it:
 * the printed ones are drawn once per world, so they survive its resets.
 */
export class Identities {
  adminToken: string;
  userToken: string;
  private keys = new KeyRing();

  constructor(
    private readonly tokenEntity: EntityType | undefined,
    private readonly userEntity: EntityType | undefined,
    private readonly tables: IdentityTables,
    private readonly configured: ConfiguredKeys = {},
  ) {
    this.adminToken = configured.adminToken ?? randomKey();
    this.userToken = configured.userToken ?? randomKey();
  }

  /** No token keys (the world reseeds next); the printed keys stay what they are. */
  reset(): void {
    this.keys = new KeyRing();
  }

  /** A new token record's key: random, never from the seed. */
  issue(token: WorldRecord): void {
    if (this.tokenEntity) this.keys.set(this.tokenEntity.name, pkOf(this.tokenEntity, token), randomKey());
  }

  /** Keys of removed records stop existing with them. */
  forget(removed: ReadonlyArray<{ entity: string; pk: Pk }>): void {
    for (const { entity, pk } of removed) this.keys.delete(entity, pk);
  }

  /** The first two tokens become the API tokens of akadmin and of the ordinary user, with the printed keys. */
  seedTokens(tokens: Table, users: WorldRecord[]): void {
    const principals: Array<[number, string, string]> = [
      [0, ADMIN_TOKEN, this.adminToken],
      [1, USER_TOKEN, this.userToken],
    ];
    for (const [index, identifier, key] of principals) {
      const token = tokens.all()[index];
      if (!token) continue;
      const description = `API token of the mock's ${index === 0 ? 'admin' : 'ordinary user'}`;
      const user = users[index] && this.userEntity ? pkOf(this.userEntity, users[index]) : undefined;
      tokens.put(assignKnown(token, { identifier, intent: 'api', expiring: false, expires: null, user, description }));
      this.keys.set(tokens.entity.name, pkOf(tokens.entity, token), key);
    }
  }

  /** The user a bearer key authenticates as, or undefined (authentik's "Token invalid/expired" for every failure). */
  authenticate(key: string, now = Date.now()): Principal | undefined {
    if (!this.tokenEntity) {
      if (key === this.adminToken) return { userPk: 1, superuser: true, validUntil: Infinity };
      return key === this.userToken ? { userPk: 2, superuser: false, validUntil: Infinity } : undefined;
    }
    // Using the table first generates it on the first request, and with it the keys this lookup needs.
    const tokens = this.tables.tokens()!;
    const owner = this.keys.ownerOf(key);
    const token = owner?.entity === this.tokenEntity.name ? tokens.get(owner.pk) : undefined;
    if (!token || ('intent' in token && token['intent'] !== 'api')) return undefined;
    const expires = token['expiring'] !== false && typeof token['expires'] === 'string' ? Date.parse(token['expires']) : Infinity;
    if (expires < now) return undefined;
    const user = this.userEntity ? this.tables.users()?.get(token['user']) : undefined;
    if (this.userEntity && (!user || user['is_active'] === false)) return undefined;
    return {
      userPk: (token['user'] as Pk) ?? 0,
      superuser: user?.['is_superuser'] === true,
      validUntil: Number.isNaN(expires) ? Infinity : expires,
    };
  }

  /** The secret key of a token record (authentik shows it only through a `view_key` action). */
  keyOf(entity: string, pk: Pk): string | undefined {
    return this.keys.keyOf(entity, pk);
  }

  toJSON(): Record<string, string> {
    return this.keys.toJSON();
  }

  /**
   * Keys from a dump, for the loaded token records: a token the dump gives no key gets a random one. The printed
   * tokens (found by their identifiers) keep the dump's keys, unless the operator gave keys: those win, so a restart
   * with `--token` rotates a leaked key.
   */
  load(keys: Record<string, unknown>): void {
    this.keys = KeyRing.fromJSON(keys);
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

/** A copy with only the fields the record's entity has set: the same world code serves contracts with fewer fields. */
export function assignKnown(record: WorldRecord, values: WorldRecord): WorldRecord {
  const copy = { ...record };
  for (const [field, value] of Object.entries(values)) if (field in copy && value !== undefined) copy[field] = value;
  return copy;
}
