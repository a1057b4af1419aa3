/**
 * Applying blueprints as authentik's importer does (authentik/blueprints/v1/importer.py): identifiers find the
 * record, the four states, conditions, meta-apply, the pk map, permissions, and each blueprint whole or not at all.
 */
import { describe, expect, it } from 'vitest';
import { applyBlueprints } from '../src/blueprints/apply.js';
import { BlueprintValidationError } from '../src/blueprints/errors.js';
import { parseBlueprint } from '../src/blueprints/parse.js';
import type { BlueprintQuery } from '../src/blueprints/types.js';
import { THING, applyYaml, fakeTarget } from './support/blueprint-helpers.js';

const entries = (...items: string[]) => `version: 1\nentries:\n${items.map((item) => `  - ${item}`).join('\n')}`;

describe('identifiers find the record to update', () => {
  it('present: creates with identifiers merged into attrs, then updates only what the entry says', () => {
    const target = fakeTarget();
    const yaml = entries('{model: test.thing, identifiers: {name: a}, attrs: {title: foo, tags: [x]}}');
    applyYaml({ 'p.yaml': yaml }, {}, target);
    expect(target.all(THING)).toEqual([{ pk: expect.any(String), name: 'a', title: 'foo', tags: ['x'] }]);
    target.update(THING, target.one(THING, { name: 'a' })!, { title: 'changed by hand', other: 'kept' });
    const { result } = applyYaml({ 'p.yaml': yaml }, {}, target);
    expect(result.status).toBe('successful');
    expect(target.all(THING)).toEqual([{ pk: expect.any(String), name: 'a', title: 'foo', tags: ['x'], other: 'kept' }]);
  });

  it('a pk identifier finds by pk OR by the other identifiers together; a mapping identifier is a containment', () => {
    const queries: BlueprintQuery[] = [];
    const target = fakeTarget();
    const find = target.find.bind(target);
    target.find = (model, query) => (queries.push(query), find(model, query));
    applyYaml({ 'q.yaml': entries('{model: test.thing, identifiers: {pk: p-1, name: a, order: 10, attributes: {team: x}}}') }, {}, target);
    expect(queries).toEqual([{ pk: 'p-1', equals: { name: 'a', order: 10 }, contains: { attributes: { team: 'x' } } }]);
    expect(target.all(THING)[0]).toMatchObject({ pk: 'p-1', name: 'a', order: 10, attributes: { team: 'x' } });
  });

  it('an existing record found by pk is updated, even when the other identifiers differ', () => {
    const target = fakeTarget();
    target.create(THING, { name: 'old' }, 'p-1');
    applyYaml({ 'q.yaml': entries('{model: test.thing, identifiers: {pk: p-1, name: new}}') }, {}, target);
    expect(target.all(THING)).toEqual([{ pk: 'p-1', name: 'new' }]);
  });

  it('a record found by other identifiers takes the entry; references to the YAML pk become its real pk', () => {
    const target = fakeTarget({ 'test.ref': {} });
    target.create(THING, { name: 'a' }, 'real-pk');
    applyYaml(
      {
        'pk.yaml': entries(
          '{model: test.thing, identifiers: {pk: yaml-pk, name: a}}',
          '{model: test.ref, identifiers: {name: r}, attrs: {thing: yaml-pk, things: [yaml-pk], map: {t: yaml-pk}}}',
        ),
      },
      {},
      target,
    );
    expect(target.all('test.ref')[0]).toMatchObject({ thing: 'real-pk', things: ['real-pk'], map: { t: 'real-pk' } });
  });

  it('a {pk: …} identifier value is read as that pk', () => {
    const target = fakeTarget({ 'test.ref': {} });
    target.create('test.ref', { name: 'r', thing: 't-1' });
    applyYaml({ 'r.yaml': entries('{model: test.ref, identifiers: {thing: {pk: t-1}}, attrs: {seen: true}}') }, {}, target);
    expect(target.all('test.ref')).toEqual([{ pk: expect.any(String), name: 'r', thing: 't-1', seen: true }]);
  });

  it('identifiers and attrs deep-merge, identifiers winning (lists concatenate, as deepmerge does)', () => {
    const { target } = applyYaml({
      'm.yaml': entries('{model: test.thing, identifiers: {name: a, meta: {x: 1}, tags: [i]}, attrs: {name: z, meta: {y: 2}, tags: [a]}}'),
    });
    expect(target.all(THING)[0]).toMatchObject({ name: 'a', meta: { x: 1, y: 2 }, tags: ['a', 'i'] });
  });

  it('no identifiers refuse the entry', () => {
    const { result } = applyYaml({ 'n.yaml': entries('{model: test.thing, attrs: {name: a}}') });
    expect(result.error?.message).toBe('n.yaml: entries[0] (test.thing): No or invalid identifiers');
  });

  it('a query the target cannot answer refuses the entry with its message', () => {
    const target = fakeTarget();
    target.find = () => {
      throw new Error("Cannot resolve keyword 'nope' into field");
    };
    const { result } = applyYaml({ 'f.yaml': entries('{model: test.thing, identifiers: {nope: 1}}') }, {}, target);
    expect(result.error?.reason).toBe("Invalid identifier field: Cannot resolve keyword 'nope' into field");
  });
});

describe('states', () => {
  const seeded = () => {
    const target = fakeTarget();
    target.create(THING, { name: 'a', title: 'by hand' });
    return target;
  };

  it('created: creates when missing, never touches an existing record', () => {
    const target = seeded();
    applyYaml(
      {
        's.yaml': entries(
          '{model: test.thing, state: created, identifiers: {name: a}, attrs: {title: blueprint}}',
          '{model: test.thing, state: created, identifiers: {name: b}}',
        ),
      },
      {},
      target,
    );
    expect(target.one(THING, { name: 'a' })!.title).toBe('by hand');
    expect(target.one(THING, { name: 'b' })).toBeDefined();
  });

  it('created: the existing record is still what !KeyOf gives', () => {
    const target = seeded();
    const { target: after } = applyYaml(
      {
        's.yaml': entries(
          '{model: test.thing, id: a, state: created, identifiers: {name: a}}',
          '{model: test.thing, identifiers: {name: b}, attrs: {ref: !KeyOf a}}',
        ),
      },
      {},
      target,
    );
    expect(after.one(THING, { name: 'b' })!.ref).toBe(after.one(THING, { name: 'a' })!.pk);
  });

  it('must_created: creates when missing, refuses the blueprint when the record exists', () => {
    const { target } = applyYaml({ 'm.yaml': entries('{model: test.thing, state: must_created, identifiers: {name: new}}') });
    expect(target.one(THING, { name: 'new' })).toBeDefined();
    const { result } = applyYaml({ 'm.yaml': entries('{model: test.thing, state: must_created, identifiers: {name: a}}') }, {}, seeded());
    expect(result.error?.message).toBe('m.yaml: entries[0] (test.thing): State is set to must_created and object exists already');
  });

  it('absent: removes what the identifiers find, and is a no-op when nothing matches', () => {
    const target = seeded();
    const { result } = applyYaml(
      {
        'a.yaml': entries(
          '{model: test.thing, state: absent, identifiers: {name: a}}',
          '{model: test.thing, state: absent, identifiers: {name: zz}}',
        ),
      },
      {},
      target,
    );
    expect(result.status).toBe('successful');
    expect(target.all(THING)).toEqual([]);
    expect(result.managedModels).toEqual([THING]);
  });

  it('absent: an entry whose identifiers cannot be evaluated is skipped, as in authentik', () => {
    const target = seeded();
    const { result } = applyYaml(
      { 'a.yaml': entries('{model: test.thing, state: absent, identifiers: {name: !KeyOf nowhere}}') },
      {},
      target,
    );
    expect(result.status).toBe('successful');
    expect(target.all(THING)).toHaveLength(1);
  });

  it('a state given by a tag is evaluated; an invalid one refuses the entry', () => {
    const target = seeded();
    applyYaml(
      { 't.yaml': entries('{model: test.thing, state: !Context s, identifiers: {name: a}}') },
      { instanceContext: { s: 'absent' } },
      target,
    );
    expect(target.all(THING)).toEqual([]);
    const { result } = applyYaml(
      { 't.yaml': entries('{model: test.thing, state: !Context s, identifiers: {name: a}}') },
      { instanceContext: { s: 'gone' } },
    );
    expect(result.error?.reason).toBe("'gone' is not a valid state (present, created, must_created, absent)");
  });
});

describe('conditions', () => {
  it('an entry applies only when every condition is truthy; a skipped entry has no record for !KeyOf', () => {
    const { target, result } = applyYaml(
      {
        'c.yaml': entries(
          '{model: test.thing, conditions: [true, text, 1, !Condition [OR, false, !Env [FLAG, null]]], identifiers: {name: all-true}}',
          '{model: test.thing, conditions: [true, 0], identifiers: {name: one-false}}',
          '{model: test.thing, conditions: [!If [!Context missing]], identifiers: {name: if-false}}',
          '{model: test.thing, conditions: [[]], identifiers: {name: empty-list}}',
        ),
      },
      { env: { FLAG: 'on' } },
    );
    expect(result.status).toBe('successful');
    expect(target.all(THING).map((row) => row.name)).toEqual(['all-true']);
  });

  it('conditions come after the model check: an unknown model refuses even a skipped entry', () => {
    const { result } = applyYaml({ 'c.yaml': entries('{model: authentik_nope.thing, conditions: [false], identifiers: {name: a}}') });
    expect(result.error?.message).toBe(
      'c.yaml: entries[0] (authentik_nope.thing): unknown model authentik_nope.thing: the target has no such model',
    );
  });
});

describe('all or nothing', () => {
  const broken = entries(
    '{model: test.thing, id: first, identifiers: {name: first}}',
    '{model: test.thing, identifiers: {name: second}, attrs: {ref: !KeyOf first}}',
    '{model: test.thing, id: bad, identifiers: {name: ""}, attrs: {title: x}}',
  );

  it('an entry the target refuses refuses the whole blueprint: nothing of it stays, the message names file, entry and fields', () => {
    const target = fakeTarget();
    target.create(THING, { name: 'before' });
    const { result } = applyYaml({ 'team/broken.yaml': broken }, {}, target);
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe(
      'team/broken.yaml: entries[2] (id "bad", test.thing): invalid values: name: This field is required.',
    );
    expect(result.error).toMatchObject({
      file: 'team/broken.yaml',
      entryIndex: 2,
      entryId: 'bad',
      model: THING,
      fieldErrors: { name: ['This field is required.'] },
    });
    expect(target.all(THING).map((row) => row.name)).toEqual(['before']);
    expect(result.managedModels).toEqual([]);
  });

  it('an update the target refuses also undoes the creates before it', () => {
    const target = fakeTarget();
    target.create(THING, { name: 'taken' });
    target.create(THING, { name: 'mine' }, 'mine-pk');
    const { result } = applyYaml(
      {
        'u.yaml': entries(
          '{model: test.thing, identifiers: {name: fresh}}',
          '{model: test.thing, identifiers: {pk: mine-pk}, attrs: {name: taken}}',
        ),
      },
      {},
      target,
    );
    expect(result.error?.reason).toBe('invalid values: name: thing with this name already exists.');
    expect(target.all(THING).map((row) => row.name)).toEqual(['taken', 'mine']);
  });

  it('one refused blueprint does not stop the next', () => {
    const { results, target } = applyYaml({
      'broken.yaml': broken,
      'good.yaml': entries('{model: test.thing, identifiers: {name: good}}'),
    });
    expect(results.map((r) => r.status)).toEqual(['error', 'successful']);
    expect(target.all(THING).map((row) => row.name)).toEqual(['good']);
  });

  it('any error a target throws refuses the blueprint with its message; field errors may come from any error type', () => {
    const target = fakeTarget();
    target.create = () => {
      throw Object.assign(new Error('400'), { fieldErrors: { slug: ['Enter a valid “slug”.'] } });
    };
    expect(applyYaml({ 'a.yaml': entries('{model: test.thing, identifiers: {name: a}}') }, {}, target).result.error?.reason).toBe(
      'invalid values: slug: Enter a valid “slug”.',
    );
    target.create = () => {
      throw new Error('disk full');
    };
    expect(applyYaml({ 'a.yaml': entries('{model: test.thing, identifiers: {name: a}}') }, {}, target).result.error?.message).toBe(
      'a.yaml: entries[0] (test.thing): disk full',
    );
  });

  it('nested field errors are spelled out', () => {
    const target = fakeTarget();
    target.create = () => {
      throw new BlueprintValidationError({ attributes: { settings: ['Not a dict.'] }, name: 'Too long.' });
    };
    expect(applyYaml({ 'a.yaml': entries('{model: test.thing, identifiers: {name: a}}') }, {}, target).result.error?.reason).toBe(
      'invalid values: attributes.settings: Not a dict.; name: Too long.',
    );
  });
});

describe('models the target does not know', () => {
  const yaml = entries(
    '{model: authentik_future.widget, id: w, identifiers: {name: w}}',
    '{model: test.thing, identifiers: {name: uses-widget}, attrs: {w: !KeyOf w}}',
    '{model: test.thing, identifiers: {name: finds-widget}, attrs: {w: !Find [authentik_future.widget, [name, w]]}}',
    '{model: test.thing, identifiers: {name: plain}}',
  );

  it("'error' (default, team blueprints): refuses the blueprint naming file, entry and model", () => {
    const { result, target } = applyYaml({ 'team.yaml': yaml });
    expect(result.error?.message).toBe(
      'team.yaml: entries[0] (id "w", authentik_future.widget): unknown model authentik_future.widget: the target has no such model',
    );
    expect(target.all(THING)).toEqual([]);
  });

  it("'skip' (the shipped defaults on another version): skips the entry and what depends on it, with warnings", () => {
    const { result, target } = applyYaml({ 'default/x.yaml': yaml }, { unknownModels: 'skip' });
    expect(result.status).toBe('warning');
    expect(target.all(THING).map((row) => row.name)).toEqual(['plain']);
    expect(result.warnings).toEqual([
      'default/x.yaml: entries[0] (id "w", authentik_future.widget): skipped: unknown model authentik_future.widget: the target has no such model',
      'default/x.yaml: entries[1] (test.thing): skipped: unknown model (entry "w" was skipped): the target has no such model',
      'default/x.yaml: entries[2] (test.thing): skipped: unknown model authentik_future.widget: the target has no such model',
    ]);
  });
});

describe('meta-apply: authentik_blueprints.metaapplyblueprint', () => {
  const needsFlows = entries(
    '{model: authentik_blueprints.metaapplyblueprint, attrs: {identifiers: {name: Flows}, required: false}}',
    '{model: test.thing, identifiers: {name: brand}, attrs: {flow: !Find [test.thing, [name, flow]]}}',
  );
  const flows = 'metadata: {name: Flows}\nentries:\n  - {model: test.thing, identifiers: {name: flow}}';

  it('applies the named blueprint of the set first, and only once', () => {
    const { results, target } = applyYaml({ 'brand.yaml': needsFlows, 'flows.yaml': flows });
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['brand.yaml', 'successful'],
      ['Flows', 'successful'],
    ]);
    expect(target.one(THING, { name: 'brand' })!.flow).toBe(target.one(THING, { name: 'flow' })!.pk);
    expect(target.log).toEqual([`create ${THING}`, `create ${THING}`]);
  });

  it('finds blueprints by path too; a required one missing from the set refuses the blueprint', () => {
    const byPath = entries(
      '{model: authentik_blueprints.metaapplyblueprint, attrs: {identifiers: {path: system/flows.yaml}}}',
      '{model: test.thing, identifiers: {name: x}}',
    );
    expect(applyYaml({ 'a.yaml': byPath, 'system/flows.yaml': flows }).target.log).toEqual([`create ${THING}`, `create ${THING}`]);
    const { result, target } = applyYaml({ 'a.yaml': byPath });
    expect(result.error?.message).toBe(
      'a.yaml: entries[0] (authentik_blueprints.metaapplyblueprint): identifiers: Required blueprint does not exist',
    );
    expect(target.all(THING)).toEqual([]);
  });

  it('not required and missing: nothing happens', () => {
    expect(applyYaml({ 'brand.yaml': needsFlows }).result.status).toBe('successful');
  });

  it('the other blueprint failing does not stop this one (authentik applies it in its own task)', () => {
    const failing = 'metadata: {name: Flows}\nentries:\n  - {model: test.thing, identifiers: {name: ""}}';
    const { results } = applyYaml({ 'brand.yaml': needsFlows, 'flows.yaml': failing });
    expect(results.map((r) => r.status)).toEqual(['warning', 'error']);
    expect(results[0]!.warnings[0]).toMatch(/^brand\.yaml: the blueprint it applies first failed: flows\.yaml: entries\[0\]/);
  });

  it('blueprints applying each other do not loop', () => {
    const a =
      'metadata: {name: A}\nentries:\n  - {model: authentik_blueprints.metaapplyblueprint, attrs: {identifiers: {name: B}}}\n  - {model: test.thing, identifiers: {name: a}}';
    const b =
      'metadata: {name: B}\nentries:\n  - {model: authentik_blueprints.metaapplyblueprint, attrs: {identifiers: {name: A}}}\n  - {model: test.thing, identifiers: {name: b}}';
    const { results, target } = applyYaml({ 'a.yaml': a, 'b.yaml': b });
    expect(results.map((r) => r.status)).toEqual(['successful', 'warning']);
    expect(target.all(THING).map((row) => row.name)).toEqual(['b', 'a']);
  });

  it("the meta entry's attrs are validated as authentik's serializer does", () => {
    const bad = entries('{model: authentik_blueprints.metaapplyblueprint, attrs: {required: maybe}}');
    expect(applyYaml({ 'a.yaml': bad }).result.error?.fieldErrors).toEqual({
      identifiers: ['This field is required.'],
      required: ['Must be a valid boolean.'],
    });
    const field = entries('{model: authentik_blueprints.metaapplyblueprint, attrs: {identifiers: {content: x}}}');
    expect(applyYaml({ 'a.yaml': field }).result.error?.reason).toMatch(/^Invalid identifier field: 'content'/);
  });

  it('a blueprint labelled instantiate: "false" is not applied, nor found by meta-apply', () => {
    const example =
      'metadata: {name: Flows, labels: {blueprints.goauthentik.io/instantiate: "false"}}\nentries:\n  - {model: test.thing, identifiers: {name: flow}}';
    const { results, target } = applyYaml({ 'brand.yaml': needsFlows, 'example.yaml': example });
    expect(results.map((r) => r.status)).toEqual(['successful', 'unknown']);
    expect(target.all(THING).map((row) => row.name)).toEqual(['brand']);
  });
});

describe('permissions (authentik ≥ 2024.8)', () => {
  it('are granted on the entry’s record to a user or role pk', () => {
    const target = fakeTarget({ 'authentik_core.user': {} });
    const akadmin = target.create('authentik_core.user', { username: 'akadmin' });
    applyYaml(
      {
        'p.yaml': entries(
          '{model: test.thing, identifiers: {name: a}, permissions: [{permission: inspect_thing, user: !Find [authentik_core.user, [username, akadmin]]}]}',
        ),
      },
      {},
      target,
    );
    expect(target.grants).toEqual([
      { model: THING, pk: target.one(THING, { name: 'a' })!.pk, permission: 'inspect_thing', user: akadmin.pk, role: null },
    ]);
  });

  it('a grant the target refuses refuses the blueprint; a target without permissions warns', () => {
    const { result } = applyYaml({
      'p.yaml': entries('{model: test.thing, identifiers: {name: a}, permissions: [{permission: view_thing}]}'),
    });
    expect(result.error?.reason).toBe('permission view_thing: a permission needs a user or a role');
    const target = fakeTarget();
    const bare = Object.assign(Object.create(Object.getPrototypeOf(target) as object) as typeof target, target, {
      assignPermission: undefined,
    });
    const warned = applyYaml(
      { 'p.yaml': entries('{model: test.thing, identifiers: {name: a}, permissions: [{permission: view_thing, role: r}]}') },
      {},
      bare,
    ).result;
    expect(warned.status).toBe('warning');
    expect(warned.warnings).toEqual(['p.yaml: entries[0] (test.thing): permissions not applied: the target has no object permissions']);
  });
});

describe('results', () => {
  it('one per blueprint in the given order: name, path, labels, context, status, models touched', () => {
    const blueprints = [
      parseBlueprint({
        path: 'b.yaml',
        text: 'metadata: {name: B, labels: {team: x}}\nentries:\n  - {model: test.thing, identifiers: {name: b}}',
      }),
      parseBlueprint({ path: 'a.yaml', text: 'entries: []' }),
    ];
    const results = applyBlueprints(blueprints, fakeTarget(), { instanceContext: { k: 1 } });
    expect(results).toEqual([
      {
        name: 'B',
        path: 'b.yaml',
        labels: { team: 'x' },
        metadata: { name: 'B', labels: { team: 'x' } },
        context: { k: 1 },
        status: 'successful',
        warnings: [],
        managedModels: [THING],
      },
      {
        name: 'a.yaml',
        path: 'a.yaml',
        labels: {},
        metadata: undefined,
        context: { k: 1 },
        status: 'successful',
        warnings: [],
        managedModels: [],
      },
    ]);
  });
});
