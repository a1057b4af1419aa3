/** The contract harness as a library, for any test runner. */
export { runContract, type ContractRunOptions } from './run-contract.js';
export { ServerUnreachable, type FetchLike } from './http-client.js';
export { closingLine, junitXml, resultLine, type ContractReport, type OperationResult } from './report.js';
export { findingText, type ContractFinding, type ContractFindingKind } from './findings.js';
export { invalidRequests, bodyFromRecord, filtersOf, filterProbes, type InvalidRequest, type FilterProbe } from './request-builder.js';
export { filterParams, type FilterParam, type FilterKind } from '../contract/filter-params.js';
