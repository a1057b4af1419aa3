import type { Contract } from '../contract/contract.js';
import type { OperationSpec } from '../contract/types.js';
import { buildResources, listShape, successSchema, type OperationRole } from '../world/resources.js';
import type { Answer, HttpClient } from './http-client.js';
import { fillPath, recordsOf, type KeyFinder } from './keys.js';
import { bodyFromRecord, uniqueVariant, violations, type Violation } from './request-builder.js';

export interface CheckContext {
  contract: Contract;
  client: HttpClient;
  keys: KeyFinder;
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

export function rolesOf(contract: Contract): Map<string, OperationRole> {
  return buildResources(contract).roles;
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

/** The body validates against the contract's schema for the answer's status. */
function expectBodyMatches(ctx: CheckContext, findings: Findings, operation: OperationSpec, answer: Answer, label: string): boolean {
  const problems = ctx.contract.validateResponse(operation.operationId, answer.status, answer.body);
  return findings.expect(problems.length === 0, `${label}: ${answer.status} body does not match the contract: ${problems.slice(0, MAX_VIOLATIONS_SHOWN).map((p) => p.message).join('; ')}`);
}

/** The answer has a documented 2xx status and its body validates against that status's schema. */
function expectSuccess(ctx: CheckContext, findings: Findings, operation: OperationSpec, answer: Answer, label: string): boolean {
  const documented = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
  if (!findings.expect(documented.includes(String(answer.status)), `${label}: expected ${documented.join('/') || 'a documented status'}, got ${answer.status} ${summary(answer)}`)) return false;
  return expectBodyMatches(ctx, findings, operation, answer, label);
}

/** Whether the contract can read what lives at the operation's path (a GET on the same path). */
function readableAt(ctx: CheckContext, operation: OperationSpec): boolean {
  return ctx.contract.operations.some((o) => o.method === 'GET' && o.path === operation.path);
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
    if (findings.expect(answer.status === 403, `${label}: expected 403, got ${answer.status}${hint}`)) expectBodyMatches(ctx, findings, operation, answer, label);
  }
}

function pagination(answer: Answer): Record<string, number> | undefined {
  return (answer.body as { pagination?: Record<string, number> } | undefined)?.pagination;
}

/** authentik's paginator arithmetic, page by page along the `next` chain, and a 404 past the end. */
async function checkPagination(ctx: CheckContext, findings: Findings, operation: OperationSpec, path: string): Promise<void> {
  const page = (n: number) => ctx.client.send({ method: 'GET', path: `${path}?page_size=${PAGE_SIZE}&page=${n}` });
  let current = await page(1);
  if (!findings.expect(current.status === 200, `pagination: page 1 with page_size=${PAGE_SIZE} answered ${current.status}`)) return;
  const first = pagination(current);
  if (!findings.expect(!!first, 'pagination: no "pagination" object in a paginated list')) return;
  const count = first!['count']!;
  const totalPages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  findings.expect(first!['total_pages'] === totalPages, `pagination: count ${count} at page_size ${PAGE_SIZE} needs total_pages ${totalPages}, got ${first!['total_pages']}`);
  for (let n = 1; n <= Math.min(totalPages, PAGES_FOLLOWED); n++) {
    if (n > 1) current = await page(n);
    const p = pagination(current);
    const results = (current.body as { results?: unknown[] }).results ?? [];
    if (!findings.expect(current.status === 200 && !!p, `pagination: page ${n} answered ${current.status}`)) return;
    const start = count === 0 ? 0 : (n - 1) * PAGE_SIZE + 1;
    const expected = { current: n, previous: n > 1 ? n - 1 : 0, next: n < totalPages ? n + 1 : 0, count, start_index: start, end_index: count === 0 ? 0 : start + results.length - 1 };
    const wrong = Object.entries(expected).filter(([key, value]) => p![key] !== value);
    findings.expect(wrong.length === 0, `pagination: page ${n} says ${wrong.map(([k]) => `${k}=${p![k]}`).join(', ')}; expected ${wrong.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    findings.expect(results.length === Math.min(PAGE_SIZE, Math.max(0, count - (n - 1) * PAGE_SIZE)), `pagination: page ${n} holds ${results.length} results; page_size ${PAGE_SIZE} and count ${count} say ${Math.min(PAGE_SIZE, count - (n - 1) * PAGE_SIZE)}`);
  }
  const past = await page(totalPages + 1);
  findings.expect(past.status === 404, `pagination: page ${totalPages + 1} (past the end) answered ${past.status}, expected 404 "Invalid page."`);
}

/** Reads what a write could change, to compare before and after a rejected one. */
async function snapshot(ctx: CheckContext, operation: OperationSpec, path: string): Promise<string | undefined> {
  const isCreate = ctx.roles.get(operation.operationId)?.kind === 'create';
  if (!isCreate && !readableAt(ctx, operation)) return undefined;
  const answer = await ctx.client.send({ method: 'GET', path: isCreate ? `${path}?page_size=1000` : path });
  return answer.status === 200 ? answer.text : undefined;
}

async function checkViolation(ctx: CheckContext, findings: Findings, operation: OperationSpec, path: string, violation: Violation): Promise<void> {
  const query = violation.query ? `?${new URLSearchParams(violation.query).toString()}` : '';
  const before = violation.body ? await snapshot(ctx, operation, path) : undefined;
  const label = `invalid request (${violation.describe})`;
  const answer = await ctx.client.send({ method: operation.method, path: `${path}${query}`, json: violation.body });
  if (findings.expect(answer.status === 400, `${label}: expected 400, got ${answer.status} ${summary(answer)}`)) {
    expectBodyMatches(ctx, findings, operation, answer, label);
    const named = typeof answer.body === 'object' && answer.body !== null && violation.field in answer.body;
    findings.expect(named, `${label}: the 400 body does not name "${violation.field}": ${summary(answer)}`);
  }
  if (before !== undefined) {
    const after = await snapshot(ctx, operation, path);
    findings.expect(after === before, `${label}: the rejected write changed the data (read before and after differ)`);
  }
}

/** Creates a record through the resource's create operation; its path, to delete again, or why not. */
async function createDisposable(ctx: CheckContext, findings: Findings, create: OperationSpec, label: string): Promise<Answer | undefined> {
  const sample = await ctx.client.send({ method: 'GET', path: `${ctx.client.url(create.server, create.path)}?page_size=1` });
  const record = recordsOf(sample.body)[0];
  const body = uniqueVariant(ctx.contract, create, bodyFromRecord(ctx.contract, create, record, ctx.seed), `contract-${ctx.seed}-${Date.now() % 100000}`);
  const answer = await ctx.client.send({ method: 'POST', path: ctx.client.url(create.server, create.path), json: body });
  return expectSuccess(ctx, findings, create, answer, label) ? answer : undefined;
}

function itemPathOf(ctx: CheckContext, role: OperationRole, created: Answer): string | undefined {
  if (!('resource' in role) || !role.resource?.lookupParam || !role.resource.operations.destroy) return undefined;
  const record = created.body as Record<string, unknown>;
  const key = record[role.resource.lookupField] ?? record['pk'];
  const destroy = role.resource.operations.destroy;
  return key === undefined ? undefined : ctx.client.url(destroy.server, fillPath(destroy.path, { [role.resource.lookupParam]: String(key) }));
}

/** Every check of one operation, in the order a reader would want them. */
export async function checkOperation(ctx: CheckContext, operation: OperationSpec): Promise<Outcome> {
  const findings = new Findings();
  const role = ctx.roles.get(operation.operationId) ?? { kind: 'action' as const, onItem: false };
  const isWrite = operation.method !== 'GET' && operation.method !== 'HEAD';
  const keys = await ctx.keys.keysFor(operation, isWrite ? 'last' : 'first');
  await checkAuth(ctx, findings, operation, ctx.client.url(operation.server, fillPath(operation.path, 'params' in keys ? keys.params : {}, '1')));
  const done = (skipped?: string): Outcome => (skipped ? { problems: findings.problems, checks: findings.checks, skipped } : { problems: findings.problems, checks: findings.checks });
  if ('reason' in keys) return done(keys.reason);
  if (isWrite && !ctx.allowWrites) return done('writes are checked only with --allow-writes (authentication was checked)');
  const path = ctx.client.url(operation.server, fillPath(operation.path, keys.params));
  try {
    if (role.kind === 'destroy') return done(await checkDestroy(ctx, findings, operation, role));
    if (role.kind === 'create') return done(await checkCreate(ctx, findings, operation, role, path));
    if (operation.method === 'PUT' || operation.method === 'PATCH') return done(await checkUpdate(ctx, findings, operation, path));
    if (isWrite) return done(await checkAction(ctx, findings, operation, path));
    return done(await checkRead(ctx, findings, operation, path));
  } finally {
    if (isWrite) ctx.keys.forget();
  }
}

async function checkRead(ctx: CheckContext, findings: Findings, operation: OperationSpec, path: string): Promise<undefined> {
  await sendExpectingSuccess(ctx, findings, operation, { method: 'GET', path });
  if (listShape(ctx.contract, successSchema(operation)?.schema)?.paginated) await checkPagination(ctx, findings, operation, path);
  for (const violation of violations(ctx.contract, operation, {})) await checkViolation(ctx, findings, operation, path, violation);
  return undefined;
}

/** A PUT/PATCH sends the record's own values back (changing nothing), then each invalid variant, reading around it. */
async function checkUpdate(ctx: CheckContext, findings: Findings, operation: OperationSpec, path: string): Promise<string | undefined> {
  if (!readableAt(ctx, operation)) return 'cannot read the record before writing to it (no GET on this path): a blind write could damage data';
  const current = await ctx.client.send({ method: 'GET', path });
  if (!findings.expect(current.status === 200, `reading the record before writing: GET answered ${current.status}`)) return undefined;
  const body = bodyFromRecord(ctx.contract, operation, current.body as Record<string, unknown>, ctx.seed);
  await sendExpectingSuccess(ctx, findings, operation, { method: operation.method, path, json: body });
  for (const violation of violations(ctx.contract, operation, body)) await checkViolation(ctx, findings, operation, path, violation);
  return undefined;
}

async function checkCreate(ctx: CheckContext, findings: Findings, operation: OperationSpec, role: OperationRole, path: string): Promise<undefined> {
  const created = await createDisposable(ctx, findings, operation, 'valid request');
  const cleanup = created && itemPathOf(ctx, role, created);
  if (cleanup) await ctx.client.send({ method: 'DELETE', path: cleanup });
  const base = bodyFromRecord(ctx.contract, operation, created?.body as Record<string, unknown> | undefined, ctx.seed);
  for (const violation of violations(ctx.contract, operation, base)) await checkViolation(ctx, findings, operation, path, violation);
  return undefined;
}

/** Other writes (actions): the documented success for a generated body, and a 400 for each invalid one. */
async function checkAction(ctx: CheckContext, findings: Findings, operation: OperationSpec, path: string): Promise<undefined> {
  const json = operation.requestBody?.content['application/json'] ? bodyFromRecord(ctx.contract, operation, undefined, ctx.seed) : undefined;
  await sendExpectingSuccess(ctx, findings, operation, { method: operation.method, path, json });
  for (const violation of violations(ctx.contract, operation, json ?? {})) await checkViolation(ctx, findings, operation, path, violation);
  return undefined;
}

async function sendExpectingSuccess(ctx: CheckContext, findings: Findings, operation: OperationSpec, call: { method: string; path: string; json?: unknown }): Promise<void> {
  expectSuccess(ctx, findings, operation, await ctx.client.send(call), 'valid request');
}

/** DELETE only ever removes a record the harness created itself; without a create operation it is skipped. */
async function checkDestroy(ctx: CheckContext, findings: Findings, operation: OperationSpec, role: OperationRole): Promise<string | undefined> {
  const create = 'resource' in role ? role.resource?.operations.create : undefined;
  if (!create) return 'would delete existing data: the resource has no create operation to make a disposable record';
  const created = await createDisposable(ctx, findings, create, `creating a record to delete (${create.operationId})`);
  const path = created && itemPathOf(ctx, role, created);
  if (!path) return created ? 'the created record has no key to delete it by' : undefined;
  const answer = await ctx.client.send({ method: 'DELETE', path });
  if (expectSuccess(ctx, findings, operation, answer, 'valid request') && readableAt(ctx, operation)) {
    const again = await ctx.client.send({ method: 'GET', path });
    findings.expect(again.status === 404, `after DELETE the record still answers ${again.status}`);
  }
  return undefined;
}
