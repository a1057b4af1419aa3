/** `authentik-mock/harness`: the contract checker as a function, for any test runner, and its reports. */
export { runContract, type ContractRunOptions } from './run-contract.js';
export type { KnownIds } from './path-keys.js';
export { ServerUnreachable, type FetchLike } from './http-client.js';
export { TokenRejected } from './token-check.js';
export { closingLine, junitXml, resultLine, type ContractReport, type OperationResult } from './report.js';
export { findingText, type ContractFinding, type ContractFindingKind } from './findings.js';
