// Issue 17 item 1: a team's blueprints applied after authentik's, as authentik would, into the mock's world.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBlueprints, parseBlueprint } from '../src/blueprints/index.js';
import { Contract } from '../src/contract/contract.js';
import { WorldBlueprintTarget } from '../src/core/blueprint-target.js';
import { MockServer } from '../src/mock-server.js';
import { referenceDocument } from './support/contracts.js';
import { coreRequester } from './support/requester.js';

const contract = new Contract(referenceDocument());
const TEAM = { path: 'team/payroll.yaml', text: readFileSync(join(import.meta.dirname, 'fixtures', 'team-blueprint.yaml'), 'utf8') };

interface Page {
  results: Array<Record<string, unknown>>;
}

describe('a team blueprint with every tag', () => {
  const mock = new MockServer({ contract, recordsPerEntity: 0, blueprints: [TEAM], env: { PAYROLL_COST_CENTER: 'cc-42' } });
  const request = coreRequester(mock);
  const get = async (path: string) => (await request('GET', `/api/v3${path}`, { token: mock.world.adminToken })).body as Page;

  it('is applied after authentik’s own, and listed with them', async () => {
    const instances = (await get('/managed/blueprints/?page_size=100')).results;
    const names = instances.map((i) => i['name']);
    expect(names).toContain('Team - Payroll app');
    expect(names.indexOf('Team - Payroll app')).toBeGreaterThan(names.indexOf('Default - Authentication flow'));
    expect(instances.find((i) => i['name'] === 'Team - Payroll app')).toMatchObject({ status: 'successful', path: 'team/payroll.yaml' });
  });

  it('evaluates !Format, !Context, !Env, !Enumerate/!Index/!Value, !KeyOf, !Condition, !If', async () => {
    const groups = (await get('/core/groups/?page_size=100')).results;
    const team = groups.find((g) => g['name'] === 'payroll team')!;
    const admins = groups.find((g) => g['name'] === 'payroll admins')!;
    expect(team['attributes']).toEqual({ cost_center: 'cc-42', seats: { alice: 0, bob: 1, carol: 2 } });
    expect(admins).toMatchObject({ parent: team['pk'], is_superuser: true });
    const users = (await get('/core/users/?page_size=100')).results;
    expect(users.find((u) => u['username'] === 'bob')).toMatchObject({ name: 'Bob (MFA)', groups: [team['pk']] });
    // A member of a superuser group is a superuser, and the blueprint's password logs in.
    const alice = users.find((u) => u['username'] === 'alice')!;
    expect(alice['is_superuser']).toBe(true);
    expect(mock.world.identities.checkPassword(alice['pk'] as number, 'alice-password')).toBe(true);
  });

  it('links with !Find to what authentik’s blueprints made: a flow, its stage bindings in order, an OAuth2 app', async () => {
    const flow = (await get('/flows/instances/?slug=payroll-login')).results[0]!;
    const bindings = (await get(`/flows/bindings/?target=${String(flow['pk'])}&ordering=order`)).results;
    expect(bindings.map((b) => [b['order'], (b['stage_obj'] as { name: string }).name])).toEqual([
      [10, 'payroll-identification'],
      [100, 'default-authentication-login'],
    ]);
    const stage = (await get('/stages/identification/?name=payroll-identification')).results[0]!;
    const password = (await get('/stages/password/?name=default-authentication-password')).results[0]!;
    expect(stage).toMatchObject({ user_fields: ['username', 'email'], password_stage: password['pk'] });
    const app = (await get('/core/applications/?slug=payroll')).results[0]!;
    expect((app['provider_obj'] as { name: string; client_id: string }).name).toBe('Payroll OIDC');
  });
});

describe('a broken team blueprint', () => {
  const broken = {
    path: 'team/broken.yaml',
    text: `version: 1
metadata:
  name: Broken
entries:
  - model: authentik_core.group
    identifiers: {name: made before the problem}
  - model: authentik_flows.flow
    identifiers: {slug: half-made}
    attrs: {name: Half, title: Half, designation: not-a-designation}
`,
  };

  it('stops the start with the file, the entry and the reason', () => {
    expect(() => new MockServer({ contract, recordsPerEntity: 0, blueprints: [broken] })).toThrow(
      /team\/broken\.yaml: entries\[1\] \(authentik_flows\.flow\).*designation/,
    );
  });

  it('changes nothing of a running world when applied to it: all or nothing', () => {
    const mock = new MockServer({ contract, recordsPerEntity: 0 });
    // Records, keys and passwords as they were (ids the refused entries took are not handed out again: never reused).
    const state = () => JSON.stringify({ ...mock.world.dump(), sequences: undefined });
    const before = state();
    const [result] = applyBlueprints([parseBlueprint(broken)], new WorldBlueprintTarget(mock.world));
    expect(result!.status).toBe('error');
    expect(result!.error!.message).toMatch(/entries\[1\].*designation/);
    expect(state()).toBe(before);
  });

  it('names an unknown model rather than skipping it (authentik’s own blueprints skip what a contract lacks)', () => {
    const unknown = {
      path: 'team/unknown.yaml',
      text: 'version: 1\nentries:\n  - model: authentik_nope.thing\n    identifiers: {name: x}\n',
    };
    expect(() => new MockServer({ contract, recordsPerEntity: 0, blueprints: [unknown] })).toThrow(/authentik_nope\.thing/);
  });
});
