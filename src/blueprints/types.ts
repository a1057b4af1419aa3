import type { BlueprintError } from './errors.js';
import type { BlueprintValue, YamlTag } from './tag.js';

/** A blueprint file given as text (browser-safe: nothing here reads files). */
export interface BlueprintSource {
  /** Its path, relative to the blueprints folder as authentik records it (`system/bootstrap.yaml`); names it in errors. */
  path: string;
  text: string;
}

/** authentik's `BlueprintEntryDesiredState` (authentik/blueprints/v1/common.py). */
export const ENTRY_STATES = ['present', 'created', 'must_created', 'absent'] as const;
export type EntryState = (typeof ENTRY_STATES)[number];

/** An object permission an entry grants on its record (`permissions:`, authentik ≥ 2024.8). */
export interface EntryPermission {
  permission: BlueprintValue;
  user: BlueprintValue;
  role: BlueprintValue;
}

/** One entry of a blueprint, its tags not yet evaluated. */
export interface BlueprintEntry {
  /** Position in the blueprint's entries (0-based). */
  index: number;
  /** `app_label.model_name` as written (a tag when written as one). */
  model: string | YamlTag;
  id: string | undefined;
  state: EntryState | YamlTag;
  conditions: BlueprintValue[];
  identifiers: { [field: string]: BlueprintValue };
  attrs: { [field: string]: BlueprintValue };
  permissions: EntryPermission[];
}

export interface BlueprintMetadata {
  name: string;
  labels: Record<string, string>;
}

export interface ParsedBlueprint {
  path: string;
  version: 1;
  metadata: BlueprintMetadata | undefined;
  /** The name a BlueprintInstance gets: the metadata name, else the path (authentik/blueprints/v1/tasks.py). */
  name: string;
  labels: Record<string, string>;
  /** The blueprint's own default context (instance context is merged over it when applied). */
  context: { [key: string]: BlueprintValue };
  entries: BlueprintEntry[];
}

/** A record of the target, as its API shows it (authentik's serializer data): what `!FindObject` answers. */
export type BlueprintRecord = Readonly<Record<string, unknown>>;

/**
 * A lookup of records of one model, as authentik builds Django `Q` objects for identifiers and `!Find`.
 *
 * A record matches when `pk` is given and equals its primary key, OR when `equals`/`contains` are not both empty
 * and every one of their conditions holds. With only `pk` given, only the pk counts. With nothing given every record
 * matches (Django's empty `Q()`: `!Find [model]` is the model's first record); identifiers never ask that.
 */
export interface BlueprintQuery {
  /** Identifiers' `pk` (`Q(pk=…) | Q(other identifiers)`, authentik/blueprints/v1/importer.py). */
  pk?: unknown;
  /**
   * Field = value, ANDed (`Q(field=value)`). Keys are the YAML's field names (`slug`, `target`, `user`), a relation
   * compared by the related record's pk. `!Find` also passes `pk` here (ANDed like any field) and may pass Django
   * lookups (`user__username`); a target that cannot answer a field throws, and the entry is refused with its message.
   */
  equals: Record<string, unknown>;
  /** JSON containment, ANDed (`Q(field__contains=value)`): identifiers whose value is a mapping (`attributes: {a: 1}`). */
  contains: Record<string, Record<string, unknown>>;
}

/** What an entry's `permissions` ask for, tags evaluated: a permission codename for a user pk or a role pk. */
export interface PermissionGrant {
  permission: string;
  user: unknown;
  role: unknown;
}

/**
 * The world blueprints apply to. Models are named as in the YAML (`authentik_flows.flowstagebinding`); mapping
 * them to the contract's entities is the target's business. All methods are synchronous (an in-memory world).
 */
export interface BlueprintTarget {
  /** Whether the target holds records of this model (`app_label.model_name`, model name lowercased). */
  hasModel(model: string): boolean;
  /** The first record matching the query (in the target's order, as Django's `.first()`), or undefined. */
  find(model: string, query: BlueprintQuery): BlueprintRecord | undefined;
  /**
   * A new record from values (attrs with the identifiers merged in). `pk` is the identifiers' `pk` when they have one:
   * the record is created with that primary key. Invalid values throw a `BlueprintValidationError` (or any error with
   * DRF-style `fieldErrors`). Values may hold fields only authentik's serializers accept from blueprints (a user's
   * `password`, a token's `key`). Returns the record as stored.
   */
  create(model: string, values: Record<string, unknown>, pk?: unknown): BlueprintRecord;
  /** A partial update of an existing record (authentik's `partial=True` serializer); invalid values throw as in `create`. */
  update(model: string, record: BlueprintRecord, values: Record<string, unknown>): BlueprintRecord;
  /** Removes a record (cascading as Django would). */
  remove(model: string, record: BlueprintRecord): void;
  /**
   * The record's primary key (what `!Find` and `!KeyOf` give) and, when its model is a PolicyBindingModel (flows,
   * flow-stage bindings, applications, sources…), its `pbm_uuid`: what `!KeyOf` gives an `authentik_policies.policybinding`
   * entry instead (authentik/blueprints/v1/common.py, `KeyOf.resolve`).
   */
  keysOf(model: string, record: BlueprintRecord): { pk: unknown; policyBindingModelKey?: unknown };
  /**
   * Runs `work` (applying `blueprint`); if it throws, every change it made is undone and the error rethrown (all or
   * nothing). Never nested.
   */
  transaction<T>(work: () => T, blueprint?: ParsedBlueprint): T;
  /**
   * Optional: grants an object permission on a record (entry `permissions`). Without it, entries with permissions
   * apply without them and the result carries a warning.
   */
  assignPermission?(model: string, record: BlueprintRecord, grant: PermissionGrant): void;
}

/** What to do with an entry whose model the target does not know. */
export type UnknownModelPolicy = 'error' | 'skip';

export interface ApplyOptions {
  /** Environment variables for `!Env` (a plain record: nothing reads `process.env`). */
  env?: Record<string, string | undefined>;
  /** Files for `!File` by path (nothing reads a file system); a path not given falls back to the tag's default. */
  files?: Record<string, string>;
  /**
   * The instance context merged over each blueprint's own `context` (authentik's `BlueprintInstance.context`): one
   * object for all, or per blueprint.
   */
  instanceContext?: Record<string, unknown> | ((blueprint: ParsedBlueprint) => Record<string, unknown> | undefined);
  /**
   * authentik's default context, under the blueprint's own (`Importer.default_context`): defaults to
   * `goauthentik.io/enterprise/licensed: false` and `goauthentik.io/rbac/models: {}` — see `rbacModelsContext`.
   */
  defaultContext?: Record<string, unknown>;
  /**
   * An entry whose model the target does not know: `'error'` refuses its blueprint, naming file, entry and model
   * (team blueprints); `'skip'` skips the entry with a warning (the shipped defaults on another authentik version).
   * Default `'error'`. A function decides per blueprint (the shipped defaults skip, a team's refuse).
   */
  unknownModels?: UnknownModelPolicy | ((blueprint: ParsedBlueprint) => UnknownModelPolicy);
}

/**
 * authentik's `BlueprintInstanceStatus`: `successful`; `warning` (applied, with skipped entries or permissions);
 * `error` (nothing of it applied); `unknown` (not instantiated: labelled `blueprints.goauthentik.io/instantiate: "false"`).
 */
export type BlueprintStatus = 'successful' | 'warning' | 'error' | 'unknown';

/** One blueprint's outcome: what the lead lists as a `/managed/blueprints/` record. */
export interface BlueprintResult {
  name: string;
  path: string;
  labels: Record<string, string>;
  metadata: BlueprintMetadata | undefined;
  /** The instance context it was applied with (`BlueprintInstance.context`). */
  context: Record<string, unknown>;
  status: BlueprintStatus;
  warnings: string[];
  /** Why it was refused (status `error`). */
  error?: BlueprintError;
  /** The models of the records it created, updated or removed, sorted. */
  managedModels: string[];
}
