import XMLBuilder from 'fast-xml-builder';
import type { OperationSpec } from '../contract/types.js';
import { findingText, type ContractFinding } from './findings.js';

export type Verdict = 'pass' | 'fail' | 'skip';

export interface OperationResult {
  operationId: string;
  method: string;
  path: string;
  verdict: Verdict;
  /** What was found wrong (a failed operation has at least one). */
  findings: ContractFinding[];
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

export function verdictOf(findings: readonly ContractFinding[], skipped: string | undefined): Verdict {
  if (findings.length > 0) return 'fail';
  return skipped ? 'skip' : 'pass';
}

const INDENT = ' '.repeat(6);

/**
 * An operation's result for a terminal: one line for a pass or a skip; for a failure, a line per finding (the first
 * `shown` of them) under the operation's line, each with the request and the value received.
 */
export function resultLine(result: OperationResult, shown = 3): string {
  const head = `${result.verdict.padEnd(4)}  ${result.operationId}`;
  if (result.verdict === 'pass') return `${head}  (${result.checks} checks)`;
  if (result.verdict === 'skip') return `${head}  — ${result.reason}`;
  const count = result.findings.length;
  const lines = result.findings.slice(0, shown).map((finding) => `${INDENT}${findingText(finding)}`);
  if (count > shown) lines.push(`${INDENT}(+${count - shown} more)`);
  return [`${head}  (${count} ${count === 1 ? 'problem' : 'problems'})`, ...lines].join('\n');
}

export function closingLine(report: ContractReport): string {
  return `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`;
}

/**
 * Characters XML 1.0 cannot carry at all, not even as a character reference: C0 controls other than tab, newline
 * and carriage return (NUL, ESC…), lone surrogates, U+FFFE and U+FFFF.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text that XML 1.0 can carry: each character it cannot is shown as its `\uXXXX` escape, the rest kept as is. */
function xmlSafeText(text: string): string {
  return text.replace(NOT_XML_CHAR, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The builder escapes markup (`&`, `<`, `>`, quotes) in text and attributes; `suppressBooleanAttributes` is off so an
 * attribute whose value is "true" keeps its value (valid XML), and unformatted output keeps a testcase and its
 * failure on one line.
 */
const junitBuilder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressBooleanAttributes: false,
  suppressEmptyNode: true,
  processEntities: true,
  format: false,
});

/** JUnit XML, one testcase per operation, for CI dashboards. Whatever a server answered, the document is well-formed. */
export function junitXml(report: ContractReport, operations: readonly OperationSpec[]): string {
  const tag = new Map(operations.map((o) => [o.operationId, o.tags[0] ?? 'api']));
  const testcases = report.results.map((r) => {
    const testcase: Record<string, unknown> = {
      '@_classname': xmlSafeText(`authentik.${tag.get(r.operationId) ?? 'api'}`),
      '@_name': xmlSafeText(`${r.operationId} (${r.method} ${r.path})`),
      '@_time': seconds(r.durationMs),
    };
    if (r.verdict === 'skip') testcase['skipped'] = { '@_message': xmlSafeText(r.reason ?? '') };
    if (r.verdict === 'fail') {
      const texts = r.findings.map(findingText);
      testcase['failure'] = { '@_message': xmlSafeText(texts[0] ?? ''), '#text': xmlSafeText(texts.join('\n')) };
    }
    return testcase;
  });
  const counts = { '@_tests': report.results.length, '@_failures': report.failed, '@_skipped': report.skipped };
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      ...counts,
      '@_time': seconds(report.durationMs),
      testsuite: { '@_name': 'authentik-mock contract', ...counts, testcase: testcases },
    },
  };
  return `${junitBuilder.build(document)}\n`;
}
