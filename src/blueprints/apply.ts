/**
 * Applying a set of blueprints, each whole or not at all, as authentik's `apply_blueprint` task does for one
 * BlueprintInstance (authentik/blueprints/v1/tasks.py) with `Importer.apply` in one transaction
 * (authentik/blueprints/v1/importer.py), and `authentik_blueprints.metaapplyblueprint` entries applying another
 * blueprint first (authentik/blueprints/v1/meta/apply_blueprint.py).
 */
import { BlueprintError, type FieldErrors } from './errors.js';
import { EntryInvalid, evaluate } from './evaluate.js';
import { EntriesApplier, META_APPLY_BLUEPRINT, type EntriesRun } from './importer.js';
import { alwaysMerge, pyRepr } from './python.js';
import type { ApplyOptions, BlueprintResult, BlueprintTarget, ParsedBlueprint } from './types.js';

/** `blueprints.goauthentik.io/instantiate: "false"`: listed, never applied by discovery (authentik/blueprints/v1/labels.py). */
export const LABEL_INSTANTIATE = 'blueprints.goauthentik.io/instantiate';

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/**
 * authentik's default context (`Importer.default_context`): whether an enterprise licence is valid, and every model
 * RBAC knows as `{model_name: app_label}` — what `default/rbac-role-read-only.yaml` enumerates. `models` are
 * `app_label.model_name` names (the contract's model enum lists them).
 */
export function authentikDefaultContext({ licensed = false, models = [] }: { licensed?: boolean; models?: readonly string[] } = {}) {
  const rbacModels: Record<string, string> = {};
  for (const name of models) {
    const [app, model] = name.split('.');
    if (app && model) rbacModels[model] = app;
  }
  return { 'goauthentik.io/enterprise/licensed': licensed, 'goauthentik.io/rbac/models': rbacModels };
}

const DRF_TRUE = new Set<unknown>([true, 1, '1', 't', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const DRF_FALSE = new Set<unknown>([false, 0, '0', 'f', 'F', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/** A meta-apply entry's attrs as `ApplyBlueprintMetaSerializer` validates them. */
function metaAttrs(attrs: Record<string, unknown>): { identifiers: Record<string, unknown>; required: boolean } {
  const errors: FieldErrors = {};
  const { identifiers, required = true } = attrs;
  if (identifiers === undefined) errors.identifiers = ['This field is required.'];
  else if (!isMapping(identifiers)) errors.identifiers = [`Expected a dictionary of items but got type "${typeof identifiers}".`];
  if (!DRF_TRUE.has(required) && !DRF_FALSE.has(required)) errors.required = ['Must be a valid boolean.'];
  if (Object.keys(errors).length > 0) throw new EntryInvalid('invalid values', errors);
  return { identifiers: identifiers as Record<string, unknown>, required: DRF_TRUE.has(required) };
}

const instantiated = (blueprint: ParsedBlueprint) => blueprint.labels[LABEL_INSTANTIATE]?.toLowerCase() !== 'false';

/** The BlueprintInstance fields a meta-apply entry may look blueprints up by. */
const INSTANCE_FIELDS: Record<string, (blueprint: ParsedBlueprint) => unknown> = {
  name: (blueprint) => blueprint.name,
  path: (blueprint) => blueprint.path,
  enabled: () => true,
};

class ApplySession {
  private readonly results = new Map<ParsedBlueprint, BlueprintResult>();
  private readonly inProgress = new Set<ParsedBlueprint>();

  constructor(
    private readonly blueprints: readonly ParsedBlueprint[],
    private readonly target: BlueprintTarget,
    private readonly options: ApplyOptions,
  ) {}

  resultOf(blueprint: ParsedBlueprint): BlueprintResult {
    const done = this.results.get(blueprint);
    if (done) return done;
    if (!instantiated(blueprint)) {
      const result = this.result(blueprint, {
        status: 'unknown',
        warnings: [`${blueprint.path}: not applied: labelled ${LABEL_INSTANTIATE}: "false"`],
      });
      this.results.set(blueprint, result);
      return result;
    }
    // Nothing is in progress between top-level blueprints, so apply() answers.
    return this.apply(blueprint)!;
  }

  private instanceContext(blueprint: ParsedBlueprint): Record<string, unknown> {
    const given = this.options.instanceContext;
    return (typeof given === 'function' ? given(blueprint) : given) ?? {};
  }

  private result(
    blueprint: ParsedBlueprint,
    outcome: Pick<BlueprintResult, 'status' | 'warnings'> & Partial<BlueprintResult>,
  ): BlueprintResult {
    return {
      name: blueprint.name,
      path: blueprint.path,
      labels: blueprint.labels,
      metadata: blueprint.metadata,
      context: this.instanceContext(blueprint),
      managedModels: [],
      ...outcome,
    };
  }

  /** Applies a blueprint once; undefined when it is already being applied (a meta-apply cycle). */
  private apply(blueprint: ParsedBlueprint): BlueprintResult | undefined {
    if (this.inProgress.has(blueprint)) return undefined;
    this.inProgress.add(blueprint);
    const run = this.runFor(blueprint);
    let result: BlueprintResult;
    try {
      const applier = new EntriesApplier(run);
      this.applyDependencies(applier, run);
      this.target.transaction(() => applier.applyAll(), blueprint);
      const managedModels = [...run.managedModels].sort();
      result = this.result(blueprint, {
        status: run.warnings.length > 0 ? 'warning' : 'successful',
        warnings: run.warnings,
        managedModels,
      });
    } catch (error) {
      const refusal =
        error instanceof BlueprintError ? error : new BlueprintError({ file: blueprint.path }, (error as Error).message ?? String(error));
      result = this.result(blueprint, { status: 'error', warnings: run.warnings, error: refusal });
    } finally {
      this.inProgress.delete(blueprint);
    }
    this.results.set(blueprint, result);
    return result;
  }

  private runFor(blueprint: ParsedBlueprint): EntriesRun {
    const { env = {}, files = {}, defaultContext = authentikDefaultContext() } = this.options;
    const policy = this.options.unknownModels ?? 'error';
    const unknownModels = typeof policy === 'function' ? policy(blueprint) : policy;
    // Importer.__init__: default context, then the blueprint's own, then the instance's, deep-merged.
    const context = [blueprint.context, this.instanceContext(blueprint)].reduce<unknown>((merged, next) => alwaysMerge(merged, next), {
      ...defaultContext,
    }) as Record<string, unknown>;
    return { blueprint, target: this.target, context, env, files, unknownModels, warnings: [], managedModels: new Set() };
  }

  /**
   * Meta-apply entries first, before the blueprint's own transaction: in authentik the other blueprint is applied by
   * its own task and committed on its own, so its outcome does not depend on this one's (nor does its failure stop
   * this one). A required blueprint missing from the set refuses this one.
   */
  private applyDependencies(applier: EntriesApplier, run: EntriesRun): void {
    for (const entry of run.blueprint.entries) {
      let model: string | undefined;
      try {
        model = applier.modelOf(entry);
        if (model !== META_APPLY_BLUEPRINT || !applier.conditionsHold(entry, model)) continue;
        const { identifiers, required } = metaAttrs(evaluate(entry.attrs, applier.scope(model)) as Record<string, unknown>);
        const dependency = this.lookup(identifiers);
        if (!dependency) {
          if (required)
            throw new EntryInvalid('identifiers: Required blueprint does not exist', {
              identifiers: ['Required blueprint does not exist'],
            });
          continue;
        }
        this.applyDependency(dependency, run);
      } catch (error) {
        if (error instanceof EntryInvalid) throw new BlueprintError(applier.place(entry, model), error.reason, error.fieldErrors);
        throw error;
      }
    }
  }

  private applyDependency(dependency: ParsedBlueprint, run: EntriesRun): void {
    if (this.results.has(dependency)) return;
    const result = this.apply(dependency);
    if (!result) run.warnings.push(`${run.blueprint.path}: ${dependency.path} is already being applied (the blueprints apply each other)`);
    else if (result.status === 'error')
      run.warnings.push(`${run.blueprint.path}: the blueprint it applies first failed: ${result.error?.message}`);
  }

  /** `BlueprintInstance.objects.filter(**identifiers).first()`, over the set's instantiated blueprints. */
  private lookup(identifiers: Record<string, unknown>): ParsedBlueprint | undefined {
    for (const field of Object.keys(identifiers))
      if (!Object.hasOwn(INSTANCE_FIELDS, field))
        throw new EntryInvalid(`Invalid identifier field: ${pyRepr(field)} (a blueprint is found by name or path)`);
    return this.blueprints.find(
      (blueprint) =>
        instantiated(blueprint) && Object.entries(identifiers).every(([field, value]) => INSTANCE_FIELDS[field]!(blueprint) === value),
    );
  }
}

/**
 * Applies blueprints to a target in the given order, each inside `target.transaction` (whole or not at all). A
 * meta-apply entry applies the named blueprint of the set first (each blueprint is applied once). Returns one
 * result per blueprint, in the given order; a refused blueprint has status `error` and its `BlueprintError`.
 */
export function applyBlueprints(
  blueprints: readonly ParsedBlueprint[],
  target: BlueprintTarget,
  options: ApplyOptions = {},
): BlueprintResult[] {
  const session = new ApplySession(blueprints, target, options);
  return blueprints.map((blueprint) => session.resultOf(blueprint));
}
