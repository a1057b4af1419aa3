// An OAuth2 provider and its application, made through the API as a user makes them in authentik's admin UI.
import type { MockServer } from '../../src/mock-server.js';

export interface OidcAppOptions {
  slug: string;
  /** The authorization flow, by slug (default: authentik's implicit-consent flow). */
  flow?: string;
  /** The signing key: a certificate the mock makes a key for (`rsa`), one with an uploaded PEM, or none (HS256). */
  signingKeyPem?: string | 'generated';
  redirectUris?: string;
  clientType?: 'confidential' | 'public';
  subMode?: string;
  issuerMode?: 'per_provider' | 'global';
  /** Scope mappings, by scope name (default: authentik's five OAuth2 mappings). */
  scopes?: string[];
  includeClaimsInIdToken?: boolean;
  accessTokenValidity?: string;
}

export interface OidcApp {
  slug: string;
  providerPk: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

const DEFAULT_SCOPES = ['openid', 'email', 'profile', 'offline_access', 'goauthentik.io/api'];

export async function makeOidcApp(mock: MockServer, options: OidcAppOptions): Promise<OidcApp> {
  const world = mock.world;
  const post = async (path: string, body: unknown) => {
    const response = await mock.fetch(`http://localhost/api/v3${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const flow = world
    .table('Flow')
    .all()
    .find((f) => f['slug'] === (options.flow ?? 'default-provider-authorization-implicit-consent'))!;
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const mappings = world
    .table('ScopeMapping')
    .all()
    .filter((m) => String(m['managed']).startsWith('goauthentik.io/providers/oauth2/') && scopes.includes(String(m['scope_name'])))
    .map((m) => m['pk']);
  let signingKey: unknown = null;
  if (options.signingKeyPem !== undefined) {
    const pem = options.signingKeyPem === 'generated' ? {} : { key_data: options.signingKeyPem };
    signingKey = (
      await post('/crypto/certificatekeypairs/', { name: `${options.slug} key`, certificate_data: 'not read by the mock', ...pem })
    )['pk'];
  }
  const redirectUri = `http://127.0.0.1:3000/${options.slug}/callback`;
  const provider = await post('/providers/oauth2/', {
    name: `${options.slug} provider`,
    authorization_flow: flow['pk'],
    property_mappings: mappings,
    redirect_uris: options.redirectUris ?? redirectUri,
    client_type: options.clientType ?? 'confidential',
    signing_key: signingKey,
    ...(options.subMode ? { sub_mode: options.subMode } : {}),
    ...(options.issuerMode ? { issuer_mode: options.issuerMode } : {}),
    ...(options.includeClaimsInIdToken === undefined ? {} : { include_claims_in_id_token: options.includeClaimsInIdToken }),
    ...(options.accessTokenValidity ? { access_token_validity: options.accessTokenValidity } : {}),
  });
  await post('/core/applications/', { name: `${options.slug} app`, slug: options.slug, provider: provider['pk'] });
  return {
    slug: options.slug,
    providerPk: provider['pk'] as number,
    clientId: provider['client_id'] as string,
    clientSecret: provider['client_secret'] as string,
    redirectUri,
  };
}

/** A form body, as OAuth2 clients post it. */
export const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
