import { allowsAnonymous } from '../contract/operation-shapes.js';
import { jsonMedia, type Contract } from '../contract/contract.js';
import { componentName, isPlainObject, propertiesOf, type OperationSpec } from '../contract/types.js';
import { listShape, successSchema } from '../contract/operation-shapes.js';
import type { OperationRole, Resource } from '../contract/resources.js';
import { excerpt, findingText, firstDifference, valueAt, type ContractFinding } from './findings.js';
import type { Answer, Call, FilePart, HttpClient } from './http-client.js';
import { fillPath, recordsOf, type FoundKey, type PathKeyFinder } from './path-keys.js';
import {
  bodyFromRecord,
  fileFields,
  invalidRequests,
  listOperationAt,
  filterProbes,
  MULTIPART_TYPE,
  requestMedia,
  requiredQuery,
  resourcesOf,
  uniqueVariant,
  type InvalidRequest,
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
  findings: ContractFinding[];
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

/** A finding as a check states it: the operation is added by `Findings`. */
type Found = Omit<ContractFinding, 'operationId'>;

/** Collects what one operation's checks found. */
class Findings {
  readonly found: ContractFinding[] = [];
  checks = 0;

  constructor(private readonly operationId: string) {}

  /** Counts a check; when it failed, records what `found` says (made only then). */
  expect(ok: boolean, found: () => Found | Found[]): boolean {
    this.checks++;
    if (!ok) for (const one of [found()].flat()) this.found.push({ operationId: this.operationId, ...one });
    return ok;
  }
}

/** A finding about an answer's status. */
function statusFinding(check: string, answer: Answer, expected: string, note?: string): Found {
  const found: Found = { kind: 'status', check, request: answer.request, status: answer.status, expected, received: answer.status };
  if (answer.text !== '') found.excerpt = excerpt(answer.text);
  if (note) found.note = note;
  return found;
}

/** A finding about what an answer's body holds at `pointer`. */
function bodyFinding(kind: ContractFinding['kind'], check: string, answer: Answer, pointer: string, expected: string): Found {
  return { kind, check, request: answer.request, status: answer.status, pointer, expected, received: valueAt(answer.body, pointer) };
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
  const violations = ctx.contract.validateResponse(operation.operationId, answer.status, answer.body);
  return findings.expect(violations.length === 0, () =>
    violations.slice(0, MAX_VIOLATIONS_SHOWN).map((v) => bodyFinding('schema', label, answer, v.path, v.expected)),
  );
}

/** The answer has a documented 2xx status and its body validates against that status's schema. */
function expectSuccess(ctx: CheckContext, findings: Findings, operation: OperationSpec, answer: Answer, label: string): boolean {
  const documented = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
  const expected = documented.join('/') || 'a documented status';
  if (!findings.expect(documented.includes(String(answer.status)), () => statusFinding(label, answer, expected))) return false;
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
  // An operation that lists an empty requirement (`{}`) answers anyone; a bad key is still refused.
  const anonymous = allowsAnonymous(operation);
  const cases: Array<[string, string | null]> = [
    ...(anonymous ? [] : [['without credentials', null] as [string, null]]),
    ['with a bad key', 'Bearer authentik-mock-not-a-valid-key'],
  ];
  // Both are refused without being run (a 403 changes nothing), so they are sent at once; checked in order.
  const answers = await Promise.all(cases.map(([, authorization]) => ctx.client.send({ method: operation.method, path, authorization })));
  for (const [i, [label]] of cases.entries()) {
    const answer = answers[i]!;
    const note = answer.status === 401 ? 'authentik answers 403: it sends no WWW-Authenticate challenge' : undefined;
    if (findings.expect(answer.status === 403, () => statusFinding(label, answer, '403', note)))
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
  const firstPage = `pagination (page 1 of page_size ${PAGE_SIZE})`;
  if (!findings.expect(current.status === 200, () => statusFinding(firstPage, current, '200'))) return;
  const first = pagination(current);
  if (!findings.expect(!!first, () => bodyFinding('pagination', firstPage, current, '/pagination', 'a pagination object'))) return;
  const count = first!['count']!;
  const totalPages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  findings.expect(first!['total_pages'] === totalPages, () => ({
    ...bodyFinding('pagination', firstPage, current, '/pagination/total_pages', String(totalPages)),
    note: `count ${count} at page_size ${PAGE_SIZE}`,
  }));
  for (let n = 1; n <= Math.min(totalPages, PAGES_FOLLOWED); n++) {
    if (n > 1) current = await page(n);
    const p = pagination(current);
    const results = (current.body as { results?: unknown[] } | undefined)?.results ?? [];
    const check = `pagination (page ${n} of page_size ${PAGE_SIZE})`;
    const answered = current;
    if (!findings.expect(current.status === 200 && !!p, () => statusFinding(check, answered, '200 with a pagination object'))) return;
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
    findings.expect(wrong.length === 0, () =>
      wrong.map(([key, value]) => bodyFinding('pagination', check, answered, `/pagination/${key}`, String(value))),
    );
    const held = Math.min(PAGE_SIZE, Math.max(0, count - (n - 1) * PAGE_SIZE));
    findings.expect(results.length === held, () => ({
      ...bodyFinding('pagination', check, answered, '/results', `${held} results`),
      received: `${results.length} results`,
      note: `count ${count}`,
    }));
  }
  const past = await page(totalPages + 1);
  findings.expect(past.status === 404, () =>
    statusFinding(`pagination (page ${totalPages + 1}, past the end)`, past, '404', 'authentik answers "Invalid page."'),
  );
}

/** What a write could change, read as JSON: compared before and after a rejected write (undefined: unreadable). */
type Snapshot = () => Promise<{ body: unknown; text: string } | undefined>;

/**
 * Reads what the refused writes of one operation could change, around each of them. The reading after one write is
 * the reading before the next when nothing was sent in between: the same request, answered by the same state.
 */
class Watch {
  private last: { body: unknown; text: string } | undefined;

  constructor(private readonly read: Snapshot) {}

  async before(): Promise<{ body: unknown; text: string } | undefined> {
    this.last ??= await this.read();
    return this.last;
  }

  async after(): Promise<{ body: unknown; text: string } | undefined> {
    this.last = await this.read();
    return this.last;
  }

  /** A request this watch did not see was sent: the next write is read before again. */
  forget(): void {
    this.last = undefined;
  }
}

/** The record an operation writes to, read as a client would: the current values, or what went wrong reading it. */
type RecordRead = { record: Record<string, unknown>; text: string } | { problem: Found };

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
  const check = 'reading the record the write changes';
  const viaGet = (target: string) => async (): Promise<RecordRead> => {
    const answer = await ctx.client.send({ method: 'GET', path: target });
    if (answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null)
      return { problem: statusFinding(check, answer, '200 with the record') };
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
    if (record) return { record, text: JSON.stringify(record) };
    const list = { method: 'GET', url: ctx.client.url(operation.server, key.list!.path) };
    const expected = `the record with ${key.field} ${JSON.stringify(key.value)}`;
    return { problem: { kind: 'record-gone', check, request: list, pointer: '/results', expected, received: undefined } };
  };
}

function watchOf(read: (() => Promise<RecordRead>) | undefined): Watch | undefined {
  if (!read) return undefined;
  return new Watch(async () => {
    const current = await read();
    return 'record' in current ? { body: current.record, text: current.text } : undefined;
  });
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
function applicableInvalidRequests(
  ctx: CheckContext,
  operation: OperationSpec,
  validBody: Record<string, unknown>,
): Array<{ invalid: InvalidRequest; named: boolean }> {
  const doc = badRequestDoc(ctx, operation);
  return invalidRequests(ctx.contract, operation, validBody)
    .filter((v) => v.query || doc === 'fields' || (doc === 'opaque' && v.constraint === 'required'))
    .map((invalid) => ({ invalid, named: !!invalid.query || doc === 'fields' }));
}

async function checkInvalidRequest(
  ctx: CheckContext,
  findings: Findings,
  operation: OperationSpec,
  path: string,
  query: Record<string, string>,
  { invalid, named }: { invalid: InvalidRequest; named: boolean },
  watch?: Watch,
): Promise<void> {
  const watched = invalid.body && watch;
  if (watch && !watched) watch.forget();
  const before = watched ? await watch.before() : undefined;
  const label = `invalid request (${invalid.describe})`;
  const answer = await ctx.client.send({
    method: operation.method,
    path: withQuery(path, { ...query, ...invalid.query }),
    ...bodyCall(ctx, operation, invalid.body),
  });
  if (findings.expect(answer.status === 400, () => statusFinding(label, answer, '400'))) {
    expectBodyMatches(ctx, findings, operation, answer, label);
    if (named) expectNamed(findings, answer, invalid, label);
  }
  if (before !== undefined) {
    const after = await watch!.after();
    const changed = after === undefined ? '' : after.text === before.text ? undefined : firstDifference(before.body, after.body);
    findings.expect(changed === undefined, () => ({
      kind: 'state-changed',
      check: label,
      request: answer.request,
      status: answer.status,
      pointer: changed ?? '',
      expected: `${shownJson(valueAt(before.body, changed ?? ''))}, as before the refused write`,
      received: after === undefined ? undefined : valueAt(after.body, changed ?? ''),
      note: after === undefined ? 'the record could not be read after the write' : 'a refused write changes nothing',
    }));
  }
}

function shownJson(value: unknown): string {
  return value === undefined ? 'nothing' : excerpt(JSON.stringify(value));
}

/** The 400 body names the offending field, with one of the messages expected for it (when known). */
function expectNamed(findings: Findings, answer: Answer, invalid: InvalidRequest, label: string): void {
  const pointer = `/${invalid.field.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const said = valueAt(answer.body, pointer);
  const named = findings.expect(said !== undefined, () => ({
    ...bodyFinding('field-not-named', label, answer, pointer, 'the field named'),
    excerpt: excerpt(answer.text),
  }));
  if (!named || !invalid.messages) return;
  const messages = (Array.isArray(said) ? said : [said]).map(String);
  findings.expect(
    messages.some((m) => invalid.messages!.includes(m)),
    () => ({
      ...bodyFinding('message', label, answer, pointer, invalid.messages!.map((m) => JSON.stringify(m)).join(' or ')),
      note: invalid.query ? "django-filter's message" : "DRF's message",
    }),
  );
}

/** What a create made: its answer, and the key of the record it made when one could be found. */
interface Created {
  answer: Answer;
  key?: string;
}

/**
 * Creates a record through the resource's create operation: the answer, and the new record's key — read from the
 * answer (the record, or the record inside another component), else, when the answer's schema shows no key (a
 * `Link`), the one key the collection's list holds after the create and did not before.
 */
async function createDisposable(ctx: CheckContext, findings: Findings, create: OperationSpec, label: string): Promise<Created | undefined> {
  const list = ctx.client.url(create.server, create.path);
  const sample = await ctx.client.send({ method: 'GET', path: withQuery(list, { ...listQuery(ctx, create.path), page_size: '1' }) });
  const record = recordsOf(sample.body)[0];
  const body = uniqueVariant(
    ctx.contract,
    create,
    bodyFromRecord(ctx.contract, create, record, ctx.seed),
    `contract-${ctx.seed}-${Date.now() % 100000}`,
  );
  const resource = resourceOf(ctx, create);
  const before = resource && !answerShowsKey(ctx, create, resource) ? await listedKeys(ctx, create, resource) : undefined;
  const answer = await ctx.client.send({
    method: 'POST',
    path: withQuery(list, requiredQuery(ctx.contract, create, ctx.seed)),
    ...bodyCall(ctx, create, body),
  });
  if (!expectSuccess(ctx, findings, create, answer, label)) return undefined;
  const shown = resource && keyShown(ctx, create, resource, answer.body);
  if (shown !== undefined || !before) return shown === undefined ? { answer } : { answer, key: shown };
  const after = await listedKeys(ctx, create, resource!);
  const fresh = after ? [...after].filter((key) => !before.has(key)) : [];
  return fresh.length === 1 ? { answer, key: fresh[0]! } : { answer };
}

/** The resource a create operation adds to. */
function resourceOf(ctx: CheckContext, create: OperationSpec): Resource | undefined {
  const role = ctx.roles.get(create.operationId);
  return role && 'resource' in role ? role.resource : undefined;
}

/** The record's key as a create's answer shows it: at the top (the record), or in the property that is the record. */
function keyShown(ctx: CheckContext, create: OperationSpec, resource: Resource, body: unknown): string | undefined {
  const keyOf = (record: unknown) => (isPlainObject(record) ? (record[resource.lookupField] ?? record['pk']) : undefined);
  const field = recordField(ctx, create, resource);
  const key = keyOf(body) ?? (field !== undefined && isPlainObject(body) ? keyOf(body[field]) : undefined);
  return key === undefined || key === null ? undefined : String(key);
}

/**
 * The property of a create's answer that shows the created record, when the answer is another component than the
 * record (authentik's `AgentCreated` shows it as `agent`): the property whose schema is the record's component.
 */
function recordField(ctx: CheckContext, create: OperationSpec, resource: Resource): string | undefined {
  const schema = successSchema(create)?.schema;
  const properties = schema ? propertiesOf(ctx.contract.resolve(schema)) : {};
  return Object.keys(properties).find(
    (field) => properties[field]!.type !== 'array' && componentName(properties[field]) === resource.entity,
  );
}

/** Whether the create's documented answer holds the record's key (itself, or the record inside it). */
function answerShowsKey(ctx: CheckContext, create: OperationSpec, resource: Resource): boolean {
  const schema = successSchema(create)?.schema;
  const fields = schema ? propertiesOf(ctx.contract.resolve(schema)) : {};
  return resource.lookupField in fields || 'pk' in fields || recordField(ctx, create, resource) !== undefined;
}

const KEYS_PAGE_SIZE = 1000;

/** The keys of every record of the collection's list (undefined when it cannot be read whole in one page). */
async function listedKeys(ctx: CheckContext, create: OperationSpec, resource: Resource): Promise<Set<string> | undefined> {
  if (!listOperationAt(ctx.contract, create.path)) return undefined;
  const path = withQuery(ctx.client.url(create.server, create.path), { ...listQuery(ctx, create.path), page_size: String(KEYS_PAGE_SIZE) });
  const answer = await ctx.client.send({ method: 'GET', path });
  const records = answer.status === 200 ? recordsOf(answer.body) : [];
  const count = pagination(answer)?.['count'] ?? records.length;
  if (answer.status !== 200 || count > records.length) return undefined;
  return new Set(records.map((record) => String(record[resource.lookupField] ?? record['pk'])));
}

/** The required query of the list operation at a collection path (none when there is no list). */
function listQuery(ctx: CheckContext, collection: string): Record<string, string> {
  const list = listOperationAt(ctx.contract, collection);
  return list ? requiredQuery(ctx.contract, list, ctx.seed) : {};
}

/** Where the created record is deleted again (the resource's item path with its key), when it can be. */
function itemPathOf(ctx: CheckContext, role: OperationRole, created: Created): string | undefined {
  if (!('resource' in role) || !role.resource?.lookupParam || !role.resource.operations.destroy || created.key === undefined)
    return undefined;
  const destroy = role.resource.operations.destroy;
  return ctx.client.url(destroy.server, fillPath(destroy.path, { [role.resource.lookupParam]: created.key }));
}

/** What `checkOperation` answers, having sent nothing that changes state, when the check must write and others run. */
export const RUN_ALONE = Symbol('run alone');

/**
 * Every check of one operation, in the order a reader would want them. `shared`: other read-only checks run at the
 * same time, so nothing may be written: an operation that would create a record to check answers RUN_ALONE first.
 */
export async function checkOperation(
  ctx: CheckContext,
  operation: OperationSpec,
  { shared = false }: { shared?: boolean } = {},
): Promise<Outcome | typeof RUN_ALONE> {
  const findings = new Findings(operation.operationId);
  const role = ctx.roles.get(operation.operationId) ?? { kind: 'action' as const, onItem: false };
  const isWrite = operation.method !== 'GET' && operation.method !== 'HEAD';
  const which = isWrite ? 'last' : 'first';
  let keys = await ctx.keys.keysFor(operation, which);
  // An empty collection with --allow-writes: a record created for the check, deleted after it.
  const emptyList = 'emptyList' in keys && ctx.allowWrites ? keys.emptyList : undefined;
  if (emptyList && shared) return RUN_ALONE;
  const made = emptyList ? await makeDisposable(ctx, emptyList) : undefined;
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
    skipped ? { findings: findings.found, checks: findings.checks, skipped } : { findings: findings.found, checks: findings.checks };
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
  const attempt = new Findings(create.operationId);
  const created = await createDisposable(ctx, attempt, create, create.operationId);
  const cleanup = created && itemPathOf(ctx, { kind: 'create', resource }, created);
  if (cleanup) return { cleanup };
  const found = attempt.found[0];
  return { problem: found ? findingText(found) : 'the created record has no key to delete it by' };
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
  for (const invalid of applicableInvalidRequests(ctx, operation, {}))
    await checkInvalidRequest(ctx, findings, operation, path, query, invalid);
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
    if (!findings.expect(answer.status === 200, () => statusFinding(label, answer, '200'))) continue;
    const records = recordsOf(answer.body);
    const wanted = probe.match === 'exact' ? JSON.stringify(probe.value) : `text containing ${JSON.stringify(probe.value)}`;
    if (!findings.expect(records.length > 0, () => bodyFinding('filter', label, answer, '/results', 'at least the first record'))) continue;
    const others = records.map((record, index) => ({ record, index })).filter(({ record }) => !probe.matches(record));
    findings.expect(others.length === 0, () => {
      const pointer = `/results/${others[0]!.index}/${probe.name}`;
      return {
        ...bodyFinding('filter', label, answer, pointer, `"${probe.name}" ${wanted}`),
        note: `${others.length} of ${records.length} records do not match: the filter does not filter`,
      };
    });
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
  if (!findings.expect('record' in current, () => (current as { problem: Found }).problem)) return undefined;
  const body = bodyFromRecord(ctx.contract, operation, (current as { record: Record<string, unknown> }).record, ctx.seed);
  await sendExpectingSuccess(ctx, findings, operation, {
    method: operation.method,
    path: withQuery(path, query),
    ...bodyCall(ctx, operation, body),
  });
  const watch = watchOf(read);
  for (const invalid of applicableInvalidRequests(ctx, operation, body))
    await checkInvalidRequest(ctx, findings, operation, path, query, invalid, watch);
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
  const base = bodyFromRecord(ctx.contract, operation, created?.answer.body as Record<string, unknown> | undefined, ctx.seed);
  const listed = withQuery(path, { ...listQuery(ctx, operation.path), page_size: '1000' });
  const watch = new Watch(async () => {
    const answer = await ctx.client.send({ method: 'GET', path: listed });
    return answer.status === 200 ? { body: answer.body, text: answer.text } : undefined;
  });
  for (const invalid of applicableInvalidRequests(ctx, operation, base))
    await checkInvalidRequest(ctx, findings, operation, path, query, invalid, watch);
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
  const watch = watchOf(read);
  for (const invalid of applicableInvalidRequests(ctx, operation, body ?? {}))
    await checkInvalidRequest(ctx, findings, operation, path, query, invalid, watch);
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
    findings.expect(again.status === 404, () => statusFinding('reading the record after DELETE', again, '404'));
  }
  return undefined;
}
