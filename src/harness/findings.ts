/** What the contract harness found wrong with a server's answers, as data: reports are rendered from it. */

/**
 * What kind of mismatch a finding is:
 * - `status`: the answer has another status than the one expected;
 * - `schema`: the answer's body does not match the contract's schema for its status;
 * - `field-not-named`: a 400 for an invalid field does not name the field;
 * - `message`: a 400 names the field, but not with a message authentik gives for it;
 * - `pagination`: pagination numbers that do not add up;
 * - `filter`: a filter that does not filter;
 * - `state-changed`: a write the server refused changed the data anyway;
 * - `record-gone`: the record a write touches could no longer be found.
 */
export type ContractFindingKind =
  'status' | 'schema' | 'field-not-named' | 'message' | 'pagination' | 'filter' | 'state-changed' | 'record-gone';

/** One thing the harness found wrong, for one operation of the contract. */
export interface ContractFinding {
  kind: ContractFindingKind;
  operationId: string;
  /** What was being checked: `valid request`, `without credentials`, `invalid request ("slug" breaking pattern)`… */
  check: string;
  /** The request whose answer shows it (for `state-changed`: the refused write). */
  request: { method: string; url: string };
  /** The status the server answered that request with. */
  status?: number;
  /** JSON pointer into the answer's body (`''` for the body itself); absent when the finding is about the status. */
  pointer?: string;
  /** What the contract, or authentik's behaviour, wants there. */
  expected: string;
  /** What the server sent there: the status, or the value at the pointer (undefined: nothing there). */
  received: unknown;
  /** Why the expectation holds, when that is not obvious. */
  note?: string;
  /** The start of the answer's body, when the finding is about its status or about what it lacks. */
  excerpt?: string;
}

const SHOWN_CHARACTERS = 120;

/** Text cut to a readable length on one line. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > SHOWN_CHARACTERS ? `${line.slice(0, SHOWN_CHARACTERS - 3)}...` : line;
}

/** A received value as a reader sees it: JSON, cut short; `nothing` when there is none. */
export function shownValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  return excerpt(JSON.stringify(value) ?? String(value));
}

/**
 * One line per finding: what was checked, the request, where in the answer, what was expected and what came.
 * `invalid request ("slug" breaking pattern): PUT http://…/widgets/a/: /slug expected "Enter a valid…", received […]`
 */
export function findingText(finding: ContractFinding): string {
  const where =
    finding.pointer === undefined ? 'status' : `${finding.status ?? ''} body${finding.pointer === '' ? '' : ` ${finding.pointer}`}`.trim();
  const received = finding.pointer === undefined ? String(finding.received) : shownValue(finding.received);
  const tail = [finding.excerpt ? `answer: ${finding.excerpt}` : '', finding.note ?? ''].filter(Boolean).join('; ');
  const head = `${finding.check}: ${finding.request.method} ${finding.request.url}: ${where} expected ${finding.expected}, received ${received}`;
  return tail ? `${head} (${tail})` : head;
}

/** The value at a JSON pointer (`/results/0/name`), undefined when there is none. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The JSON pointer of the first place two JSON values differ, undefined when they are equal. */
export function firstDifference(before: unknown, after: unknown, pointer = ''): string | undefined {
  if (Object.is(before, after)) return undefined;
  const bothObjects = typeof before === 'object' && before !== null && typeof after === 'object' && after !== null;
  if (!bothObjects || Array.isArray(before) !== Array.isArray(after)) return pointer;
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const a = (before as Record<string, unknown>)[key];
    const b = (after as Record<string, unknown>)[key];
    const child = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!Object.hasOwn(before, key) || !Object.hasOwn(after, key)) return child;
    const found = firstDifference(a, b, child);
    if (found !== undefined) return found;
  }
  return undefined;
}
