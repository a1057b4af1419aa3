/**
 * Applying one blueprint's entries to a target: authentik's `Importer._apply_models` / `_validate_single`
 * (authentik/blueprints/v1/importer.py, 2024.8). Runs inside the target's transaction; any error refuses the
 * whole blueprint.
 */
import { BlueprintError, fieldErrorsOf, formatFieldErrors, type BlueprintErrorPlace } from './errors.js';
import { EntryInvalid, UnknownModel, evaluate, normalizeModel, type EntryInstance, type EvalScope } from './evaluate.js';
import { alwaysMerge, pyRepr, truthy } from './python.js';
import { isTag, type BlueprintValue } from './tag.js';
import {
  ENTRY_STATES,
  type BlueprintEntry,
  type BlueprintQuery,
  type BlueprintRecord,
  type BlueprintTarget,
  type EntryState,
  type ParsedBlueprint,
  type UnknownModelPolicy,
} from './types.js';

export const META_APPLY_BLUEPRINT = 'authentik_blueprints.metaapplyblueprint';

/** An entry that refers (`!KeyOf`) to an entry skipped for its unknown model: skipped with it in `'skip'` mode. */
class SkippedReference extends UnknownModel {}

export interface EntriesRun {
  blueprint: ParsedBlueprint;
  target: BlueprintTarget;
  /** The merged context: default, the blueprint's own, the instance's. */
  context: Record<string, unknown>;
  env: Record<string, string | undefined>;
  files: Record<string, string>;
  unknownModels: UnknownModelPolicy;
  warnings: string[];
  managedModels: Set<string>;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/** A primitive a pk map can hold (`value in self.__pk_map` needs a hashable value). */
const isKey = (value: unknown): value is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof value);

/** `__update_pks_for_attrs`: values (one level into mappings and lists) equal to an identifiers' `pk` become the real pk. */
function updatePks(values: Record<string, unknown>, pkMap: Map<unknown, unknown>): Record<string, unknown> {
  const swap = (value: unknown) => (isKey(value) && pkMap.has(value) ? pkMap.get(value) : value);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value)) out[key] = value.map(swap);
    else if (isMapping(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]));
    else out[key] = swap(value);
  }
  return out;
}

/** `__query_from_identifier`: `Q(pk=…) | Q(field=value, mapping_field__contains={…})`. */
function queryFromIdentifiers(identifiers: Record<string, unknown>): BlueprintQuery | undefined {
  const query: BlueprintQuery = { equals: {}, contains: {} };
  for (const [field, value] of Object.entries(identifiers)) {
    if (field === 'pk') query.pk = value;
    else if (isMapping(value)) query.contains[field] = value;
    else query.equals[field] = value;
  }
  const empty = query.pk === undefined && Object.keys(query.equals).length === 0 && Object.keys(query.contains).length === 0;
  return empty ? undefined : query;
}

export class EntriesApplier {
  private readonly instances: Array<EntryInstance | undefined> = [];
  private readonly pkMap = new Map<unknown, unknown>();
  private readonly skippedIds = new Set<string>();

  constructor(private readonly run: EntriesRun) {}

  /** Applies every entry in order; meta-apply entries were handled before (see apply.ts). */
  applyAll(): void {
    for (const entry of this.run.blueprint.entries) this.applyOne(entry);
  }

  place(entry: BlueprintEntry, model?: string): BlueprintErrorPlace {
    return {
      file: this.run.blueprint.path,
      entryIndex: entry.index,
      entryId: entry.id,
      model: model ?? (isTag(entry.model) ? undefined : entry.model),
    };
  }

  scope(entryModel: string): EvalScope {
    const { context, env, files, target, warnings } = this.run;
    const entries = this.run.blueprint.entries;
    return {
      entryModel,
      context,
      env,
      files,
      target,
      warn: (message) => warnings.push(`${this.run.blueprint.path}: ${message}`),
      enumerations: [],
      instanceOf: (id) => {
        const found = entries.find((entry) => entry.id === id && this.instances[entry.index]);
        if (!found && this.skippedIds.has(id)) throw new SkippedReference(`(entry "${id}" was skipped)`);
        return found ? this.instances[found.index] : undefined;
      },
    };
  }

  /** The entry's model, lowercased model name (its tags evaluated). */
  modelOf(entry: BlueprintEntry): string {
    return normalizeModel(isTag(entry.model) ? evaluate(entry.model, this.scope('')) : entry.model);
  }

  conditionsHold(entry: BlueprintEntry, model: string): boolean {
    return entry.conditions.every((condition) => truthy(evaluate(condition, this.scope(model))));
  }

  private applyOne(entry: BlueprintEntry): void {
    let model: string | undefined;
    try {
      model = this.modelOf(entry);
      if (model === META_APPLY_BLUEPRINT) return;
      // `_apply_models` looks the model up before anything else, conditions included.
      if (!this.run.target.hasModel(model)) throw new UnknownModel(model);
      if (!this.conditionsHold(entry, model)) return;
      this.reconcile(entry, model);
    } catch (error) {
      if (error instanceof UnknownModel && this.run.unknownModels === 'skip') return this.skip(entry, error, model);
      if (error instanceof EntryInvalid) throw new BlueprintError(this.place(entry, model), error.reason, error.fieldErrors);
      throw error;
    }
  }

  private skip(entry: BlueprintEntry, error: UnknownModel, model: string | undefined): void {
    if (entry.id !== undefined) this.skippedIds.add(entry.id);
    const place = this.place(entry, model);
    this.run.warnings.push(`${new BlueprintError(place, `skipped: ${error.reason}`).message}`);
  }

  private stateOf(entry: BlueprintEntry, model: string): EntryState {
    const state = isTag(entry.state) ? evaluate(entry.state, this.scope(model)) : entry.state;
    if (!ENTRY_STATES.includes(state as EntryState))
      throw new EntryInvalid(`${pyRepr(state)} is not a valid state (${ENTRY_STATES.join(', ')})`);
    return state as EntryState;
  }

  /** Identifiers evaluated, pk references updated, `{pk: …}` mappings replaced by their pk (`_validate_single`). */
  private identifiersOf(entry: BlueprintEntry, model: string): Record<string, unknown> {
    const identifiers = updatePks(evaluate(entry.identifiers, this.scope(model)) as Record<string, unknown>, this.pkMap);
    for (const [field, value] of Object.entries(identifiers)) if (isMapping(value) && 'pk' in value) identifiers[field] = value.pk;
    return identifiers;
  }

  private find(model: string, query: BlueprintQuery): BlueprintRecord | undefined {
    try {
      return this.run.target.find(model, query);
    } catch (error) {
      throw new EntryInvalid(`Invalid identifier field: ${(error as Error).message}`);
    }
  }

  private reconcile(entry: BlueprintEntry, model: string): void {
    const state = this.stateOf(entry, model);
    if (state === 'absent') return this.remove(entry, model);
    const identifiers = this.identifiersOf(entry, model);
    const query = queryFromIdentifiers(identifiers);
    if (!query) throw new EntryInvalid('No or invalid identifiers');
    const existing = this.find(model, query);
    // 2024.8 reaches this check only for meta models (the update branch comes first); authentik's docs and later
    // versions refuse an existing object, as here.
    if (existing && state === 'must_created') throw new EntryInvalid('State is set to must_created and object exists already');
    const attrs = updatePks(evaluate(entry.attrs, this.scope(model)) as Record<string, unknown>, this.pkMap);
    // The identifiers' pk names the record to create; it is no field of the values.
    const { pk: _pk, ...values } = alwaysMerge(attrs, identifiers) as Record<string, unknown>;
    const record = existing && state === 'created' ? existing : this.write(model, values, existing, identifiers.pk);
    this.instances[entry.index] = { model, record };
    const rawPk = entry.identifiers.pk;
    if (isKey(rawPk)) this.pkMap.set(rawPk, this.run.target.keysOf(model, record).pk);
    this.grantPermissions(entry, model, record);
  }

  private write(model: string, values: Record<string, unknown>, existing: BlueprintRecord | undefined, pk: unknown): BlueprintRecord {
    const { target } = this.run;
    try {
      const record = existing ? target.update(model, existing, values) : target.create(model, values, pk);
      this.run.managedModels.add(model);
      return record;
    } catch (error) {
      const fieldErrors = fieldErrorsOf(error);
      if (fieldErrors) throw new EntryInvalid(`invalid values: ${formatFieldErrors(fieldErrors)}`, fieldErrors);
      throw new EntryInvalid((error as Error).message);
    }
  }

  /**
   * `absent`: delete what the identifiers find. authentik skips the entry, silently, when its identifiers or attrs
   * cannot be evaluated (the `EntryInvalidError` carries no serializer), and deletes even when the attrs are invalid.
   */
  private remove(entry: BlueprintEntry, model: string): void {
    let record: BlueprintRecord | undefined;
    try {
      const query = queryFromIdentifiers(this.identifiersOf(entry, model));
      evaluate(entry.attrs, this.scope(model));
      record = query && this.find(model, query);
    } catch (error) {
      if (error instanceof EntryInvalid && !(error instanceof UnknownModel)) return;
      throw error;
    }
    if (!record) return;
    this.run.target.remove(model, record);
    this.run.managedModels.add(model);
  }

  /** `_apply_permissions`: each permission to a user pk and/or a role pk. */
  private grantPermissions(entry: BlueprintEntry, model: string, record: BlueprintRecord): void {
    if (entry.permissions.length === 0) return;
    const { target } = this.run;
    if (!target.assignPermission) {
      this.run.warnings.push(
        new BlueprintError(this.place(entry, model), 'permissions not applied: the target has no object permissions').message,
      );
      return;
    }
    for (const permission of entry.permissions) {
      const scope = this.scope(model);
      const grant = {
        permission: String(evaluate(permission.permission, scope)),
        user: evaluate(permission.user as BlueprintValue, scope),
        role: evaluate(permission.role as BlueprintValue, scope),
      };
      try {
        target.assignPermission(model, record, grant);
      } catch (error) {
        throw new EntryInvalid(`permission ${grant.permission}: ${(error as Error).message}`);
      }
    }
  }
}
