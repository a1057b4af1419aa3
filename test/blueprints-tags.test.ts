/**
 * Every YAML tag of authentik's blueprints (authentik/blueprints/v1/common.py), evaluated in an entry's attrs, with
 * the edge cases authentik's `resolve` methods handle.
 */
import { describe, expect, it } from 'vitest';
import { pyFormat } from '../src/blueprints/python.js';
import { THING, applyYaml, evaluateYaml, fakeTarget } from './support/blueprint-helpers.js';

const refusal = (valueYaml: string, options: Parameters<typeof evaluateYaml>[1] = {}) => {
  try {
    evaluateYaml(valueYaml, options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${valueYaml} was not refused`);
};

describe('!KeyOf', () => {
  const blueprint = (valueModel: string, ref = 'first') => `
version: 1
entries:
  - {model: test.binding, id: first, identifiers: {name: a}}
  - {model: ${valueModel}, identifiers: {name: b}, attrs: {target: !KeyOf ${ref}}}
`;

  it('is the pk of the record an earlier entry with that id created', () => {
    const { target, result } = applyYaml({ 'k.yaml': blueprint(THING) });
    expect(result.status).toBe('successful');
    const first = target.one('test.binding', { name: 'a' })!;
    expect(target.one(THING, { name: 'b' })!.target).toBe(first.pk);
  });

  it('is the policy-binding-model key when the referring entry is a policy binding', () => {
    const { target } = applyYaml(
      { 'k.yaml': blueprint('authentik_policies.policybinding') },
      {},
      fakeTarget({ 'authentik_policies.policybinding': {} }),
    );
    const first = target.one('test.binding', { name: 'a' })!;
    expect(first.pbm_uuid).toBeDefined();
    expect(target.one('authentik_policies.policybinding', { name: 'b' })!.target).toBe(first.pbm_uuid);
  });

  it('refuses an id no entry (with a record) has, and a forward reference', () => {
    const { result } = applyYaml({ 'k.yaml': blueprint(THING, 'missing') });
    expect(result.error?.message).toBe(
      'k.yaml: entries[1] (test.thing): KeyOf: failed to find entry with `id` of `missing` and a model instance',
    );
    const forward = applyYaml({
      'f.yaml':
        'entries:\n  - {model: test.thing, identifiers: {name: b}, attrs: {x: !KeyOf later}}\n  - {model: test.thing, id: later, identifiers: {name: c}}',
    });
    expect(forward.result.error?.reason).toMatch(/failed to find entry with `id` of `later`/);
  });

  it('does not see an entry skipped by its conditions', () => {
    const { result } = applyYaml({
      'c.yaml':
        'entries:\n  - {model: test.thing, id: a, conditions: [false], identifiers: {name: a}}\n  - {model: test.thing, identifiers: {name: b}, attrs: {x: !KeyOf a}}',
    });
    expect(result.error?.reason).toMatch(/`id` of `a`/);
  });
});

describe('!Env', () => {
  it('reads options.env, else the default, else null; an empty variable counts as unset', () => {
    expect(evaluateYaml('!Env NAME', { env: { NAME: 'set' } })).toBe('set');
    expect(evaluateYaml('!Env [NAME, fallback]', { env: {} })).toBe('fallback');
    expect(evaluateYaml('!Env [NAME, fallback]', { env: { NAME: '' } })).toBe('fallback');
    expect(evaluateYaml('!Env NAME')).toBeNull();
  });

  it('never reads the process environment', () => {
    expect(evaluateYaml('!Env [PATH, none]')).toBe('none');
  });
});

describe('!File', () => {
  it('reads options.files (trimmed), else the default with a warning', () => {
    expect(evaluateYaml('!File /run/secrets/pw', { files: { '/run/secrets/pw': ' s3cret\n' } })).toBe('s3cret');
    const { result, target } = applyYaml({
      'f.yaml': 'entries:\n  - {model: test.thing, identifiers: {name: p}, attrs: {value: !File [/nope, dflt]}}',
    });
    expect(target.one(THING, { name: 'p' })!.value).toBe('dflt');
    expect(result.status).toBe('warning');
    expect(result.warnings[0]).toMatch(/File: '\/nope' was not given/);
  });
});

describe('!Context', () => {
  it('reads the merged context: default < blueprint < instance', () => {
    expect(evaluateYaml('!Context foo', { context: '{foo: own}' })).toBe('own');
    expect(evaluateYaml('!Context foo', { context: '{foo: own}', instanceContext: { foo: 'instance' } })).toBe('instance');
    expect(evaluateYaml('!Context goauthentik.io/enterprise/licensed')).toBe(false);
    expect(evaluateYaml('!Context [missing, dflt]')).toBe('dflt');
    expect(evaluateYaml('!Context missing')).toBeNull();
  });

  it('deep-merges mappings and evaluates tags in context values when read', () => {
    const value = evaluateYaml('!Context nested', {
      context: '{nested: {a: 1, b: !Env [B, env-default]}}',
      instanceContext: { nested: { c: 3 } },
    });
    expect(value).toEqual({ a: 1, b: 'env-default', c: 3 });
    expect(evaluateYaml('!Context per', { instanceContext: (blueprint) => ({ per: blueprint.path }) })).toBe('tag.yaml');
  });
});

describe('!ParseJSON', () => {
  it('parses JSON text; bad JSON refuses the entry', () => {
    expect(evaluateYaml(`!ParseJSON '{"a": [1, true, null]}'`)).toEqual({ a: [1, true, null] });
    expect(refusal("!ParseJSON '{nope'")).toMatch(/^tag\.yaml: entries\[0\] \(test\.thing\): ParseJSON: /);
  });

  it('cannot reach a prototype', () => {
    const value = evaluateYaml(`!ParseJSON '{"__proto__": {"polluted": 1}, "ok": 2}'`) as Record<string, unknown>;
    expect(value).toEqual({ ok: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('!Format', () => {
  it("is Python's % formatting of the evaluated arguments", () => {
    expect(evaluateYaml('!Format [my-policy-%s, !Context name]', { context: '{name: x}' })).toBe('my-policy-x');
    expect(evaluateYaml('!Format ["%s: (index: %d, %s)", foo, 2, [a, 1]]')).toBe("foo: (index: 2, ['a', 1])");
    expect(evaluateYaml('!Format ["%s %s %s %r", true, null, 1.5, it]')).toBe("True None 1.5 'it'");
    expect(evaluateYaml('!Format ["100%%"]')).toBe('100%');
  });

  it("refuses Python's TypeErrors: too few, too many, a number expected", () => {
    expect(refusal('!Format ["%s %s", a]')).toMatch(/Format: not enough arguments for format string$/);
    expect(refusal('!Format ["%s", a, b]')).toMatch(/Format: not all arguments converted during string formatting$/);
    expect(refusal('!Format ["%d", abc]')).toMatch(/Format: %d format: a real number is required, not str$/);
  });

  it('formats numbers as Python does', () => {
    expect(pyFormat('%05d|%-4d|%+d|%x|%#o|%X', [42, 7, 3, 255, 8, 255])).toBe('00042|7   |+3|ff|0o10|FF');
    expect(pyFormat('%.2f|%e|%g|%g|%g|%.3s|%c', [3.14159, 12345.678, 0.0001, 1e-5, 123456789, 'abcdef', 65])).toBe(
      '3.14|1.234568e+04|0.0001|1e-05|1.23457e+08|abc|A',
    );
    expect(pyFormat('%s|%s', [{ a: 'x' }, -0.5])).toBe("{'a': 'x'}|-0.5");
    expect(() => pyFormat('%(name)s', ['x'])).toThrow('format requires a mapping');
  });
});

describe('!Find', () => {
  const target = () => {
    const t = fakeTarget({ 'authentik_flows.flow': {} });
    t.create('authentik_flows.flow', { slug: 'a', designation: 'authentication' });
    t.create('authentik_flows.flow', { slug: 'b', designation: 'authentication', default: true });
    return t;
  };

  it('is the pk of the first record matching every [field, value] pair, else null', () => {
    const t = target();
    const b = t.one('authentik_flows.flow', { slug: 'b' })!;
    expect(evaluateYaml('!Find [authentik_flows.flow, [slug, b]]', { target: t })).toBe(b.pk);
    expect(evaluateYaml('!Find [authentik_flows.flow, [designation, authentication], [default, True]]', { target: t })).toBe(b.pk);
    expect(evaluateYaml('!Find [authentik_flows.flow, [slug, a], [slug, b]]', { target: t })).toBeNull();
    expect(evaluateYaml('!Find [authentik_flows.flow, [slug, zzz]]', { target: t })).toBeNull();
    expect(evaluateYaml('!Find [authentik_flows.flow]', { target: t })).toBe(t.one('authentik_flows.flow', { slug: 'a' })!.pk);
  });

  it('evaluates tags in the model and the pairs, and reads model names case-insensitively', () => {
    const t = target();
    const value = evaluateYaml('!Find [!Format ["authentik_flows.%s", Flow], [!Context field, !Context value]]', {
      target: t,
      context: '{field: slug, value: b}',
    });
    expect(value).toBe(t.one('authentik_flows.flow', { slug: 'b' })!.pk);
  });

  it('refuses a model the target does not know', () => {
    expect(refusal('!Find [authentik_nope.thing, [a, b]]')).toBe(
      'tag.yaml: entries[0] (test.thing): unknown model authentik_nope.thing: the target has no such model',
    );
  });
});

describe('!FindObject (authentik ≥ 2025.8)', () => {
  it("is the record's data, else null", () => {
    const t = fakeTarget({ 'authentik_flows.flow': {} });
    t.create('authentik_flows.flow', { slug: 'x', designation: 'recovery' });
    expect(evaluateYaml('!AtIndex [!FindObject [authentik_flows.flow, [slug, x]], designation]', { target: t })).toBe('recovery');
    expect(evaluateYaml('!FindObject [authentik_flows.flow, [slug, y]]', { target: t })).toBeNull();
  });
});

describe('!Condition', () => {
  const cases: Array<[string, boolean]> = [
    ['[AND, true, 1, text]', true],
    ['[AND, true, 0]', false],
    ['[NAND, true, 0]', true],
    ['[OR, false, "", [], {}, null, 0]', false],
    ['[OR, false, [x]]', true],
    ['[NOR, false, null]', true],
    ['[XOR, true, true, true]', true],
    ['[XOR, true, true]', false],
    ['[XNOR, true, false]', false],
    ['[xor, false]', false],
    ['[NAND, true]', false],
    ['[XNOR, 0]', true],
  ];
  it.each(cases)('!Condition %s is %s', (args, expected) => {
    expect(evaluateYaml(`!Condition ${args}`)).toBe(expected);
  });

  it('refuses a missing value and an unknown mode', () => {
    expect(refusal('!Condition [AND]')).toMatch(/At least one value is required after mode selection\.$/);
    expect(refusal('!Condition [MAYBE, true]')).toMatch(/Condition: unknown mode 'MAYBE'/);
  });
});

describe('!If', () => {
  it('chooses a branch by Python truthiness and evaluates only that branch', () => {
    expect(evaluateYaml('!If [true, yes-branch, no-branch]')).toBe('yes-branch');
    expect(evaluateYaml('!If [[], yes-branch, {a: !Format ["%s", b]}]')).toEqual({ a: 'b' });
    expect(evaluateYaml('!If [!Context t, picked, !KeyOf nowhere]', { context: '{t: x}' })).toBe('picked');
  });

  it('short form: the condition as a boolean', () => {
    expect(evaluateYaml('!If [!Context token]', { context: '{token: abc}' })).toBe(true);
    expect(evaluateYaml('!If [!Context token]', { context: '{token: null}' })).toBe(false);
  });
});

describe('!Enumerate, !Index, !Value', () => {
  it('SEQ over a sequence, a mapping and a string', () => {
    expect(evaluateYaml('!Enumerate [[a, b], SEQ, !Format ["%s=%s", !Index 0, !Value 0]]')).toEqual(['0=a', '1=b']);
    expect(evaluateYaml('!Enumerate [{x: 1, y: 2}, SEQ, [!Index 0, !Value 0]]')).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    expect(evaluateYaml('!Enumerate [ab, seq, !Value 0]')).toEqual(['a', 'b']);
  });

  it('MAP from [key, value] pairs or mappings, deep-merged', () => {
    expect(evaluateYaml('!Enumerate [[a, b], MAP, [!Value 0, !Index 0]]')).toEqual({ a: 0, b: 1 });
    expect(evaluateYaml('!Enumerate [[a, b], MAP, {common: [!Value 0]}]')).toEqual({ common: ['a', 'b'] });
    expect(refusal('!Enumerate [[a], MAP, just-text]')).toMatch(/Invalid Enumerate item found: 'just-text'$/);
  });

  it("nested: depth 1 is the outer tag's item (authentik's documented example)", () => {
    const value = evaluateYaml(
      '!Enumerate [!Context sequence, MAP, [!Index 0, !Enumerate [!Value 1, SEQ, !Format ["%s: (index: %d, letter: %s)", !Value 1, !Index 0, !Value 0]]]]',
      { context: '{sequence: [foo, bar]}' },
    );
    expect(value).toEqual({
      0: ['foo: (index: 0, letter: f)', 'foo: (index: 1, letter: o)', 'foo: (index: 2, letter: o)'],
      1: ['bar: (index: 0, letter: b)', 'bar: (index: 1, letter: a)', 'bar: (index: 2, letter: r)'],
    });
  });

  it('refuses what authentik refuses', () => {
    expect(refusal('!Index 0')).toMatch(/Index tags are only usable inside an Enumerate tag$/);
    expect(refusal('!Enumerate [[a], SEQ, !Value 1]')).toMatch(/Value tag: invalid depth: 1\. Max depth: 0$/);
    expect(refusal('!Enumerate [[a], SEQ, !Value -1]')).toMatch(/depth must be a positive number or zero$/);
    expect(refusal('!Enumerate [!Index 0, SEQ, x]')).toMatch(/iterable references this tag's context/);
    expect(refusal('!Enumerate [5, SEQ, x]')).toMatch(/iterable must be an iterable such as a sequence or a mapping$/);
    expect(refusal('!Enumerate [[a], LIST, x]')).toMatch(/the output must be SEQ or MAP, not 'LIST'$/);
  });
});

describe('!AtIndex', () => {
  it('indexes sequences (negative from the end) and mappings, with a default', () => {
    expect(evaluateYaml('!AtIndex [[first, second], 0]')).toBe('first');
    expect(evaluateYaml('!AtIndex [[first, second], -1]')).toBe('second');
    expect(evaluateYaml('!AtIndex [{foo: bar}, foo]')).toBe('bar');
    expect(evaluateYaml('!AtIndex [[first], 100, dflt]')).toBe('dflt');
    expect(evaluateYaml('!AtIndex [{foo: bar}, nope, dflt]')).toBe('dflt');
  });

  it('refuses a missing index or key without a default, and a bad index', () => {
    expect(refusal('!AtIndex [[first], 100]')).toMatch(/Index out of range: 100$/);
    expect(refusal('!AtIndex [{foo: bar}, nope]')).toMatch(/Key does not exist: 'nope'$/);
    expect(refusal('!AtIndex [[first], x]')).toMatch(/Invalid index for list: 'x'$/);
    expect(refusal('!AtIndex [5, 0]')).toMatch(/is neither a sequence nor a mapping$/);
  });
});

describe('tags nest anywhere in attrs', () => {
  it('in lists and mappings at any depth', () => {
    expect(evaluateYaml('{list: [!Env [A, a]], deep: {deeper: [{x: !Context c}]}}', { context: '{c: 3}' })).toEqual({
      list: ['a'],
      deep: { deeper: [{ x: 3 }] },
    });
  });
});
