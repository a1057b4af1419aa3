import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import type { OperationSpec } from '../src/contract/types.js';
import type { ContractFinding } from '../src/harness/findings.js';
import { junitXml, type ContractReport, type OperationResult } from '../src/harness/report.js';

interface Element {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Element[];
}

/**
 * Parses the document with saxes, a strict XML 1.0 parser (it rejects what the spec forbids: disallowed characters,
 * `]]>` in character data, unescaped markup). Returns the root element, or throws the parser's first error.
 */
function parseXml(xml: string): Element {
  const parser = new SaxesParser();
  const root: Element = { name: '#document', attributes: {}, text: '', children: [] };
  const open: Element[] = [root];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const element: Element = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: '', children: [] };
    open.at(-1)!.children.push(element);
    open.push(element);
  });
  parser.on('text', (text) => void (open.at(-1)!.text += text));
  parser.on('closetag', () => void open.pop());
  parser.write(xml).close();
  expect(root.children).toHaveLength(1);
  return root.children[0]!;
}

const operation = (operationId: string, tag: string) => ({ operationId, tags: [tag] }) as unknown as OperationSpec;

function result(overrides: Partial<OperationResult> & Pick<OperationResult, 'operationId' | 'verdict'>): OperationResult {
  return { method: 'GET', path: '/core/users/', findings: [], checks: 2, durationMs: 1234, ...overrides };
}

const USERS = 'http://authentik.test/api/v3/core/users/';

/** A 500 where a 200 was expected, with what a broken server put in its answer. */
function finding(answer: string, check = 'valid request'): ContractFinding {
  const request = { method: 'GET', url: USERS };
  return { kind: 'status', operationId: 'core_users_list', check, request, expected: '200', received: 500, excerpt: answer };
}

function reportOf(results: OperationResult[]): ContractReport {
  const count = (verdict: string) => results.filter((r) => r.verdict === verdict).length;
  return { results, passed: count('pass'), failed: count('fail'), skipped: count('skip'), durationMs: 4321 };
}

// What a broken server can put in a failure: terminal colours (ESC), a NUL, markup, and a CDATA terminator.
const HOSTILE = 'got \x1b[31m"<b>500</b>"\x1b[0m & \x00 then ]]> and \'quotes\'';

describe('JUnit XML', () => {
  it('parses with a strict XML parser whatever the server put in a failure, and keeps the readable text', () => {
    const report = reportOf([
      result({ operationId: 'core_users_list', verdict: 'fail', findings: [finding(HOSTILE), finding('<x/>', 'second <check>')] }),
      result({ operationId: 'core_groups_list', verdict: 'skip', reason: 'no key: \x07 & <none>' }),
      result({ operationId: 'core_tokens_list', verdict: 'pass' }),
    ]);
    const xml = junitXml(report, [operation('core_users_list', 'core')]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    // Neither raw control characters nor an unescaped CDATA terminator reach the document.
    const controls = [...xml].filter((c) => c.charCodeAt(0) < 0x20 && !'\t\n\r'.includes(c));
    expect(controls).toEqual([]);
    expect(xml).not.toContain(']]>');

    const suites = parseXml(xml);
    expect(suites.name).toBe('testsuites');
    expect(suites.attributes).toMatchObject({ tests: '3', failures: '1', skipped: '1', time: '4.321' });
    const [suite] = suites.children;
    expect(suite).toMatchObject({ name: 'testsuite', attributes: { name: 'authentik-mock contract', tests: '3', failures: '1' } });
    const [failed, skipped, passed] = suite!.children;

    expect(failed!.attributes).toEqual({ classname: 'authentik.core', name: 'core_users_list (GET /core/users/)', time: '1.234' });
    const failure = failed!.children[0]!;
    expect(failure.name).toBe('failure');
    // Every character XML can carry is kept exactly; ESC and NUL are shown as their escapes.
    const readable = 'got \\u001b[31m"<b>500</b>"\\u001b[0m & \\u0000 then ]]> and \'quotes\'';
    const first = `valid request: GET ${USERS}: status expected 200, received 500 (answer: ${readable})`;
    expect(failure.attributes['message']).toBe(first);
    expect(failure.text).toBe(`${first}\nsecond <check>: GET ${USERS}: status expected 200, received 500 (answer: <x/>)`);

    expect(skipped!.attributes['classname']).toBe('authentik.api');
    expect(skipped!.children).toEqual([{ name: 'skipped', attributes: { message: 'no key: \\u0007 & <none>' }, text: '', children: [] }]);
    expect(passed).toMatchObject({ name: 'testcase', children: [], attributes: { name: 'core_tokens_list (GET /core/users/)' } });
  });

  it('the parser used above rejects what the hand-written writer used to emit', () => {
    expect(() => parseXml('<failure message="esc \x1b">x</failure>')).toThrow(/disallowed character/);
    expect(() => parseXml('<failure>nul \x00</failure>')).toThrow(/disallowed character/);
    expect(() => parseXml('<failure>end ]]> here</failure>')).toThrow(/\]\]>/);
  });

  it('keeps characters outside the basic plane, and replaces lone surrogates', () => {
    const report = reportOf([result({ operationId: 'x_list', verdict: 'fail', findings: [finding('emoji \u{1F600} half \ud800 done')] })]);
    const failure = parseXml(junitXml(report, [])).children[0]!.children[0]!.children[0]!;
    expect(failure.text).toBe(`valid request: GET ${USERS}: status expected 200, received 500 (answer: emoji \u{1F600} half \\ud800 done)`);
  });

  it('an attribute whose value is "true" keeps its value', () => {
    const report = reportOf([result({ operationId: 'x_list', verdict: 'skip', reason: 'true' })]);
    const skipped = parseXml(junitXml(report, [])).children[0]!.children[0]!.children[0]!;
    expect(skipped.attributes).toEqual({ message: 'true' });
  });
});
