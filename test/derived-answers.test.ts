// Issue 17 items 3 and 4: fields and answers authentik computes, and who sees what — on the default world and on a
// fresh install (`recordsPerEntity: 0`). Every answer is checked against the contract.
import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import type { ContractDocument } from '../src/contract/types.js';
import { referenceDocument } from './support/contracts.js';
import { libraryContract, resource } from './support/library.js';
import { coreRequester, type Reply } from './support/requester.js';

const document = referenceDocument();
const contract = new Contract(document);
const API = '/api/v3';

interface Page {
  pagination: { count: number };
  results: Array<Record<string, unknown>>;
}

type Call = (method: string, path: string, json?: unknown) => Promise<Reply>;

interface World {
  server: MockServer;
  admin: Call;
  user: Call;
}

function start(records: number, doc: ContractDocument | Contract = contract): World {
  const server = new MockServer({ contract: doc, seed: 3, recordsPerEntity: records });
  const request = coreRequester(server);
  const as =
    (token: string): Call =>
    (method, path, json) =>
      request(method, `${API}${path}`, json === undefined ? { token } : { token, json });
  return { server, admin: as(server.world.adminToken), user: as(server.world.userToken) };
}

/** The answer, checked against the contract's schema for its operation and status. */
function valid(reply: Reply, operationId: string): Reply {
  expect(contract.validateResponse(operationId, reply.status, reply.body), `${operationId} ${reply.text.slice(0, 300)}`).toEqual([]);
  return reply;
}

const page = (reply: Reply) => reply.body as Page;
const DEFAULT_STAGES = [
  'default-authentication-identification',
  'default-authentication-password',
  'default-authentication-mfa-validation',
  'default-authentication-login',
];

describe.each([
  ['the default world', 3],
  ['a fresh install (--records 0)', 0],
])('on %s', (_name, records) => {
  it('starts with the default flows, their stage bindings in order, on flow, stage and binding lists', async () => {
    const { admin } = start(records);
    const flow = valid(await admin('GET', '/flows/instances/default-authentication-flow/'), 'flows_instances_retrieve').body as Record<
      string,
      unknown
    >;
    const bindings = page(
      valid(await admin('GET', `/flows/bindings/?target=${String(flow['pk'])}&ordering=order`), 'flows_bindings_list'),
    ).results;
    expect(bindings.map((b) => (b['stage_obj'] as { name: string }).name)).toEqual(DEFAULT_STAGES);
    expect(bindings.map((b) => b['order'])).toEqual([10, 20, 30, 100]);
    // Flow.stages is what its bindings bind, in their order; a stage's flow_set the flows it is bound into.
    expect(flow['stages']).toEqual(bindings.map((b) => b['stage']));
    const password = valid(await admin('GET', `/stages/password/${String(bindings[1]!['stage'])}/`), 'stages_password_retrieve').body as {
      flow_set: Array<{ slug: string; export_url: string }>;
    };
    expect(password.flow_set.map((f) => f.slug)).toContain('default-authentication-flow');
    expect(flow['export_url']).toBe('/api/v3/flows/instances/default-authentication-flow/export/');
    expect(flow['background']).toBe('/static/dist/assets/images/flow_background.jpg');
    // The expression policy bound to the password stage's binding counts that binding.
    const policies = page(
      valid(await admin('GET', '/policies/all/?search=default-authentication-flow-password-stage'), 'policies_all_list'),
    );
    expect(policies.results[0]).toMatchObject({ name: 'default-authentication-flow-password-stage', bound_to: 1 });
  });

  it('answers the brand for the request: the default one names default-authentication-flow', async () => {
    const { admin, server } = start(records);
    const current = valid(await admin('GET', '/core/brands/current/'), 'core_brands_current_retrieve').body;
    expect(current).toEqual({
      matched_domain: 'authentik-default',
      branding_title: 'authentik',
      branding_logo: '/static/dist/assets/icons/icon_left_brand.svg',
      branding_favicon: '/static/dist/assets/icons/icon.png',
      ui_footer_links: [],
      ui_theme: 'automatic',
      flow_authentication: 'default-authentication-flow',
      flow_invalidation: 'default-invalidation-flow',
      flow_user_settings: 'default-user-settings-flow',
      default_locale: '',
    });
    // A brand whose domain ends the host, longer than the default's, is the request's (authentik/brands/utils.py).
    const created = await admin('POST', '/core/brands/', {
      domain: 'login.customer-portal.example',
      branding_title: 'Customer portal',
      attributes: { settings: { theme: { base: 'dark' }, locale: 'de' } },
    });
    expect(created.status).toBe(201);
    const other = await server.fetch(`http://sso.login.customer-portal.example${API}/core/brands/current/`);
    const body = valid({ status: other.status, headers: {}, body: await other.json(), text: '' }, 'core_brands_current_retrieve').body;
    expect(body).toMatchObject({ matched_domain: 'login.customer-portal.example', branding_title: 'Customer portal', ui_theme: 'dark' });
    expect(body).toMatchObject({ default_locale: 'de' });
    expect(body).not.toHaveProperty('flow_authentication'); // unset: left out, as DRF skips it
  });

  it('makes akadmin a superuser through authentik Admins, and any member of it or of a group below it', async () => {
    const { admin, user, server } = start(records);
    const groups = page(valid(await admin('GET', '/core/groups/?name=authentik%20Admins'), 'core_groups_list')).results;
    const admins = groups[0]!;
    expect((admins['users_obj'] as Array<{ username: string }>).map((u) => u.username)).toContain('akadmin');
    const me = valid(await admin('GET', '/core/users/me/'), 'core_users_me_retrieve').body as { user: Record<string, unknown> };
    expect(me.user).toMatchObject({ username: 'akadmin', is_superuser: true, system_permissions: [] });
    expect(me.user['groups']).toEqual([{ name: 'authentik Admins', pk: admins['pk'] }]);

    expect((await user('GET', '/admin/system/')).status).toBe(403);
    const child = await admin('POST', '/core/groups/', { name: 'Helpdesk', parent: admins['pk'], users: [userPk(server)] });
    expect(child.status).toBe(201);
    const mine = valid(await user('GET', '/core/users/me/'), 'core_users_me_retrieve').body as { user: Record<string, unknown> };
    expect(mine.user['is_superuser']).toBe(true);
    // all_groups() by name: the group and the one above it.
    expect((mine.user['groups'] as Array<{ name: string }>).map((g) => g.name)).toEqual(['authentik Admins', 'Helpdesk']);
    expect(valid(await user('GET', '/admin/system/'), 'admin_system_retrieve').status).toBe(200);
  });

  it('links a provider to the application that uses it, and refuses a second application on it', async () => {
    const { admin } = start(records);
    const flow = valid(await admin('GET', '/flows/instances/default-provider-authorization-implicit-consent/'), 'flows_instances_retrieve')
      .body as { pk: string };
    const provider = valid(
      await admin('POST', '/providers/oauth2/', { name: 'Grafana', authorization_flow: flow.pk }),
      'providers_oauth2_create',
    ).body as Record<string, unknown>;
    expect(provider).toMatchObject({ assigned_application_slug: '', assigned_application_name: '', component: 'ak-provider-oauth2-form' });
    const pk = provider['pk'] as number;
    valid(await admin('POST', '/core/applications/', { name: 'Grafana', slug: 'grafana', provider: pk }), 'core_applications_create');
    const assigned = valid(await admin('GET', `/providers/all/${pk}/`), 'providers_all_retrieve').body;
    expect(assigned).toMatchObject({ assigned_application_slug: 'grafana', assigned_application_name: 'Grafana' });

    const before = page(await admin('GET', '/core/applications/?superuser_full_list=true&page_size=1')).pagination.count;
    const second = valid(
      await admin('POST', '/core/applications/', { name: 'Again', slug: 'again', provider: pk }),
      'core_applications_create',
    );
    expect(second).toMatchObject({ status: 400, body: { provider: ['Application with this provider already exists.'] } });
    expect(page(await admin('GET', '/core/applications/?superuser_full_list=true&page_size=1')).pagination.count).toBe(before);
    // Moving the provider to another application is refused the same way; keeping its own is not.
    const other = await admin('POST', '/core/applications/', { name: 'Other', slug: 'other' });
    expect((await admin('PATCH', '/core/applications/other/', { provider: pk })).status).toBe(400);
    expect(other.status).toBe(201);
    expect((await admin('PATCH', '/core/applications/grafana/', { provider: pk, name: 'Grafana 2' })).status).toBe(200);
    // A backchannel provider names the application whose backchannel_providers hold it.
    const ldap = valid(await admin('POST', '/providers/ldap/', { name: 'Directory', authorization_flow: flow.pk }), 'providers_ldap_create')
      .body as { pk: number };
    await admin('PATCH', '/core/applications/other/', { backchannel_providers: [ldap.pk] });
    expect(valid(await admin('GET', `/providers/ldap/${ldap.pk}/`), 'providers_ldap_retrieve').body).toMatchObject({
      assigned_backchannel_application_slug: 'other',
      assigned_backchannel_application_name: 'Other',
    });
  });

  it('counts every provider under /providers/all/ once: the sum of the subtype lists', async () => {
    const { admin } = start(records);
    const count = async (path: string) => page(await admin('GET', `${path}?page_size=1`)).pagination.count;
    const kinds = ['oauth2', 'proxy', 'saml', 'ldap', 'rac', 'radius', 'scim', 'google_workspace', 'microsoft_entra'];
    let sum = 0;
    for (const kind of kinds) sum += await count(`/providers/${kind}/`);
    expect(await count('/providers/all/')).toBe(sum);
  });

  it('lists the kinds of each family as authentik lists them, sorted by name', async () => {
    const { admin } = start(records);
    const types = async (path: string, operationId: string) =>
      valid(await admin('GET', path), operationId).body as Array<{ name: string; component: string; model_name: string }>;
    const providers = await types('/providers/all/types/', 'providers_all_types_list');
    expect(providers.map((t) => t.model_name)).toEqual([
      'googleworkspaceprovider',
      'ldapprovider',
      'microsoftentraprovider',
      'oauth2provider',
      'proxyprovider',
      'racprovider',
      'radiusprovider',
      'samlprovider',
      'samlproviderimportmodel',
      'scimprovider',
    ]);
    expect(providers.find((t) => t.model_name === 'oauth2provider')).toMatchObject({
      name: 'OAuth2/OpenID Provider',
      component: 'ak-provider-oauth2-form',
    });
    expect((await types('/stages/all/types/', 'stages_all_types_list')).length).toBe(19);
    expect((await types('/policies/all/types/', 'policies_all_types_list')).map((t) => t.name)).toEqual([
      'Event Matcher Policy',
      'Expression Policy',
      'GeoIP Policy',
      'Password Expiry Policy',
      'Password Policy',
      'Reputation Policy',
    ]);
    expect((await types('/sources/all/types/', 'sources_all_types_list')).length).toBe(18);
    const mappings = await types('/propertymappings/all/types/', 'propertymappings_all_types_list');
    expect(mappings.length).toBe(13);
    // Python's code-point order: "SCIM…" before "Scope…".
    expect(mappings.slice(-2).map((t) => t.name)).toEqual(['SCIM Source Property Mapping', 'Scope Mapping']);
    expect((await types('/outposts/service_connections/all/types/', 'outposts_service_connections_all_types_list')).length).toBe(2);
  });

  it('answers the running version, an unlicensed install, the config, and one worker', async () => {
    const { admin, user } = start(records);
    for (const call of [admin, user]) {
      expect(valid(await call('GET', '/admin/version/'), 'admin_version_retrieve').body).toEqual({
        version_current: '2024.8.2',
        version_latest: '2024.8.2',
        version_latest_valid: true,
        build_hash: '',
        outdated: false,
        outpost_outdated: false,
      });
      expect(valid(await call('GET', '/enterprise/license/summary/'), 'enterprise_license_summary_retrieve').body).toEqual({
        internal_users: 0,
        external_users: 0,
        status: 'unlicensed',
        latest_valid: '1970-01-01T00:00:00Z',
        license_flags: [],
      });
    }
    const config = valid(await admin('GET', '/root/config/'), 'root_config_retrieve').body;
    expect(config).toMatchObject({ capabilities: ['can_impersonate', 'is_enterprise'], cache_timeout: 300 });
    expect(config).toMatchObject({ error_reporting: { enabled: false, environment: 'customer' } });
    expect(valid(await admin('GET', '/admin/workers/'), 'admin_workers_retrieve').body).toEqual({ count: 1 });
    expect(valid(await admin('GET', '/admin/settings/'), 'admin_settings_retrieve').body).toMatchObject({
      avatars: 'gravatar,initials',
      default_token_duration: 'minutes=30',
      footer_links: [],
    });
  });

  it('draws the default authentication flow as authentik draws it', async () => {
    const { admin } = start(records);
    const diagram = valid(await admin('GET', '/flows/instances/default-authentication-flow/diagram/'), 'flows_instances_diagram_retrieve')
      .body as { diagram: string };
    // authentik 2024.8's FlowDiagram.build for this flow (research note, replayed from flows_diagram.py).
    expect(diagram.diagram).toBe(
      [
        'graph TD',
        'flow_start[["Flow\nWelcome to authentik!"]]',
        '--> stage_0(["Stage (Identification Stage)\ndefault-authentication-identification"])',
        'stage_1_policy_0 --Policy passed--> stage_1(["Stage (Password Stage)\ndefault-authentication-password"])',
        '--> stage_2(["Stage (Authenticator Validation Stage)\ndefault-authentication-mfa-validation"])',
        '--> stage_3(["Stage (User Login Stage)\ndefault-authentication-login"])',
        'stage_0 --> stage_1_policy_0{{"Policy (Expression Policy)\ndefault-authentication-flow-password-stage"}}',
        'stage_1_policy_0 --Policy denied--> stage_2(["Stage (Authenticator Validation Stage)\ndefault-authentication-mfa-validation"])',
        'stage_3 --> done[["End of the flow"]]',
      ].join('\n'),
    );
  });

  it('draws an authentication requirement and the policies bound to the flow; an empty flow ends at once', async () => {
    const { admin } = start(records);
    const flow = valid(
      await admin('POST', '/flows/instances/', {
        name: 'Example',
        slug: 'example',
        title: 'Example',
        designation: 'authentication',
        authentication: 'require_authenticated',
      }),
      'flows_instances_create',
    ).body as { pk: string; policybindingmodel_ptr_id: string };
    const empty = (await admin('GET', '/flows/instances/example/diagram/')).body as { diagram: string };
    expect(empty.diagram.endsWith('flow_start[["Flow\nExample"]]\nflow_start --> done[["End of the flow"]]')).toBe(true);
    const policy = (await admin('POST', '/policies/expression/', { name: 'my-flow-policy', expression: 'return True' })).body as {
      pk: string;
    };
    const bound = await admin('POST', '/policies/bindings/', { policy: policy.pk, target: flow.policybindingmodel_ptr_id, order: 0 });
    expect(bound.status).toBe(201);
    const stage = (await admin('POST', '/stages/dummy/', { name: 's1' })).body as { pk: string };
    await admin('POST', '/flows/bindings/', { target: flow.pk, stage: stage.pk, order: 10 });
    const drawn = (await admin('GET', '/flows/instances/example/diagram/')).body as { diagram: string };
    expect(drawn.diagram).toBe(
      [
        'graph TD',
        'flow_auth_requirement["Flow authentication requirement\nrequire_authenticated"]',
        'flow_auth_requirement --Requirement not fulfilled--> done[["End of the flow"]]',
        'flow_auth_requirement --Requirement fulfilled--> flow_start["placeholder"]',
        'flow_pre[["Pre-flow policies"]]',
        'flow_pre --Binding 0--> flow_policy_0{{"Policy (Expression Policy)\nmy-flow-policy"}}',
        'flow_policy_0 --Policy denied--> done[["End of the flow"]]',
        'flow_policy_0 --> flow_start[["Flow\nExample"]]',
        '--> stage_0(["Stage (Dummy Stage)\ns1"])',
        'stage_0 --> done[["End of the flow"]]',
      ].join('\n'),
    );
    const listed = page(await admin('GET', '/flows/instances/?slug=example')).results[0]!;
    expect(listed['policies']).toEqual([policy.pk]);
  });

  it('shows the ordinary user the applications their group and user bindings let them into', async () => {
    const { admin, user, server } = start(records);
    const open = await admin('POST', '/core/applications/', { name: 'Wiki', slug: 'wiki' });
    const closed = await admin('POST', '/core/applications/', { name: 'Payroll', slug: 'payroll' });
    const group = (await admin('POST', '/core/groups/', { name: 'Finance' })).body as { pk: string };
    await admin('POST', '/policies/bindings/', { target: (closed.body as { pk: string }).pk, group: group.pk, order: 0 });
    const slugs = async (call: Call, query = '') =>
      page(valid(await call('GET', `/core/applications/?page_size=1000${query}`), 'core_applications_list')).results.map((a) => a['slug']);
    expect(open.status).toBe(201);
    expect(await slugs(user)).toContain('wiki');
    expect(await slugs(user)).not.toContain('payroll');
    // superuser_full_list is a superuser's: an ordinary user who sends it still gets what they may access.
    expect(await slugs(user, '&superuser_full_list=true')).not.toContain('payroll');
    // akadmin is not in Finance either; only the full list shows everything.
    expect(await slugs(admin)).not.toContain('payroll');
    expect(await slugs(admin, '&superuser_full_list=true')).toEqual(expect.arrayContaining(['wiki', 'payroll']));
    // A binding to the user (or to a group they are in) lets them in.
    await admin('POST', '/policies/bindings/', { target: (closed.body as { pk: string }).pk, user: userPk(server), order: 1 });
    expect(await slugs(user)).toContain('payroll');
    // for_user: a superuser sees another user's library; an ordinary user may not ask.
    expect(await slugs(admin, `&for_user=${userPk(server)}`)).toContain('payroll');
    const refused = await user('GET', `/core/applications/?for_user=${userPk(server)}`);
    expect(refused).toMatchObject({ status: 400, body: { for_user: 'User not found' } });
    // The items themselves stay hidden from a user without permissions, as authentik's object filter keeps them.
    expect((await user('GET', '/core/applications/wiki/')).status).toBe(404);
  });

  it("refuses the permission-guarded views to the ordinary user with authentik's message; akadmin gets them", async () => {
    const { admin, user } = start(records);
    for (const path of [
      '/admin/system/',
      '/admin/settings/',
      '/admin/workers/',
      '/enterprise/license/install_id/',
      '/managed/blueprints/',
    ]) {
      const refused = await user('GET', path);
      expect(refused, path).toMatchObject({ status: 403, body: { detail: 'You do not have permission to perform this action.' } });
      expect((await admin('GET', path)).status, path).toBe(200);
    }
    const system = valid(await admin('GET', '/admin/system/'), 'admin_system_retrieve');
    const body = system.body as Record<string, unknown>;
    expect(Math.abs(Date.parse(body['server_time'] as string) - Date.now())).toBeLessThan(60_000);
    expect(body).toMatchObject({ brand: 'Default brand', http_host: 'localhost', http_is_secure: false });
    expect((body['runtime'] as Record<string, unknown>)['authentik_version']).toBe('2024.8.2');
    expect(system.headers['cache-control']).toBe('no-store');
    // Open views stay open.
    expect((await user('GET', '/admin/version/')).status).toBe(200);
    expect((await user('GET', '/root/config/')).status).toBe(200);
  });
});

function userPk(server: MockServer): number {
  return server.world.table(server.world.userEntity!.name).find('username', 'user')!['pk'] as number;
}

describe('generated values follow what the field means', () => {
  it('gives IP addresses, local icons, permission codenames and the same values for the same seed', async () => {
    const first = start(5);
    const second = start(5);
    const events = page(await first.admin('GET', '/events/events/?page_size=50')).results;
    const ips = events.map((e) => e['client_ip']).filter((ip) => ip !== null);
    expect(ips.length).toBeGreaterThan(0);
    for (const ip of ips) expect(ip).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
    const apps = page(await first.admin('GET', '/core/applications/?superuser_full_list=true&page_size=50')).results;
    for (const app of apps)
      if (app['meta_icon'] !== null) expect(app['meta_icon']).toMatch(/^\/static\/(authentik\/sources|dist\/assets\/icons)\//);
    const brands = page(await first.admin('GET', '/core/brands/?page_size=50')).results;
    for (const brand of brands) expect(brand['branding_logo']).toMatch(/^\/static\/dist\/assets\/icons\//);
    const permissions = page(await first.admin('GET', '/rbac/permissions/?page_size=50')).results;
    for (const permission of permissions) expect(permission['codename']).toMatch(/^(add|change|delete|view)_[a-z0-9]+$/);
    const health = (await first.admin('GET', '/outposts/instances/?page_size=1')).body as Page;
    expect(health.results.length).toBeGreaterThan(0);
    expect(page(await second.admin('GET', '/events/events/?page_size=50')).results.map((e) => e['client_ip'])).toEqual(
      events.map((e) => e['client_ip']),
    );
  });
});

describe('the release the contract describes', () => {
  it('is the release named by the package its operations came from', async () => {
    const packaged: ContractDocument = {
      ...document,
      operations: document.operations.map((o) => ({ ...o, source: '@goauthentik/api@2026.8.3-1760000000/schema.yml' })),
    };
    const { user } = start(0, packaged);
    expect((await user('GET', '/admin/version/')).body).toMatchObject({ version_current: '2026.8.3', version_latest: '2026.8.3' });
  });
});

describe('derived from any contract, with no code for it', () => {
  // A small API written here: a room may take a desk; a desk shows the room it is assigned to.
  const roomFields = {
    name: { type: 'string', maxLength: 64 },
    slug: { type: 'string', maxLength: 64 },
    desk: { type: 'integer', nullable: true },
  };
  const library = libraryContract(
    { ...resource('/office/desks/', 'Desk'), ...resource('/office/rooms/', 'Room') },
    {
      Desk: {
        type: 'object',
        properties: {
          pk: { type: 'integer', readOnly: true },
          label: { type: 'string', maxLength: 64 },
          assigned_room_name: { type: 'string', readOnly: true },
          assigned_room_slug: { type: 'string', readOnly: true, nullable: true },
        },
        required: ['pk', 'label', 'assigned_room_name', 'assigned_room_slug'],
      },
      DeskRequest: { type: 'object', properties: { label: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['label'] },
      Room: {
        type: 'object',
        properties: { pk: { type: 'integer', readOnly: true }, ...roomFields },
        required: ['pk', 'name', 'slug', 'desk'],
      },
      RoomRequest: { type: 'object', properties: roomFields, required: ['name', 'slug'] },
    },
  );

  it('shows the record that links here, and keeps a link it shows as single one-to-one', async () => {
    const server = new MockServer({ contract: library, seed: 1, recordsPerEntity: 0, adminToken: 'office' });
    const request = coreRequester(server);
    const call = (method: string, path: string, json?: unknown) =>
      request(method, `${API}${path}`, { token: 'office', ...(json ? { json } : {}) });
    const desk = (await call('POST', '/office/desks/', { label: 'by the window' })).body as { pk: number };
    // None: null where the schema allows it, else "".
    expect((await call('GET', `/office/desks/${desk.pk}/`)).body).toMatchObject({ assigned_room_name: '', assigned_room_slug: null });
    expect((await call('POST', '/office/rooms/', { name: 'Atrium', slug: 'atrium', desk: desk.pk })).status).toBe(201);
    expect((await call('GET', `/office/desks/${desk.pk}/`)).body).toMatchObject({
      assigned_room_name: 'Atrium',
      assigned_room_slug: 'atrium',
    });
    const second = await call('POST', '/office/rooms/', { name: 'Annex', slug: 'annex', desk: desk.pk });
    expect(second).toMatchObject({ status: 400, body: { desk: ['room with this desk already exists.'] } });
    expect((await call('POST', '/office/rooms/', { name: 'Annex', slug: 'annex', desk: null })).status).toBe(201);
  });
});
