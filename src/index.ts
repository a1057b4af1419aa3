/** `authentik-mock`, browser-safe: the request core, its contract and world, fixtures. Node-only helpers are `authentik-mock/node`. */
export { MockServer, type MockOptions, type RequestLogEntry } from './mock-server.js';
export type { AnswerCacheLimits } from './core/answer-cache.js';
export type { ConsoleFiles } from './core/control.js';
export type { CorsOrigins } from './core/cors.js';
export type { HoldLimits, ScenarioMatch, ScenarioRespond, ScenarioRule, Scenarios } from './core/scenarios.js';
export { Contract, type SchemaViolation } from './contract/contract.js';
export type { ContractDocument, JsonSchema, OperationSpec } from './contract/types.js';
export type { RecordLimits, World, WorldDump } from './world/world.js';
export { generate, type GenerateOptions } from './fake/generate.js';
export { BlueprintError, type BlueprintResult, type BlueprintSource } from './blueprints/index.js';
export { totpCode, keyFromConfigUrl } from './flows/totp.js';
export { addTotpDevice } from './flows/devices.js';
