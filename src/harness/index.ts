/** The contract harness as a library, for any test runner. */
export { runContract, type ContractRunOptions } from './run-contract.js';
export { ServerUnreachable, type FetchLike } from './http-client.js';
export { closingLine, junitXml, resultLine, type ContractReport, type OperationResult } from './report.js';
export { violations, bodyFromRecord, type Violation } from './request-builder.js';
