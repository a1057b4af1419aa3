/** The contract harness as a library, for any test runner. */
export { runContract, type ContractRunOptions } from './run-contract.js';
export { ServerUnreachable, type FetchLike } from './http-client.js';
export { closingLine, junitXml, resultLine, type ContractReport, type OperationResult } from './report.js';
export { violations, bodyFromRecord, filterParams, filterProbes, type Violation, type FilterParam, type FilterKind, type FilterProbe } from './request-builder.js';
