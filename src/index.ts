/** Browser-safe entry: the contract, fixtures, world and request core. Node-only helpers live in `authentik-mock/node`. */
export { Contract, jsonMedia, type SchemaViolation, type ReadRequestBody } from './contract/contract.js';
export type { ContractDocument, OperationSpec, JsonSchema, SchemasIndex } from './contract/types.js';
export { toDrfErrors, type DrfErrors } from './contract/drf-errors.js';
export { FixtureGenerator, createFaker, generate, type GenerateOptions } from './fake/generate.js';
export { World, type WorldDump, type WorldOptions, type Principal } from './world/world.js';
export { MockServer, type MockOptions } from './core/mock-server.js';
export { HttpError, type Answer } from './core/http.js';
export type { RequestLogEntry } from './core/mock-server.js';
export type { CorsOrigins } from './core/cors.js';
export {
  Scenarios,
  validateRule,
  parsePrefer,
  DEFAULT_HOLD_LIMITS,
  type HoldLimits,
  type ScenarioRule,
  type ScenarioMatch,
  type ScenarioRespond,
} from './core/scenarios.js';
export {
  parseBlueprint,
  applyBlueprints,
  authentikDefaultContext,
  defaultBlueprints,
  BlueprintError,
  BlueprintValidationError,
  type ApplyOptions,
  type BlueprintQuery,
  type BlueprintRecord,
  type BlueprintResult,
  type BlueprintSource,
  type BlueprintTarget,
  type ParsedBlueprint,
} from './blueprints/index.js';
export { totpCode, keyFromConfigUrl } from './flows/totp.js';
export { addTotpDevice } from './flows/devices.js';
