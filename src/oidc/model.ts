import { brandForHost } from '../core/derived/brand.js';
import { pkOf, type Pk, type WorldRecord } from '../contract/entity-model.js';
import type { ReadonlyTable } from '../world/store.js';
import type { World } from '../world/world.js';

/** authentik's models the OAuth2 provider reads and writes (authentik/providers/oauth2/models.py and what it links). */
const MODELS = {
  providers: 'authentik_providers_oauth2.oauth2provider',
  applications: 'authentik_core.application',
  scopeMappings: 'authentik_providers_oauth2.scopemapping',
  flows: 'authentik_flows.flow',
  bindings: 'authentik_flows.flowstagebinding',
  consentStages: 'authentik_stages_consent.consentstage',
  certificates: 'authentik_crypto.certificatekeypair',
  groups: 'authentik_core.group',
} as const;

/**
 * The grants, found by the API paths that list them (authentik/providers/oauth2/api/tokens.py): their serializers
 * (`TokenModel`, `ExpiringBaseGrantModel`) are no model names. Access and refresh tokens share `TokenModel`.
 */
const GRANT_PATHS = {
  accessTokens: /\/oauth2\/access_tokens\/$/,
  refreshTokens: /\/oauth2\/refresh_tokens\/$/,
  codes: /\/oauth2\/authorization_codes\/$/,
  consents: /\/core\/user_consent\/$/,
} as const;

type Names = { [K in keyof typeof MODELS | keyof typeof GRANT_PATHS | 'users' | 'tokens']?: string };

/** A flow stage the authorization flow binds: a consent stage's mode, or another kind of stage. */
export type BoundStage = { kind: 'consent'; stage: WorldRecord } | { kind: 'other' };

/**
 * The world as the OAuth2 provider sees it: its entities (by authentik's model names, so any contract that has them
 * works) and the lookups authorize, token and the other endpoints make. A link to no record reads as no link:
 * generated providers may name flows or keys the world does not hold.
 */
export class OidcModel {
  private constructor(
    readonly world: World,
    private readonly names: Required<Pick<Names, 'providers' | 'applications' | 'users'>> & Names,
  ) {}

  /** The model, or undefined when the contract has no OAuth2 providers, applications or users. */
  static of(world: World): OidcModel | undefined {
    const names: Names = {};
    for (const [key, model] of Object.entries(MODELS)) names[key as keyof typeof MODELS] = world.models.entityOf(model);
    for (const [key, path] of Object.entries(GRANT_PATHS))
      names[key as keyof typeof GRANT_PATHS] = world.resources.find((r) => path.test(r.path))?.entity;
    names.users = world.userEntity?.name;
    names.tokens = world.tokenEntity?.name;
    const { providers, applications, users } = names;
    if (!providers || !applications || !users) return undefined;
    return new OidcModel(world, { ...names, providers, applications, users });
  }

  entityName(kind: keyof Names): string | undefined {
    return this.names[kind];
  }

  table(kind: keyof Names): ReadonlyTable | undefined {
    const name = this.names[kind];
    return name ? this.world.table(name) : undefined;
  }

  providerByClientId(clientId: string): WorldRecord | undefined {
    if (clientId === '') return undefined;
    return this.table('providers')!
      .all()
      .find((p) => p['client_id'] === clientId);
  }

  provider(pk: unknown): WorldRecord | undefined {
    return this.table('providers')!.get(pk);
  }

  applicationBySlug(slug: string): WorldRecord | undefined {
    return this.table('applications')!.find('slug', slug);
  }

  /**
   * The application whose provider this is (`provider.application`). authentik links at most one (a one-to-one
   * field); generated applications may share a provider, and then the newest one is it (the one a user made).
   */
  applicationOf(provider: WorldRecord): WorldRecord | undefined {
    const pk = String(this.pkOf('providers', provider));
    return this.table('applications')!
      .all()
      .findLast((app) => app['provider'] !== null && String(app['provider']) === pk);
  }

  /** The application's provider, when it is an OAuth2 provider. */
  providerOf(application: WorldRecord): WorldRecord | undefined {
    return application['provider'] === null ? undefined : this.provider(application['provider']);
  }

  /** The provider's scope mappings (its `property_mappings` that are scope mappings), ordered by scope name. */
  scopeMappings(provider: WorldRecord): WorldRecord[] {
    const mappings = this.table('scopeMappings');
    const linked = Array.isArray(provider['property_mappings']) ? provider['property_mappings'] : [];
    if (!mappings) return [];
    return linked
      .map((pk) => mappings.get(pk))
      .filter((m): m is WorldRecord => !!m && typeof m['scope_name'] === 'string')
      .sort((a, b) => String(a['scope_name']).localeCompare(String(b['scope_name'])));
  }

  scopeNames(provider: WorldRecord): Set<string> {
    return new Set(this.scopeMappings(provider).map((m) => String(m['scope_name'])));
  }

  user(pk: unknown): WorldRecord | undefined {
    return this.table('users')!.get(pk);
  }

  userByUsername(username: string): WorldRecord | undefined {
    return this.table('users')!.find('username', username);
  }

  /** The groups the user is a member of (`user.ak_groups.all()`). */
  groupsOf(user: WorldRecord): WorldRecord[] {
    const pk = String(this.pkOf('users', user));
    const groups = this.table('groups');
    if (!groups) return [];
    return groups.all().filter((g) => Array.isArray(g['users']) && g['users'].some((u) => String(u) === pk));
  }

  flow(pk: unknown): WorldRecord | undefined {
    return this.table('flows')?.get(pk);
  }

  /** The stages bound to a flow, in binding order. */
  boundStages(flow: WorldRecord): BoundStage[] {
    const bindings = this.table('bindings');
    if (!bindings) return [];
    const flowPk = String(this.pkOf('flows', flow));
    const consents = this.table('consentStages');
    return bindings
      .all()
      .filter((b) => String(b['target']) === flowPk)
      .sort((a, b) => Number(a['order'] ?? 0) - Number(b['order'] ?? 0))
      .map((b): BoundStage => {
        const consent = consents?.get(b['stage']);
        return consent ? { kind: 'consent', stage: consent } : { kind: 'other' };
      });
  }

  /** The brand a request to `host` gets: the API's own rule (core/derived/brand.ts). */
  brandFor(host: string): WorldRecord {
    return brandForHost(this.world, host);
  }

  certificate(pk: unknown): WorldRecord | undefined {
    return this.table('certificates')?.get(pk);
  }

  pkOf(kind: keyof Names, record: WorldRecord): Pk {
    return pkOf(this.world.entity(this.names[kind]!), record);
  }
}
