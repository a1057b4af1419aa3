import type { BlueprintSource } from '../blueprints/index.js';

/**
 * The mock's own blueprint, applied after authentik's: akadmin as authentik's bootstrap makes it (when no blueprint
 * did), an ordinary user, their passwords, and the two API tokens whose keys the server prints. Written as blueprints
 * are, so a world without authentik's defaults (`defaultBlueprints: false`, another version) has them too.
 */
export const PRINCIPALS_BLUEPRINT: BlueprintSource = {
  path: 'authentik-mock/principals.yaml',
  text: `version: 1
metadata:
  name: authentik-mock principals
  labels:
    blueprints.goauthentik.io/description: akadmin, an ordinary user, and the API tokens whose keys authentik-mock prints
context:
  admin_password: null
  user_password: null
  admin_token: null
  user_token: null
  ordinary_username: user
entries:
  - model: authentik_core.group
    state: created
    id: admin-group
    identifiers:
      name: authentik Admins
    attrs:
      is_superuser: true
  - model: authentik_core.user
    state: created
    identifiers:
      username: akadmin
    attrs:
      name: authentik Default Admin
      email: root@example.com
      groups:
        - !KeyOf admin-group
  - model: authentik_core.user
    identifiers:
      username: akadmin
    attrs:
      password: !Context admin_password
  - model: authentik_core.user
    state: created
    identifiers:
      username: !Context ordinary_username
    attrs:
      name: Ordinary User
      email: user@example.com
  - model: authentik_core.user
    identifiers:
      username: !Context ordinary_username
    attrs:
      password: !Context user_password
  - model: authentik_core.token
    identifiers:
      identifier: authentik-mock-admin
    attrs:
      intent: api
      expiring: false
      user: !Find [authentik_core.user, [username, akadmin]]
      description: API token of the mock's admin (akadmin)
      key: !Context admin_token
  - model: authentik_core.token
    identifiers:
      identifier: authentik-mock-user
    attrs:
      intent: api
      expiring: false
      user: !Find [authentik_core.user, [username, !Context ordinary_username]]
      description: API token of the mock's ordinary user
      key: !Context user_token
`,
};
