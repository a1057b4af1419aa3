/**
 * Parsing blueprint files: authentik's format (version, metadata, context, entries), PyYAML's reading of YAML, and
 * a clear BlueprintError (file, entry, reason) for everything authentik would refuse to load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlueprintError } from '../src/blueprints/errors.js';
import { parseBlueprint } from '../src/blueprints/parse.js';
import { YamlTag } from '../src/blueprints/tag.js';
import { PACKAGE_BLUEPRINTS_DIR, readBlueprintSources } from '../src/node/blueprint-files.js';

const parse = (text: string, path = 'team.yaml') => parseBlueprint({ path, text });
const refusal = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(BlueprintError);
    return (error as Error).message;
  }
  throw new Error('not refused');
};

describe('every blueprint shipped with the package parses', () => {
  const sources = readBlueprintSources(PACKAGE_BLUEPRINTS_DIR);

  it('reads system/, default/ and example/ (and nothing else) from the package', () => {
    const folders = new Set(sources.map((source) => source.path.split('/')[0]));
    expect([...folders].sort()).toEqual(['default', 'example', 'system']);
    expect(sources).toHaveLength(32);
  });

  it.each(sources.map((source) => [source.path, source] as const))('%s', (_path, source) => {
    const blueprint = parseBlueprint(source);
    expect(blueprint.version).toBe(1);
    expect(blueprint.metadata?.name).toBeTruthy();
    expect(blueprint.entries.length).toBeGreaterThan(0);
    for (const entry of blueprint.entries) expect(typeof entry.model).toBe('string');
  });

  it('keeps the tags for later: bootstrap.yaml reads its context from !Env', () => {
    const bootstrap = parseBlueprint(sources.find((source) => source.path === 'system/bootstrap.yaml')!);
    expect(bootstrap.name).toBe('authentik Bootstrap');
    expect(bootstrap.labels['blueprints.goauthentik.io/system']).toBe('true');
    expect(bootstrap.context.password).toEqual(new YamlTag('Env', ['AUTHENTIK_BOOTSTRAP_PASSWORD', null], false));
    expect(bootstrap.entries[2]).toMatchObject({ model: 'authentik_core.token', state: 'created', index: 2 });
    expect(bootstrap.entries[2]!.conditions[0]).toBeInstanceOf(YamlTag);
  });

  it("ships authentik's MIT notice beside the copies", () => {
    const notice = readFileSync(join(PACKAGE_BLUEPRINTS_DIR, 'LICENSE'), 'utf8');
    expect(notice).toContain('MIT License');
    expect(notice).toContain('Copyright (c) 2022 Jens Langhammer');
  });
});

describe('the blueprint format', () => {
  it('defaults: version 1, no metadata (named by its path), present state, empty identifiers/attrs', () => {
    const blueprint = parse('entries:\n  - model: authentik_core.group');
    expect(blueprint).toMatchObject({ version: 1, name: 'team.yaml', metadata: undefined, labels: {}, context: {} });
    expect(blueprint.entries[0]).toEqual({
      index: 0,
      model: 'authentik_core.group',
      id: undefined,
      state: 'present',
      conditions: [],
      identifiers: {},
      attrs: {},
      permissions: [],
    });
  });

  it('reads permissions and, as later authentik versions do, entries grouped in named lists', () => {
    const blueprint = parse(`
entries:
  flows:
    - model: authentik_flows.flow
      permissions: [{permission: inspect_flow, user: !Find [authentik_core.user, [username, akadmin]]}]
  groups:
    - model: authentik_core.group
`);
    expect(blueprint.entries.map((entry) => [entry.index, entry.model])).toEqual([
      [0, 'authentik_flows.flow'],
      [1, 'authentik_core.group'],
    ]);
    expect(blueprint.entries[0]!.permissions[0]!.permission).toBe('inspect_flow');
    expect(blueprint.entries[0]!.permissions[0]!.role).toBeNull();
  });

  it('reads YAML as PyYAML does (YAML 1.1): yes/on are booleans, y/n are not, 1e3 is text, timestamps stay text', () => {
    const blueprint = parse('context: {a: yes, b: off, c: y, d: n, e: 1e3, f: 1.5e+3, g: 0o17, h: 017, i: 2024-01-02, j: ~}\nentries: []');
    expect(blueprint.context).toEqual({ a: true, b: false, c: 'y', d: 'n', e: '1e3', f: 1500, g: '0o17', h: 15, i: '2024-01-02', j: null });
  });

  it('anchors, aliases and merge keys work; duplicate keys keep the last (as PyYAML)', () => {
    const blueprint = parse(
      'context:\n  base: &b {x: 1, t: !Context y}\n  copy: *b\n  merged: {<<: *b, z: 2}\n  dup: 1\n  dup: 2\nentries: []',
    );
    expect(blueprint.context.copy).toEqual(blueprint.context.base);
    expect(blueprint.context.merged).toMatchObject({ x: 1, z: 2 });
    expect((blueprint.context.merged as Record<string, unknown>).t).toBeInstanceOf(YamlTag);
    expect(blueprint.context.dup).toBe(2);
  });

  it('drops __proto__ keys: nothing reaches a prototype', () => {
    const blueprint = parse(
      'context: {__proto__: {polluted: true}, ok: 1}\nentries:\n  - {model: a.b, attrs: {__proto__: {polluted: true}}}',
    );
    expect(blueprint.context).toEqual({ ok: 1 });
    expect(blueprint.entries[0]!.attrs).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a bad blueprint names the file, the entry and the reason', () => {
  it.each([
    ['a: [', /^team\.yaml: invalid YAML: .*line 1, column/],
    [
      'entries:\n  - model: a.b\n    attrs: {x: !Unknown y}',
      /^team\.yaml: entries\[0\] \(a\.b\): unknown tag !Unknown \(line 3, column 16\)$/,
    ],
    ['version: 2\nentries: []', /^team\.yaml: invalid blueprint version 2: only version 1 exists$/],
    ['- just a list', /^team\.yaml: not a blueprint/],
    ['', /^team\.yaml: not a blueprint/],
    ['metadata: {labels: {}}\nentries: []', /^team\.yaml: `metadata\.name` is required/],
    ['metadata: {name: x, labels: {a: true}}', /^team\.yaml: `metadata\.labels\.a` must be a string/],
    ['entries: {model: a.b}', /^team\.yaml: `entries` must be a list of entries$/],
    ['entries:\n  - id: flow\n    attrs: {}', /^team\.yaml: entries\[0\] \(id "flow"\): missing `model`$/],
    [
      'entries:\n  - {model: a.b}\n  - {model: flows, id: x}',
      /^team\.yaml: entries\[1\] \(id "x", flows\): `model` must be `app_label\.model_name`$/,
    ],
    [
      'entries:\n  - {model: a.b, state: gone}',
      /^team\.yaml: entries\[0\] \(a\.b\): `state` must be one of present, created, must_created, absent/,
    ],
    ['entries:\n  - {model: a.b, identifiers: [x]}', /^team\.yaml: entries\[0\] \(a\.b\): `identifiers` must be a mapping$/],
    ['entries:\n  - {model: a.b, conditions: true}', /^team\.yaml: entries\[0\] \(a\.b\): `conditions` must be a list$/],
    ['entries:\n  - {model: a.b, id: 3}', /^team\.yaml: entries\[0\] \(a\.b\): `id` must be a string$/],
    [
      'entries:\n  - {model: a.b, permissions: [{user: 1}]}',
      /^team\.yaml: entries\[0\] \(a\.b\): `permissions\[0\]` needs a `permission`$/,
    ],
  ])('%j', (text, message) => {
    expect(refusal(text)).toMatch(message);
  });

  it.each([
    ['!KeyOf [a]', '!KeyOf is written !KeyOf <entry id>, not as a sequence'],
    ['!If [a, b]', '!If is written !If [condition] or !If [condition, when true, when false], not with 2 items'],
    ['!Find [a.b, slug]', '!Find is written !Find [model, [field, value]...]: each query is a [field, value] pair'],
    ['!Enumerate [a, SEQ]', '!Enumerate is written !Enumerate [iterable, SEQ|MAP, item], not with 2 items'],
    ['!Env [A]', '!Env is written !Env NAME or !Env [NAME, default], not with 1 item'],
    ['!Context {a: b}', '!Context is written !Context key or !Context [key, default], not as a mapping'],
    ['!Index x', '!Index is written !Index <depth> with an integer depth, not "x"'],
    ['!AtIndex [a, 1, 2, 3]', '!AtIndex is written !AtIndex [sequence or mapping, index, default], not with 4 items'],
    ['!Format x', '!Format is written !Format [format, args...], not as a scalar'],
  ])('a tag with the wrong arguments, %s, names its entry', (tag, reason) => {
    const message = refusal(`entries:\n  - model: a.b\n  - model: c.d\n    id: second\n    attrs: {x: ${tag}}`);
    expect(message).toMatch(/^team\.yaml: entries\[1\] \(id "second", c\.d\): /);
    expect(message).toContain(reason);
  });
});
