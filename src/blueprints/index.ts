/**
 * authentik blueprints, browser-safe: parse blueprint files given as text and apply them to a `BlueprintTarget`
 * (the world) with authentik's semantics. Reading files is the Node side's job (`authentik-mock/node`).
 */
export { parseBlueprint } from './parse.js';
export { applyBlueprints, authentikDefaultContext, LABEL_INSTANTIATE } from './apply.js';
export { defaultBlueprints, DEFAULT_BLUEPRINT_FOLDERS } from './defaults.js';
export { BlueprintError, BlueprintValidationError, formatFieldErrors, type FieldErrors } from './errors.js';
export { YamlTag, TAG_NAMES, type TagName, type BlueprintValue } from './tag.js';
export { ENTRY_STATES } from './types.js';
export type {
  ApplyOptions,
  BlueprintEntry,
  BlueprintMetadata,
  BlueprintQuery,
  BlueprintRecord,
  BlueprintResult,
  BlueprintSource,
  BlueprintStatus,
  BlueprintTarget,
  EntryPermission,
  EntryState,
  ParsedBlueprint,
  PermissionGrant,
  UnknownModelPolicy,
} from './types.js';
