/**
 * authentik's OAuth2 / OpenID Connect provider (authentik/providers/oauth2/urls.py) for every OAuth2 provider and
 * application in the world: discovery, JWKS, authorize, token, userinfo, introspection, revocation, end session;
 * access tokens with the `goauthentik.io/api` scope authenticate on /api/v3. Browser-safe: Web Crypto through jose.
 */
import type { Principal } from '../world/world.js';
import type { Answer } from '../core/http.js';
import type { Feature, FeatureHost } from '../core/extensions.js';
import type { RequestContext } from '../core/request-context.js';
import { authorizeEndpoint } from './authorize.js';
import { OidcModel } from './model.js';
import { discoveryEndpoint, endSessionEndpoint, issuerEndpoint, jwksEndpoint } from './provider-info.js';
import { introspectEndpoint, revokeEndpoint, userinfoEndpoint } from './resources.js';
import { Oidc } from './service.js';
import { expiresAt, isExpired } from '../world/expiring.js';
import { tokenEndpoint } from './token.js';

export { Oidc, type LoggedIn } from './service.js';

/** The scope an access token needs to call the API (`SCOPE_AUTHENTIK_API`). */
export const API_SCOPE = 'goauthentik.io/api';

type Handler = (oidc: Oidc, context: RequestContext, slug: string) => Answer | Promise<Answer>;

/** authentik's routes under /application/o/, in its order (`authorize/` before an application slugged "authorize"). */
const ROUTES: ReadonlyArray<readonly [RegExp, Handler]> = [
  [/^\/application\/o\/authorize\/$/, authorizeEndpoint],
  [/^\/application\/o\/token\/$/, tokenEndpoint],
  [/^\/application\/o\/userinfo\/$/, userinfoEndpoint],
  [/^\/application\/o\/introspect\/$/, introspectEndpoint],
  [/^\/application\/o\/revoke\/$/, revokeEndpoint],
  [/^\/application\/o\/([-a-zA-Z0-9_]+)\/end-session\/$/, endSessionEndpoint],
  [/^\/application\/o\/([-a-zA-Z0-9_]+)\/jwks\/$/, jwksEndpoint],
  [/^\/application\/o\/([-a-zA-Z0-9_]+)\/$/, (_oidc, _context, slug) => issuerEndpoint(slug)],
  [/^\/application\/o\/([-a-zA-Z0-9_]+)\/\.well-known\/openid-configuration$/, discoveryEndpoint],
];

/** What every route's path starts with. */
const ROUTES_PREFIX = '/application/o/';

const installed = new WeakMap<FeatureHost, Oidc>();

/** The feature: the routes, and access tokens as API credentials. A contract without OAuth2 providers gets neither. */
export const oidcFeature: Feature = (host) => {
  const model = OidcModel.of(host.world);
  if (!model) return;
  const oidc = new Oidc(host, model, host.autoLogin);
  installed.set(host, oidc);
  // Signing keys and issued grants are the world's secrets: dumped with it, gone when it starts again.
  host.world.keepWith('oidc', { save: () => oidc.save(), load: (saved) => oidc.load(saved), clear: () => oidc.clear() });
  host.site.add({
    // Asked for every request: most are not under /application/o/ and are told so without trying each pattern.
    matches: (path) => path.startsWith(ROUTES_PREFIX) && ROUTES.some((route) => route[0].test(path)),
    handle: (context) => {
      for (const [pattern, handler] of ROUTES) {
        const match = pattern.exec(context.path);
        if (match) return handler(oidc, context, match[1] ?? '');
      }
      throw new Error(`no OAuth2 route for ${context.path}`);
    },
  });
  host.callers.addBearer((key, now) => apiPrincipal(oidc, key, now));
};

/** The OAuth2 provider a mock runs (for the flow executor's hand-off, and to dump its keys and grants). */
export function oidcOf(host: FeatureHost): Oidc | undefined {
  return installed.get(host);
}

/**
 * authentik/api/authentication.py `auth_user_lookup`: an unexpired access token whose scope has
 * `goauthentik.io/api` authenticates as its user (an inactive one is refused).
 */
function apiPrincipal(oidc: Oidc, key: string, now: number): Principal | undefined {
  const token = oidc.grants.find('access', key);
  if (!token || isExpired(token.record, now) || !(token.record['scope'] as string[]).includes(API_SCOPE)) return undefined;
  const user = oidc.activeUser(token);
  if (!user) return undefined;
  const expires = expiresAt(token.record);
  return {
    userPk: oidc.model.pkOf('users', user),
    superuser: oidc.model.world.isSuperuser(user),
    validUntil: Number.isNaN(expires) ? Infinity : expires,
  };
}
