import type { OperationSpec } from '../contract/types.js';

export type Verdict = 'pass' | 'fail' | 'skip';

export interface OperationResult {
  operationId: string;
  method: string;
  path: string;
  verdict: Verdict;
  problems: string[];
  /** Why it was skipped. */
  reason?: string;
  checks: number;
  durationMs: number;
}

export interface ContractReport {
  results: OperationResult[];
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
}

export function verdictOf(problems: string[], skipped: string | undefined): Verdict {
  if (problems.length > 0) return 'fail';
  return skipped ? 'skip' : 'pass';
}

export function resultLine(result: OperationResult, shown = 3): string {
  const head = `${result.verdict.padEnd(4)}  ${result.operationId}`;
  if (result.verdict === 'pass') return `${head}  (${result.checks} checks)`;
  if (result.verdict === 'skip') return `${head}  — ${result.reason}`;
  const more = result.problems.length > shown ? ` (+${result.problems.length - shown} more)` : '';
  return `${head}  — ${result.problems.slice(0, shown).join(' | ')}${more}`;
}

export function closingLine(report: ContractReport): string {
  return `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JUnit XML, one testcase per operation, for CI dashboards. */
export function junitXml(report: ContractReport, operations: readonly OperationSpec[]): string {
  const tag = new Map(operations.map((o) => [o.operationId, o.tags[0] ?? 'api']));
  const cases = report.results.map((r) => {
    const attrs = `classname="${escapeXml(`authentik.${tag.get(r.operationId) ?? 'api'}`)}" name="${escapeXml(`${r.operationId} (${r.method} ${r.path})`)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
    if (r.verdict === 'pass') return `    <testcase ${attrs}/>`;
    if (r.verdict === 'skip') return `    <testcase ${attrs}><skipped message="${escapeXml(r.reason ?? '')}"/></testcase>`;
    return `    <testcase ${attrs}><failure message="${escapeXml(r.problems[0] ?? '')}">${escapeXml(r.problems.join('\n'))}</failure></testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${report.results.length}" failures="${report.failed}" skipped="${report.skipped}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="authentik-mock contract" tests="${report.results.length}" failures="${report.failed}" skipped="${report.skipped}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
