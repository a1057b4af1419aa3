/** Small helpers for the blueprints tests: apply YAML text to a fake target, evaluate one tag. */
import { applyBlueprints } from '../../src/blueprints/apply.js';
import { parseBlueprint } from '../../src/blueprints/parse.js';
import type { ApplyOptions, BlueprintResult } from '../../src/blueprints/types.js';
import { FakeTarget, type FakeModel } from './blueprint-target.js';

export const THING = 'test.thing';

/** A target that knows `test.thing` (unique `name`) plus the given models. */
export function fakeTarget(models: Record<string, FakeModel> = {}): FakeTarget {
  return new FakeTarget({ [THING]: { required: ['name'], unique: ['name'] }, 'test.binding': { policyBindingModel: true }, ...models });
}

/** Parses and applies YAML files (path → text) in order; returns the results and the target. */
export function applyYaml(files: Record<string, string>, options: ApplyOptions = {}, target: FakeTarget = fakeTarget()) {
  const blueprints = Object.entries(files).map(([path, text]) => parseBlueprint({ path, text }));
  const results = applyBlueprints(blueprints, target, options);
  return { results, target, result: results[0] as BlueprintResult };
}

/** A blueprint with one `test.thing` entry whose `value` attr is the given YAML (a tag, usually). */
export function oneValueBlueprint(valueYaml: string, context = '{}'): string {
  return [
    'version: 1',
    `context: ${context}`,
    'entries:',
    '  - model: test.thing',
    '    identifiers: {name: probe}',
    `    attrs: {value: ${valueYaml}}`,
  ].join('\n');
}

/**
 * The value a tag evaluates to in a `test.thing` entry; throws the blueprint's error message when it is refused.
 */
export function evaluateYaml(valueYaml: string, options: ApplyOptions & { context?: string; target?: FakeTarget } = {}): unknown {
  const { context, target = fakeTarget(), ...applyOptions } = options;
  const { result } = applyYaml({ 'tag.yaml': oneValueBlueprint(valueYaml, context) }, applyOptions, target);
  if (result.error) throw result.error;
  return target.one(THING, { name: 'probe' })!.value;
}
