import { jsonMedia, type Contract } from '../contract/contract.js';
import type { OperationSpec } from '../contract/types.js';
import { listShape, successSchema } from '../contract/operation-shapes.js';
import type { OperationRole } from '../contract/resources.js';
import type { Answer, Call, FilePart, HttpClient } from './http-client.js';
import { fillPath, recordsOf, type FoundKey, type PathKeyFinder } from './path-keys.js';
import {
  bodyFromRecord,
  fileFields,
  listOperationAt,
  filterProbes,
  MULTIPART_TYPE,
  requestMedia,
  requiredQuery,
  resourcesOf,
  uniqueVariant,
  violations,
  type Violation,
} from './request-builder.js';

export interface CheckContext {
  contract: Contract;
  client: HttpClient;
  keys: PathKeyFinder;
  allowWrites: boolean;
  seed: number;
  roles: Map<string, OperationRole>;
}

export interface Outcome {
  problems: string[];
  /** Why the operation could not be checked fully; an operation with a reason is never reported as passed. */
  skipped?: string;
  checks: number;
}

const MAX_VIOLATIONS_SHOWN = 3;
const PAGE_SIZE = 2;
const PAGES_FOLLOWED = 4;
const FILTERED_PAGE_SIZE = 100;

export function rolesOf(contract: Contract): Map<string, OperationRole> {
  return resourcesOf(contract).roles;
}

/** Collects what one operation's checks found. */
class Findings {
  readonly problems: string[] = [];
  checks = 0;

  expect(ok: boolean, problem: string): boolean {
    this.checks++;
    if (!ok) this.problems.push(problem);
    return ok;
  }
}

function summary(answer: Answer): string {
  const text = answer.text.replace(/\s+/g, ' ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A path with a query string (nothing added when the query is empty). */
function withQuery(path: string, query: Record<string, string>): string {
  const text = new URLSearchParams(query).toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/**
 * The body validates against the contract's schema for the answer's status. A 204 has no body, whatever the
 * document says; a status documented without content may carry any body (authentik sends JSON there).
 */
function expectBodyMatches(ctx: CheckContext, findings: Findings, operation: OperationSpec, answer: Answer, label: string): boolean {
  if (answer.status === 204) return true;
  const documented = operation.responses[String(answer.status)] ?? operation.responses['default'];
  const schema = documented && jsonMedia(documented.content)?.schema;
  if (documented && !schema) return true;
  const problems = ctx.contract.validateResponse(operation.operationId, answer.status, answer.body);
  return findings.expect(
    problems.length === 0,
    `${label}: ${answer.status} body does not match the contract: ${problems
      .slice(0, MAX_VIOLATIONS_SHOWN)
      .map((p) => p.message)
      .join('; ')}`,
  );
}

/** The answer has a documented 2xx status and its body validates against that status's schema. */
function expectSuccess(ctx: CheckContext, findings: Findings, operation: OperationSpec, answer: Answer, label: string): boolean {
  const documented = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
  if (
    !findings.expect(
      documented.includes(String(answer.status)),
      `${label}: expected ${documented.join('/') || 'a documented status'}, got ${answer.status} ${summary(answer)}`,
    )
  )
    return false;
  return expectBodyMatches(ctx, findings, operation, answer, label);
}

/** Whether the contract can read what lives at a path (a GET on it). */
function readableAt(ctx: CheckContext, path: string): boolean {
  return ctx.contract.operations.some((o) => o.method === 'GET' && o.path === path);
}

/** The request body as the operation takes it: JSON, or a multipart form (files as file parts). */
function bodyCall(ctx: CheckContext, operation: OperationSpec, body: Record<string, unknown> | undefined): Pick<Call, 'json' | 'form'> {
  if (body === undefined) return {};
  if (requestMedia(operation)?.type !== MULTIPART_TYPE) return { json: body };
  const files = fileFields(ctx.contract, operation);
  const form: Record<string, string | FilePart> = {};
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    form[field] = files.has(field) ? { filename: `${field}.txt`, content: text, type: 'text/plain' } : text;
  }
  return { form };
}

async function checkAuth(ctx: CheckContext, findings: Findings, operation: OperationSpec, path: string): Promise<void> {
  if (operation.security.length === 0) return;
  const cases: Array<[string, string | null]> = [
    ['without credentials', null],
    ['with a bad key', 'Bearer authentik-mock-not-a-valid-key'],
  ];
  for (const [label, authorization] of cases) {
    const answer = await ctx.client.send({ method: operation.method, path, authorization });
    const hint = answer.status === 401 ? ' (authentik answers 403: it sends no WWW-Authenticate challenge)' : '';
    if (findings.expect(answer.status === 403, `${label}: expected 403, got ${answer.status}${hint}`))
      expectBodyMatches(ctx, findings, operation, answer, label);
  }
}

function pagination(answer: Answer): Record<string, number> | undefined {
  return (answer.body as { pagination?: Record<string, number> } | undefined)?.pagination;
}

/** authentik's paginator arithmetic, page by page along the `next` chain, and a 404 past the end. */
async function checkPagination(ctx: CheckContext, findings: Findings, path: string, query: Record<string, string>): Promise<void> {
  const page = (n: number) =>
    ctx.client.send({ method: 'GET', path: withQuery(path, { ...query, page_size: String(PAGE_SIZE), page: String(n) }) });
  let current = await page(1);
  if (!findings.expect(current.status === 200, `pagination: page 1 with page_size=${PAGE_SIZE} answered ${current.status}`)) return;
  const first = pagination(current);
  if (!findings.expect(!!first, 'pagination: no "pagination" object in a paginated list')) return;
  const count = first!['count']!;
  const totalPages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  findings.expect(
    first!['total_pages'] === totalPages,
    `pagination: count ${count} at page_size ${PAGE_SIZE} needs total_pages ${totalPages}, got ${first!['total_pages']}`,
  );
  for (let n = 1; n <= Math.min(totalPages, PAGES_FOLLOWED); n++) {
    if (n > 1) current = await page(n);
    const p = pagination(current);
    const results = (current.body as { results?: unknown[] }).results ?? [];
    if (!findings.expect(current.status === 200 && !!p, `pagination: page ${n} answered ${current.status}`)) return;
    const start = count === 0 ? 0 : (n - 1) * PAGE_SIZE + 1;
    const expected = {
      current: n,
      previous: n > 1 ? n - 1 : 0,
      next: n < totalPages ? n + 1 : 0,
      count,
      start_index: start,
      end_index: count === 0 ? 0 : start + results.length - 1,
    };
    const wrong = Object.entries(expected).filter(([key, value]) => p![key] !== value);
    findings.expect(
      wrong.length === 0,
      `pagination: page ${n} says ${wrong.map(([k]) => `${k}=${p![k]}`).join(', ')}; expected ${wrong.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    );
    findings.expect(
      results.length === Math.min(PAGE_SIZE, Math.max(0, count - (n - 1) * PAGE_SIZE)),
      `pagination: page ${n} holds ${results.length} results; page_size ${PAGE_SIZE} and count ${count} say ${Math.min(PAGE_SIZE, count - (n - 1) * PAGE_SIZE)}`,
    );
  }
  const past = await page(totalPages + 1);
  findings.expect(
    past.status === 404,
    `pagination: page ${totalPages + 1} (past the end) answered ${past.status}, expected 404 "Invalid page."`,
  );
}

/** What a write could change, read as text: compared before and after a rejected write. */
type Snapshot = () => Promise<string | undefined>;

/** The record an operation writes to, read as a client would: the current values, or why it could not be read. */
type RecordRead = { record: Record<string, unknown>; text: string } | { problem: string };

/**
 * How to read the record a write on an item touches: a GET on the operation's own path, else on the item's path
 * (`/x/{key}/` for `/x/{key}/action/`), else its entry in the list the key was found in. None for anything else.
 */
function readerFor(
  ctx: CheckContext,
  operation: OperationSpec,
  path: string,
  found: Record<string, FoundKey>,
): (() => Promise<RecordRead>) | undefined {
  const viaGet = (target: string) => async (): Promise<RecordRead> => {
    const answer = await ctx.client.send({ method: 'GET', path: target });
    if (answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null)
      return { problem: `GET answered ${answer.status}` };
    return { record: answer.body as Record<string, unknown>, text: answer.text };
  };
  if (readableAt(ctx, operation.path)) return viaGet(path);
  const item = /^(.*\{([^}]+)\}\/)[^{}]+\/$/.exec(operation.path);
  if (item && readableAt(ctx, item[1]!)) return viaGet(path.slice(0, path.length - (operation.path.length - item[1]!.length)));
  const param = [...operation.path.matchAll(/\{([^}]+)\}/g)].at(-1)?.[1];
  const key = param ? found[param] : undefined;
  if (!key?.list || !key.field) return undefined;
  return async () => {
    const record = await ctx.keys.reread(operation.server, key);
    return record
      ? { record, text: JSON.stringify(record) }
      : { problem: `the list at ${key.list!.path} no longer shows the record with ${key.field} ${key.value}` };
  };
}

function snapshotOf(read: (() => Promise<RecordRead>) | undefined): Snapshot | undefined {
  if (!read) return undefined;
  return async () => {
    const current = await read();
    return 'text' in current ? current.text : `(${current.problem})`;
  };
}

/**
 * What the operation documents for a 400: `fields`, a body keyed by field (DRF's ValidationError), so the 400 must
 * name the field; `opaque`, a 400 without content or of a shape that holds no field names (the view checks the
 * request in its own code, e.g. `HttpResponseBadRequest()` for a missing `url`): only a missing required field is
 * sure to be refused, and the body need not name it; `none`: no 400 documented, nothing to expect.
 */
function badRequestDoc(ctx: CheckContext, operation: OperationSpec): 'fields' | 'opaque' | 'none' {
  const response = operation.responses['400'];
  if (!response) return 'none';
  const schema = jsonMedia(response.content)?.schema;
  if (!schema) return 'opaque';
  const extra = ctx.contract.resolve(schema).additionalProperties;
  return extra !== undefined && extra !== false ? 'fields' : 'opaque';
}

/** The invalid requests to send: filter values always (django-filter answers them), body ones as the 400 documents. */
function applicableViolations(
  ctx: CheckContext,
  operation: OperationSpec,
  validBody: Record<string, unknown>,
): Array<{ violation: Violation; named: boolean }> {
  const doc = badRequestDoc(ctx, operation);
  return violations(ctx.contract, operation, validBody)
    .filter((v) => v.query || doc === 'fields' || (doc === 'opaque' && v.constraint === 'required'))
    .map((violation) => ({ violation, named: !!violation.query || doc === 'fields' }));
}

async function checkViolation(
  ctx: CheckContext,
  findings: Findings,
  operation: OperationSpec,
  path: string,
  query: Record<string, string>,
  { violation, named }: { violation: Violation; named: boolean },
  snapshot?: Snapshot,
): Promise<void> {
  const before = violation.body && snapshot ? await snapshot() : undefined;
  const label = `invalid request (${violation.describe})`;
  const answer = await ctx.client.send({
    method: operation.method,
    path: withQuery(path, { ...query, ...violation.query }),
    ...bodyCall(ctx, operation, violation.body),
  });
  if (findings.expect(answer.status === 400, `${label}: expected 400, got ${answer.status} ${summary(answer)}`)) {
    expectBodyMatches(ctx, findings, operation, answer, label);
    if (named) expectNamed(findings, answer, violation, label);
  }
  if (before !== undefined) {
    const after = await snapshot!();
    findings.expect(after === before, `${label}: the rejected write changed the data (read before and after differ)`);
  }
}

/** The 400 body names the offending field, with one of the messages expected for it (when known). */
function expectNamed(findings: Findings, answer: Answer, violation: Violation, label: string): void {
  const said =
    typeof answer.body === 'object' && answer.body !== null ? (answer.body as Record<string, unknown>)[violation.field] : undefined;
  if (
    !findings.expect(said !== undefined, `${label}: the 400 body does not name "${violation.field}": ${summary(answer)}`) ||
    !violation.messages
  )
    return;
  const messages = (Array.isArray(said) ? said : [said]).map(String);
  findings.expect(
    messages.some((m) => violation.messages!.includes(m)),
    `${label}: the 400 body says ${JSON.stringify(said)} for "${violation.field}"; django-filter says ${violation.messages.map((m) => `"${m}"`).join(' or ')}`,
  );
}

/** Creates a record through the resource's create operation; its path, to delete again, or why not. */
async function createDisposable(ctx: CheckContext, findings: Findings, create: OperationSpec, label: string): Promise<Answer | undefined> {
  const list = ctx.client.url(create.server, create.path);
  const sample = await ctx.client.send({ method: 'GET', path: withQuery(list, { ...listQuery(ctx, create.path), page_size: '1' }) });
  const record = recordsOf(sample.body)[0];
  const body = uniqueVariant(
    ctx.contract,
    create,
    bodyFromRecord(ctx.contract, create, record, ctx.seed),
    `contract-${ctx.seed}-${Date.now() % 100000}`,
  );
  const answer = await ctx.client.send({
    method: 'POST',
    path: withQuery(list, requiredQuery(ctx.contract, create, ctx.seed)),
    ...bodyCall(ctx, create, body),
  });
  return expectSuccess(ctx, findings, create, answer, label) ? answer : undefined;
}

/** The required query of the list operation at a collection path (none when there is no list). */
function listQuery(ctx: CheckContext, collection: string): Record<string, string> {
  const list = listOperationAt(ctx.contract, collection);
  return list ? requiredQuery(ctx.contract, list, ctx.seed) : {};
}

function itemPathOf(ctx: CheckContext, role: OperationRole, created: Answer): string | undefined {
  if (!('resource' in role) || !role.resource?.lookupParam || !role.resource.operations.destroy) return undefined;
  const record = created.body as Record<string, unknown>;
  const key = record[role.resource.lookupField] ?? record['pk'];
  const destroy = role.resource.operations.destroy;
  return key === undefined
    ? undefined
    : ctx.client.url(destroy.server, fillPath(destroy.path, { [role.resource.lookupParam]: String(key) }));
}

/** Every check of one operation, in the order a reader would want them. */
export async function checkOperation(ctx: CheckContext, operation: OperationSpec): Promise<Outcome> {
  const findings = new Findings();
  const role = ctx.roles.get(operation.operationId) ?? { kind: 'action' as const, onItem: false };
  const isWrite = operation.method !== 'GET' && operation.method !== 'HEAD';
  const which = isWrite ? 'last' : 'first';
  let keys = await ctx.keys.keysFor(operation, which);
  // An empty collection with --allow-writes: a record created for the check, deleted after it.
  const made = 'emptyList' in keys && keys.emptyList && ctx.allowWrites ? await makeDisposable(ctx, keys.emptyList) : undefined;
  if (made && 'cleanup' in made) {
    ctx.keys.forget();
    keys = await ctx.keys.keysFor(operation, which);
  }
  await checkAuth(
    ctx,
    findings,
    operation,
    ctx.client.url(operation.server, fillPath(operation.path, 'params' in keys ? keys.params : {}, '1')),
  );
  const done = (skipped?: string): Outcome =>
    skipped ? { problems: findings.problems, checks: findings.checks, skipped } : { problems: findings.problems, checks: findings.checks };
  try {
    if ('reason' in keys)
      return done(made && 'problem' in made ? `${keys.reason}; creating one to check failed: ${made.problem}` : keys.reason);
    if (isWrite && !ctx.allowWrites) return done('writes are checked only with --allow-writes (authentication was checked)');
    const path = ctx.client.url(operation.server, fillPath(operation.path, keys.params));
    const query = requiredQuery(ctx.contract, operation, ctx.seed);
    if (role.kind === 'destroy') return done(await checkDestroy(ctx, findings, operation, role));
    if (role.kind === 'create') return done(await checkCreate(ctx, findings, operation, role, path, query));
    const read = isWrite ? readerFor(ctx, operation, path, keys.found) : undefined;
    if (operation.method === 'PUT' || operation.method === 'PATCH')
      return done(await checkUpdate(ctx, findings, operation, path, query, read));
    if (isWrite) return done(await checkAction(ctx, findings, operation, path, query, read));
    return done(await checkRead(ctx, findings, operation, path, query));
  } finally {
    if (made && 'cleanup' in made) await ctx.client.send({ method: 'DELETE', path: made.cleanup });
    if (isWrite || made) ctx.keys.forget();
  }
}

/**
 * A record created in an empty collection so that operations on its records can be checked: only where the
 * collection can delete it again. Its path to delete, or why it could not be made.
 */
async function makeDisposable(ctx: CheckContext, list: OperationSpec): Promise<{ cleanup: string } | { problem: string } | undefined> {
  const role = ctx.roles.get(list.operationId);
  const resource = role && 'resource' in role ? role.resource : undefined;
  const create = resource?.operations.create;
  if (!resource || !create || !resource.operations.destroy) return undefined;
  const attempt = new Findings();
  const created = await createDisposable(ctx, attempt, create, create.operationId);
  const cleanup = created && itemPathOf(ctx, { kind: 'create', resource }, created);
  if (cleanup) return { cleanup };
  return { problem: attempt.problems[0] ?? 'the created record has no key to delete it by' };
}

async function checkRead(
  ctx: CheckContext,
  findings: Findings,
  operation: OperationSpec,
  path: string,
  query: Record<string, string>,
): Promise<undefined> {
  const answer = await ctx.client.send({ method: 'GET', path: withQuery(path, query) });
  expectSuccess(ctx, findings, operation, answer, 'valid request');
  if (listShape(ctx.contract, successSchema(operation)?.schema)?.paginated) {
    await checkPagination(ctx, findings, path, query);
    const first = answer.status === 200 ? recordsOf(answer.body)[0] : undefined;
    if (first) await checkFilters(ctx, findings, operation, path, query, first);
  }
  for (const violation of applicableViolations(ctx, operation, {})) await checkViolation(ctx, findings, operation, path, query, violation);
  return undefined;
}

/** A filter given a value of the first record answers only records with that value (and at least that one). */
async function checkFilters(
  ctx: CheckContext,
  findings: Findings,
  operation: OperationSpec,
  path: string,
  query: Record<string, string>,
  first: Record<string, unknown>,
): Promise<void> {
  for (const probe of filterProbes(ctx.contract, operation, first)) {
    const label = `filter "${probe.name}=${probe.value}" (from the first record)`;
    const answer = await ctx.client.send({
      method: 'GET',
      path: withQuery(path, { ...query, [probe.name]: probe.value, page_size: String(FILTERED_PAGE_SIZE) }),
    });
    if (!findings.expect(answer.status === 200, `${label}: expected 200, got ${answer.status} ${summary(answer)}`)) continue;
    const records = recordsOf(answer.body);
    if (!findings.expect(records.length > 0, `${label}: the list is empty, but the first record has that value`)) continue;
    const others = records.filter((r) => !probe.matches(r));
    const how = probe.match === 'exact' ? 'another' : 'a';
    findings.expect(
      others.length === 0,
      `${label}: ${others.length} of ${records.length} records have ${how} "${probe.name}"${probe.match === 'contains' ? ' not containing it' : ''} (e.g. ${JSON.stringify(others[0]?.[probe.name])}): the filter does not filter`,
    );
  }
}

/**
 * A PUT/PATCH sends the record's own values back (changing nothing; required write-only fields generated), then
 * each invalid variant, reading the record around it. The record is read from a GET of its path, or from the list
 * it was found in when there is no GET: never written to blind.
 */
async function checkUpdate(
  ctx: CheckContext,
  findings: Findings,
  operation: OperationSpec,
  path: string,
  query: Record<string, string>,
  read: (() => Promise<RecordRead>) | undefined,
): Promise<string | undefined> {
  if (!read) {
    if (!operation.path.includes('{'))
      return `cannot read what this write changes (no GET and no list at ${operation.path}): a blind write could damage data`;
    return 'cannot read the record before writing to it (no GET on this path or its item, and no list to find it in): a blind write could damage data';
  }
  const current = await read();
  if (!findings.expect('record' in current, `reading the record before writing: ${'problem' in current ? current.problem : ''}`))
    return undefined;
  const body = bodyFromRecord(ctx.contract, operation, (current as { record: Record<string, unknown> }).record, ctx.seed);
  await sendExpectingSuccess(ctx, findings, operation, {
    method: operation.method,
    path: withQuery(path, query),
    ...bodyCall(ctx, operation, body),
  });
  const snapshot = snapshotOf(read);
  for (const violation of applicableViolations(ctx, operation, body))
    await checkViolation(ctx, findings, operation, path, query, violation, snapshot);
  return undefined;
}

async function checkCreate(
  ctx: CheckContext,
  findings: Findings,
  operation: OperationSpec,
  role: OperationRole,
  path: string,
  query: Record<string, string>,
): Promise<undefined> {
  const created = await createDisposable(ctx, findings, operation, 'valid request');
  const cleanup = created && itemPathOf(ctx, role, created);
  if (cleanup) await ctx.client.send({ method: 'DELETE', path: cleanup });
  const base = bodyFromRecord(ctx.contract, operation, created?.body as Record<string, unknown> | undefined, ctx.seed);
  const listed = withQuery(path, { ...listQuery(ctx, operation.path), page_size: '1000' });
  const snapshot: Snapshot = async () => {
    const answer = await ctx.client.send({ method: 'GET', path: listed });
    return answer.status === 200 ? answer.text : undefined;
  };
  for (const violation of applicableViolations(ctx, operation, base))
    await checkViolation(ctx, findings, operation, path, query, violation, snapshot);
  return undefined;
}

/** Other writes (actions): the documented success for a generated body, and a 400 for each invalid one. */
async function checkAction(
  ctx: CheckContext,
  findings: Findings,
  operation: OperationSpec,
  path: string,
  query: Record<string, string>,
  read: (() => Promise<RecordRead>) | undefined,
): Promise<undefined> {
  const body = requestMedia(operation) ? bodyFromRecord(ctx.contract, operation, undefined, ctx.seed) : undefined;
  await sendExpectingSuccess(ctx, findings, operation, {
    method: operation.method,
    path: withQuery(path, query),
    ...bodyCall(ctx, operation, body),
  });
  const snapshot = snapshotOf(read);
  for (const violation of applicableViolations(ctx, operation, body ?? {}))
    await checkViolation(ctx, findings, operation, path, query, violation, snapshot);
  return undefined;
}

async function sendExpectingSuccess(ctx: CheckContext, findings: Findings, operation: OperationSpec, call: Call): Promise<void> {
  expectSuccess(ctx, findings, operation, await ctx.client.send(call), 'valid request');
}

/** DELETE only ever removes a record the harness created itself; without a create operation it is skipped. */
async function checkDestroy(
  ctx: CheckContext,
  findings: Findings,
  operation: OperationSpec,
  role: OperationRole,
): Promise<string | undefined> {
  const create = 'resource' in role ? role.resource?.operations.create : undefined;
  if (!create) return 'would delete existing data: the resource has no create operation to make a disposable record';
  const created = await createDisposable(ctx, findings, create, `creating a record to delete (${create.operationId})`);
  const path = created && itemPathOf(ctx, role, created);
  if (!path) return created ? 'the created record has no key to delete it by' : undefined;
  const answer = await ctx.client.send({ method: 'DELETE', path });
  if (expectSuccess(ctx, findings, operation, answer, 'valid request') && readableAt(ctx, operation.path)) {
    const again = await ctx.client.send({ method: 'GET', path });
    findings.expect(again.status === 404, `after DELETE the record still answers ${again.status}`);
  }
  return undefined;
}
