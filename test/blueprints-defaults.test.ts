/**
 * authentik 2024.8's own system/ and default/ blueprints, shipped in the package, applied to an empty fake world:
 * what a fresh authentik starts with (default flows and their stage bindings, the brand, `authentik Admins` with
 * akadmin, the bootstrap token when asked for, scope mappings).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyBlueprints, authentikDefaultContext } from '../src/blueprints/apply.js';
import { defaultBlueprints } from '../src/blueprints/defaults.js';
import { parseBlueprint } from '../src/blueprints/parse.js';
import type { ApplyOptions } from '../src/blueprints/types.js';
import { readBlueprintSources, readDefaultBlueprints } from '../src/node/blueprint-files.js';
import { AUTHENTIK_DEFAULT_MODELS, FakeTarget } from './support/blueprint-target.js';

const DEFAULTS = readDefaultBlueprints().map(parseBlueprint);

function freshInstall(options: ApplyOptions = {}, models = AUTHENTIK_DEFAULT_MODELS) {
  const target = new FakeTarget(models);
  return { target, results: applyBlueprints(DEFAULTS, target, options) };
}

describe('which blueprints a fresh install applies, in which order', () => {
  it('system/ then default/, each by path; not example/ nor migrations/', () => {
    const paths = DEFAULTS.map((blueprint) => blueprint.path);
    expect(paths).toHaveLength(25);
    expect(paths.slice(0, 9)).toEqual([
      'system/bootstrap.yaml',
      'system/providers-google-workspace.yaml',
      'system/providers-microsoft-entra.yaml',
      'system/providers-oauth2.yaml',
      'system/providers-proxy.yaml',
      'system/providers-rac.yaml',
      'system/providers-saml.yaml',
      'system/providers-scim.yaml',
      'system/sources-ldap.yaml',
    ]);
    expect(paths.slice(9).every((path) => path.startsWith('default/'))).toBe(true);
    expect([...paths.slice(9)].sort()).toEqual(paths.slice(9));
  });

  it('defaultBlueprints picks and orders any list of sources', () => {
    const picked = defaultBlueprints([
      { path: 'default/b.yaml' },
      { path: 'example/x.yaml' },
      { path: 'default/a.yaml' },
      { path: 'system/z.yaml' },
      { path: 'migrations/m.yaml' },
    ]);
    expect(picked.map((source) => source.path)).toEqual(['system/z.yaml', 'default/a.yaml', 'default/b.yaml']);
  });
});

describe('the defaults applied to an empty world', () => {
  const { target, results } = freshInstall({
    defaultContext: authentikDefaultContext({ models: ['authentik_core.user', 'authentik_flows.flow'] }),
  });
  const flow = (slug: string) => target.one('authentik_flows.flow', { slug })!;
  const stageName = (pk: unknown) =>
    Object.keys(AUTHENTIK_DEFAULT_MODELS)
      .filter((model) => model.startsWith('authentik_stages_'))
      .flatMap((model) => target.all(model))
      .find((stage) => stage.pk === pk)?.name;
  const bindings = (slug: string) =>
    target
      .all('authentik_flows.flowstagebinding')
      .filter((binding) => binding.target === flow(slug).pk)
      .sort((a, b) => (a.order as number) - (b.order as number))
      .map((binding) => [binding.order, stageName(binding.stage)]);

  it('every blueprint applies cleanly', () => {
    expect(results.map((result) => [result.path, result.status, result.error?.message])).toEqual(
      DEFAULTS.map((blueprint) => [blueprint.path, 'successful', undefined]),
    );
    expect(results.find((result) => result.path === 'system/bootstrap.yaml')).toMatchObject({
      name: 'authentik Bootstrap',
      labels: { 'blueprints.goauthentik.io/system': 'true' },
      managedModels: ['authentik_core.group', 'authentik_core.user'],
    });
  });

  it('creates the default flows', () => {
    expect(
      target
        .all('authentik_flows.flow')
        .map((row) => row.slug)
        .sort(),
    ).toEqual([
      'default-authentication-flow',
      'default-authenticator-static-setup',
      'default-authenticator-totp-setup',
      'default-authenticator-webauthn-setup',
      'default-invalidation-flow',
      'default-password-change',
      'default-provider-authorization-explicit-consent',
      'default-provider-authorization-implicit-consent',
      'default-source-authentication',
      'default-source-enrollment',
      'default-source-pre-authentication',
      'default-user-settings-flow',
      'initial-setup',
    ]);
    expect(flow('default-authentication-flow')).toMatchObject({
      designation: 'authentication',
      name: 'Welcome to authentik!',
      authentication: 'none',
    });
  });

  it('binds the stages in order', () => {
    expect(bindings('default-authentication-flow')).toEqual([
      [10, 'default-authentication-identification'],
      [20, 'default-authentication-password'],
      [30, 'default-authentication-mfa-validation'],
      [100, 'default-authentication-login'],
    ]);
    expect(bindings('default-invalidation-flow')).toEqual([[0, 'default-invalidation-logout']]);
    expect(bindings('default-password-change')).toEqual([
      [0, 'default-password-change-prompt'],
      [1, 'default-password-change-write'],
    ]);
  });

  it("binds the password-optional policy to the password stage's binding by its policy-binding-model key", () => {
    const passwordBinding = target
      .all('authentik_flows.flowstagebinding')
      .find((binding) => stageName(binding.stage) === 'default-authentication-password')!;
    const policy = target.one('authentik_policies_expression.expressionpolicy', { name: 'default-authentication-flow-password-stage' })!;
    expect(target.one('authentik_policies.policybinding', { policy: policy.pk })).toMatchObject({
      target: passwordBinding.pbm_uuid,
      order: 10,
    });
    expect(target.one('authentik_stages_password.passwordstage', { name: 'default-authentication-password' })!.configure_flow).toBe(
      flow('default-password-change').pk,
    );
  });

  it('creates the default brand with the default flows', () => {
    expect(target.all('authentik_brands.brand')).toEqual([
      {
        pk: expect.anything(),
        domain: 'authentik-default',
        default: true,
        flow_authentication: flow('default-authentication-flow').pk,
        flow_invalidation: flow('default-invalidation-flow').pk,
        flow_user_settings: flow('default-user-settings-flow').pk,
      },
    ]);
  });

  it('creates authentik Admins (superuser) holding akadmin, with no password and no token unless given', () => {
    const admins = target.one('authentik_core.group', { name: 'authentik Admins' })!;
    expect(admins.is_superuser).toBe(true);
    expect(target.all('authentik_core.user')).toEqual([
      {
        pk: expect.anything(),
        username: 'akadmin',
        name: 'authentik Default Admin',
        email: 'root@example.com',
        groups: [admins.pk],
        password: null,
      },
    ]);
    expect(target.all('authentik_core.token')).toEqual([]);
  });

  it('creates the OAuth2 and proxy scope mappings', () => {
    const scopes = target.all('authentik_providers_oauth2.scopemapping');
    expect(scopes.map((scope) => scope.scope_name)).toEqual([
      'openid',
      'email',
      'profile',
      'offline_access',
      'goauthentik.io/api',
      'ak_proxy',
    ]);
    expect(scopes[0]).toMatchObject({
      managed: 'goauthentik.io/providers/oauth2/scope-openid',
      name: "authentik default OAuth Mapping: OpenID 'openid'",
    });
  });

  it('notifies authentik Admins of configuration errors', () => {
    const admins = target.one('authentik_core.group', { name: 'authentik Admins' })!;
    const rule = target.one('authentik_events.notificationrule', { name: 'default-notify-configuration-error' })!;
    expect(rule).toMatchObject({ severity: 'alert', group: admins.pk });
  });

  it('gives the read-only role a view permission for every model RBAC knows (the default context)', () => {
    expect(target.one('authentik_rbac.role', { name: 'authentik Read-only' })!.permissions).toEqual([
      'authentik_core.view_user',
      'authentik_flows.view_flow',
    ]);
  });

  it('applying them again changes nothing and creates nothing', () => {
    const before = new Map(target.rows);
    const again = applyBlueprints(DEFAULTS, target);
    expect(again.every((result) => result.status === 'successful')).toBe(true);
    for (const [model, rows] of before) expect(target.all(model)).toHaveLength(rows.length);
    expect(target.all('authentik_brands.brand')).toHaveLength(1);
  });
});

describe('the bootstrap variables, as in authentik', () => {
  it('AUTHENTIK_BOOTSTRAP_TOKEN creates an API token for akadmin; PASSWORD and EMAIL set akadmin', () => {
    const { target } = freshInstall({
      env: { AUTHENTIK_BOOTSTRAP_TOKEN: 'bootstrap-key', AUTHENTIK_BOOTSTRAP_PASSWORD: 'pw', AUTHENTIK_BOOTSTRAP_EMAIL: 'admin@corp.test' },
    });
    const akadmin = target.one('authentik_core.user', { username: 'akadmin' })!;
    expect(akadmin).toMatchObject({ email: 'admin@corp.test', password: 'pw' });
    expect(target.all('authentik_core.token')).toEqual([
      {
        pk: expect.anything(),
        identifier: 'authentik-bootstrap-token',
        intent: 'api',
        expiring: false,
        user: akadmin.pk,
        key: 'bootstrap-key',
      },
    ]);
  });

  it('an empty AUTHENTIK_BOOTSTRAP_TOKEN creates no token', () => {
    expect(freshInstall({ env: { AUTHENTIK_BOOTSTRAP_TOKEN: '' } }).target.all('authentik_core.token')).toEqual([]);
  });
});

describe('the defaults on a target without some models', () => {
  it("'skip' applies the rest and warns per skipped entry", () => {
    const models = { ...AUTHENTIK_DEFAULT_MODELS };
    delete models['authentik_providers_rac.racpropertymapping'];
    delete models['authentik_stages_authenticator_webauthn.authenticatorwebauthnstage'];
    const { results, target } = freshInstall({ unknownModels: 'skip' }, models);
    const warned = results.filter((result) => result.status === 'warning').map((result) => [result.path, result.warnings.length]);
    expect(warned).toEqual([
      ['system/providers-rac.yaml', 3],
      ['default/flow-default-authenticator-webauthn-setup.yaml', 2],
    ]);
    expect(results.filter((result) => result.status === 'error')).toEqual([]);
    expect(target.one('authentik_flows.flow', { slug: 'default-authenticator-webauthn-setup' })).toBeDefined();
  });

  it("'error' refuses the blueprints that need them, and only those", () => {
    const models = { ...AUTHENTIK_DEFAULT_MODELS };
    delete models['authentik_providers_rac.racpropertymapping'];
    const { results } = freshInstall({}, models);
    expect(results.filter((result) => result.status !== 'successful').map((result) => result.error?.message)).toEqual([
      'system/providers-rac.yaml: entries[0] (authentik_providers_rac.racpropertymapping): unknown model authentik_providers_rac.racpropertymapping: the target has no such model',
    ]);
  });
});

describe('reading blueprint files (Node side)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blueprints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a folder: every .yaml below it, as authentik's discovery reads it, paths relative and sorted", () => {
    mkdirSync(join(dir, 'team', '.hidden'), { recursive: true });
    writeFileSync(join(dir, 'team', 'b.yaml'), 'entries: []');
    writeFileSync(join(dir, 'a.yaml'), 'entries: []');
    writeFileSync(join(dir, 'notes.yml'), 'entries: []');
    writeFileSync(join(dir, 'team', '.hidden', 'c.yaml'), 'entries: []');
    expect(readBlueprintSources(dir)).toEqual([
      { path: 'a.yaml', text: 'entries: []' },
      { path: 'team/b.yaml', text: 'entries: []' },
    ]);
  });

  it('a file: read as given, whatever its extension', () => {
    expect(readBlueprintSources(join(dir, 'notes.yml'))).toEqual([{ path: join(dir, 'notes.yml'), text: 'entries: []' }]);
  });
});
