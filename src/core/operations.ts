import { coercePathKey, type RawQuery } from '../contract/query-parameters.js';
import { isPlainObject, propertiesOf, requiredOf, type JsonSchema, type OperationSpec } from '../contract/types.js';
import { listShape, successSchema } from '../contract/operation-shapes.js';
import { jsonMedia } from '../contract/contract.js';
import type { Resource } from '../contract/resources.js';
import type { WorldRecord } from '../contract/entity-model.js';
import type { Principal, World } from '../world/world.js';
import { forbidden, HttpError, json, jsonText, noContent, notFound, validationError, type Answer } from './http.js';
import { checkQuery, selectRecords, type Visibility } from './list-query.js';
import { paginate } from './pagination.js';
import { canSee, canWrite, SEES_ALL, visibilityFor } from './permissions.js';
import { fullListAsked, listsByAccess, policyAccess } from './policy-access.js';
import { commitWrite, prepareWrite, type PreparedWrite } from './writes.js';
import type { DrfErrors } from '../contract/drf-errors.js';
import { pkOf, type EntityType } from '../contract/entity-model.js';
import { modelDefaults } from './model-defaults.js';
import type { ParsedBody } from './request-body.js';
import { callerAnswer, isCallerPath } from './caller.js';
import type { RequestContext } from './request-context.js';
import { createdAnswer } from './created-answer.js';

/** What every operation handler gets: the matched operation, its path keys, query, caller, and the parsed body. */
export interface OperationCall {
  world: World;
  operation: OperationSpec;
  pathParams: Record<string, string>;
  query: RawQuery;
  principal: Principal;
  /** The request itself (its headers, cookies, URL), for answers that depend on more than the operation's inputs. */
  context: RequestContext;
  /** The parsed body, read on first call (throws the 413/415/400 of the parsers). */
  body: () => Promise<ParsedBody>;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The record an item path names; else the 404 Django gives (also for a key of the wrong shape). */
export function findRecord(call: OperationCall, resource: Resource): WorldRecord {
  const raw = call.pathParams[resource.lookupParam ?? ''] ?? '';
  const key = coercePathKey(raw, lookupSchema(call.operation, resource));
  const record = key === undefined ? undefined : call.world.table(resource.entity).find(resource.lookupField, key);
  // A record the caller may not see is not in their queryset: Django's 404, not a 403.
  if (!record || !canSee(call.world, call.principal, resource.type, record)) throw notFound(resource.modelName);
  return record;
}

/** The schema of the path parameter that names the record (a string when the operation does not describe it). */
function lookupSchema(operation: OperationSpec, resource: Resource): JsonSchema {
  for (const parameter of operation.parameters)
    if (parameter.in === 'path' && parameter.name === resource.lookupParam) return parameter.schema;
  return STRING;
}

const STRING: JsonSchema = Object.freeze({ type: 'string' });

/** A paginated list's body: the contract's envelope (`pagination`, `results`, and whatever else a version requires). */
function envelope(
  call: OperationCall,
  listSchema: JsonSchema | undefined,
  page: { pagination: unknown; page: unknown[] },
): Record<string, unknown> {
  const resolved = listSchema ? call.world.contract.resolve(listSchema) : undefined;
  const props = propertiesOf(resolved);
  const required = requiredOf(resolved);
  const body: Record<string, unknown> = {};
  for (const field of Object.keys(props)) {
    if (field === 'pagination') body[field] = page.pagination;
    else if (field === 'results') body[field] = page.page;
    else if (required.has(field)) body[field] = call.world.stableValue(props[field]!, `${call.operation.operationId}:${field}`);
  }
  return body;
}

function render(call: OperationCall, resource: Resource, record: WorldRecord, schema: JsonSchema | undefined): unknown {
  return call.world.renderer.render(resource.entity, record, schema ? call.world.contract.resolve(schema) : undefined);
}

/**
 * Pages up to this many records are made of kept texts; a larger one (a whole table at once: rare, and not worth
 * keeping) is rendered and stringified whole, which holds less in memory while it is made.
 */
const KEPT_PAGE_SIZE = 500;

/**
 * A list page as text: the envelope's fields in the contract's order, the records' kept texts (world.texts) for the
 * results — no stringify of records that did not change since they were last shown.
 */
export function list(call: OperationCall, resource: Resource): Answer {
  const { world, operation, query } = call;
  const shape = listShape(world.contract, successSchema(operation)?.schema);
  const entity = resource.type;
  const accessible = listsByAccess(operation) && !fullListAsked(query, call.principal.superuser) ? accessCheck(call, entity) : undefined;
  // A list by access ignores object permissions (ApplicationViewSet._filter_queryset_for_list): policies decide.
  const visibility: Visibility = accessible ? SEES_ALL : visibilityFor(world, call.principal, entity);
  const selected = selectRecords(world, entity, operation, query, visibility);
  const view = shape ? world.contract.resolve(shape.items) : undefined;
  const texts = (records: WorldRecord[]) => {
    // Joined with `+`: V8 links the pieces (no copy), and the text is copied once, when it is written out.
    let text = '[';
    for (let i = 0; i < records.length; i++) text += (i === 0 ? '' : ',') + world.texts.text(resource.entity, records[i]!, view);
    return text + ']';
  };
  const objects = (records: WorldRecord[]) => records.map((record) => world.renderer.render(resource.entity, record, view));
  if (!shape?.paginated) {
    const shown = accessible ? selected.filter(accessible) : selected;
    return shown.length > KEPT_PAGE_SIZE ? json(200, objects(shown)) : jsonText(200, texts(shown));
  }
  const page = paginate(selected, query['page']?.at(-1), query['page_size']?.at(-1));
  // authentik pages first, then drops what the caller may not access: the page's count stays the unfiltered one.
  const shown = accessible ? page.page.filter(accessible) : page.page;
  const schema = successSchema(operation)?.schema;
  if (shown.length > KEPT_PAGE_SIZE) return json(200, envelope(call, schema, { pagination: page.pagination, page: objects(shown) }));
  const body = envelope(call, schema, { pagination: page.pagination, page: [] });
  let text = '';
  for (const [field, value] of Object.entries(body))
    text += `${text ? ',' : '{'}${JSON.stringify(field)}:${field === 'results' ? texts(shown) : JSON.stringify(value)}`;
  return jsonText(200, `${text || '{'}}`);
}

/** The query parameter naming another user to evaluate access for (a superuser's view of someone's library). */
const FOR_USER = 'for_user';
/** `only_with_<field>=true`: only records whose `<field>` is set (an application with a launch URL). */
const ONLY_WITH = /^only_with_(.+)$/;

/**
 * Which records of a list by access the caller is shown: those whose policies they pass (policy-access.ts) — or,
 * with `for_user`, that user passes (a superuser may ask for anyone; for others, as in authentik, the user is
 * not found) — and, when `only_with_<field>=true` is asked (without `for_user`), that have the field set.
 */
function accessCheck(call: OperationCall, entity: EntityType): (record: WorldRecord) => boolean {
  const { world, query, principal } = call;
  const users = world.userEntity;
  const forUser = query[FOR_USER]?.at(-1);
  const named = forUser !== undefined && users ? world.table(users.name).get(Number(forUser)) : undefined;
  // authentik raises ValidationError({"for_user": "User not found"}): a plain string, as DRF keeps it in a dict.
  if (forUser !== undefined && (!principal.superuser || !named)) throw new HttpError(400, { [FOR_USER]: 'User not found' });
  const user = named ?? (users && principal.userPk !== undefined ? world.table(users.name).get(principal.userPk) : undefined);
  const required = forUser === undefined ? onlyWithFields(call) : [];
  const passes = policyAccess(world, entity, user);
  return (record) => passes(record) && required.every((field) => Boolean(world.renderer.value(entity.name, record, field)));
}

function onlyWithFields(call: OperationCall): string[] {
  return call.operation.parameters.flatMap((p) => {
    const field = p.in === 'query' ? ONLY_WITH.exec(p.name)?.[1] : undefined;
    return field && (call.query[p.name]?.at(-1) ?? '').toLowerCase() === 'true' ? [field] : [];
  });
}

export function retrieve(call: OperationCall, resource: Resource): Answer {
  const record = findRecord(call, resource);
  const schema = successSchema(call.operation)?.schema;
  return jsonText(200, call.world.texts.text(resource.entity, record, schema ? call.world.contract.resolve(schema) : undefined));
}

interface CheckedBody {
  body: Record<string, unknown>;
  schema: JsonSchema;
  /** Schema violations; the caller adds what only the world can tell (missing links, taken keys) before answering. */
  errors?: DrfErrors;
}

/** The request body, parsed and checked against its schema as DRF would (a 4xx thrown when it cannot be read). */
async function checkedBody(call: OperationCall, partialUpdate: boolean): Promise<CheckedBody> {
  const parsed = await call.body();
  const mediaType = parsed.mediaType ?? Object.keys(call.operation.requestBody?.content ?? {})[0] ?? 'application/json';
  const content = call.operation.requestBody?.content ?? {};
  const schema = (Object.hasOwn(content, mediaType) ? content[mediaType]?.schema : undefined) ?? {};
  const errors = call.world.contract.validateRequestBody(call.operation, mediaType, parsed.value, partialUpdate);
  if (errors && !isPlainObject(parsed.value)) throw validationError(errors);
  const body = isPlainObject(parsed.value) ? parsed.value : {};
  return errors ? { body, schema, errors } : { body, schema };
}

/** Applies a checked body to `base`: all problems at once (schema and world), or the write ready to commit. */
function writeOrErrors(call: OperationCall, resource: Resource, base: WorldRecord, checked: CheckedBody): PreparedWrite {
  const write = prepareWrite(call.world, resource, base, checked.body, checked.schema, checked.errors);
  if ('errors' in write) throw validationError(write.errors);
  return write;
}

export async function update(call: OperationCall, resource: Resource, partialUpdate: boolean): Promise<Answer> {
  const record = findRecord(call, resource);
  const entity = resource.type;
  if (!canWrite(call.world, call.principal, entity, record)) throw forbidden();
  const checked = await checkedBody(call, partialUpdate);
  // The body may arrive slowly: the record is found again after it, so a write deleted or changed meanwhile is
  // neither brought back nor overwritten with an old copy.
  const current = findRecord(call, resource);
  const write = writeOrErrors(call, resource, current, asOwner(call, resource, checked));
  withinBudget(call.world, resource.entity, write.record, false);
  commitWrite(call.world, resource.entity, write);
  return json(200, render(call, resource, write.record, successSchema(call.operation)?.schema));
}

/** The record budget: a write past it is a 400 that says why (and changes nothing). */
function withinBudget(world: World, entityName: string, record: WorldRecord, creating: boolean): void {
  const problem = world.budgetProblem(entityName, record, creating);
  if (problem) throw validationError({ non_field_errors: [problem] });
}

/**
 * An ordinary user writes an owned model's records as themselves, and a create that names no owner is the caller's
 * (authentik sets a token's `user` to the requesting user).
 */
function asOwner(call: OperationCall, resource: Resource, checked: CheckedBody, creating = false): CheckedBody {
  const field = call.world.profile(resource.entity).ownerField;
  if (!field) return checked;
  const errors = checked.errors ?? {};
  // A superuser names any owner; leaving out an optional one on create means the caller, a required one stays required.
  const defaulted = creating && !Object.hasOwn(checked.body, field) && !Object.hasOwn(errors, field);
  if (call.principal.superuser && !defaulted) return checked;
  const { [field]: _ownerErrors, ...otherErrors } = errors;
  const body = { ...checked.body, [field]: call.principal.userPk };
  return Object.keys(otherErrors).length > 0 ? { ...checked, body, errors: otherErrors } : { body, schema: checked.schema };
}

export async function create(call: OperationCall, resource: Resource): Promise<Answer> {
  const { world } = call;
  const entity = resource.type;
  if (!canWrite(world, call.principal, entity)) throw forbidden();
  const checked = await checkedBody(call, false);
  // Prepared on a blank record: a rejected create must not advance the world's sequence either.
  const draft = writeOrErrors(call, resource, { [entity.pkField]: null }, asOwner(call, resource, checked, true));
  const { [entity.pkField]: blank, ...sent } = draft.record;
  // A key the client chose (a slug pk) is kept; a generated one (integer, uuid) is the world's.
  const key = blank === null || blank === undefined ? {} : { [entity.pkField]: blank };
  const defaults = modelDefaults(world, entity, checked.schema, Object.keys(sent));
  const values = { ...defaults, ...sent, ...key };
  withinBudget(world, resource.entity, values, true);
  const record = world.create(resource.entity, values, draft.inverse);
  const success = successSchema(call.operation);
  const answer = success?.schema
    ? createdAnswer(world, resource.entity, record, success.schema, call.operation.operationId)
    : render(call, resource, record, undefined);
  return json(Number(success?.status ?? 201), answer);
}

export function destroy(call: OperationCall, resource: Resource): Answer {
  const record = findRecord(call, resource);
  const entity = resource.type;
  if (!canWrite(call.world, call.principal, entity, record)) throw forbidden();
  call.world.remove(resource.entity, pkOf(entity, record));
  return noContent(Number(successSchema(call.operation)?.status ?? 204));
}

/**
 * Anything that is not CRUD answers its documented success with a body generated from the schema, stable per seed
 * and path; an action on one record first finds that record (404/403 as a retrieve would).
 */
export async function action(call: OperationCall, resource: Resource | undefined): Promise<Answer> {
  const { world, operation } = call;
  const record = resource ? findRecord(call, resource) : undefined;
  const entity = resource?.type;
  if (WRITE_METHODS.has(operation.method) && !canWrite(world, call.principal, entity, record)) throw forbidden();
  const keyed = resource && record && setsTokenKey(world, resource, operation) ? { resource, record } : undefined;
  // authentik's set_key needs `set_token_key`, which a token's owner is not given (only `view_token_key`).
  if (keyed && !call.principal.superuser) throw forbidden();
  checkQuery(world, operation, call.query);
  if (operation.requestBody) {
    const checked = await checkedBody(call, operation.method === 'PATCH');
    if (checked.errors) throw validationError(checked.errors);
    if (keyed) setGivenKey(world, keyed.resource, keyed.record, checked.body['key']);
  }
  const success = successSchema(operation);
  if (!success) return json(200, {});
  if (!success.schema) return noContent(Number(success.status));
  const status = Number(success.status);
  if (resource && record && sameComponent(success.schema, resource, world))
    return json(status, render(call, resource, record, success.schema));
  const secret = resource && record ? revealedKey(world, resource, record, success.schema) : undefined;
  if (secret !== undefined) return json(status, { key: secret });
  const key = `${operation.operationId}:${JSON.stringify(call.pathParams)}`;
  const shape = listShape(world.contract, success.schema);
  if (shape?.paginated) {
    const items = Array.from({ length: 3 }, (_, i) => world.stableValue(shape.items, `${key}:${i}`));
    return json(status, envelope(call, success.schema, paginate(items, call.query['page']?.at(-1), call.query['page_size']?.at(-1))));
  }
  const generated = world.stableValue(success.schema, key);
  return json(status, isCallerPath(world, operation) ? callerAnswer(world, call.principal, success.schema, generated) : generated);
}

/** Whether the schema is a token's `{key}` and nothing else (authentik's TokenView, TokenSetKey). */
function onlyTokenKey(world: World, resource: Resource, schema: JsonSchema): boolean {
  if (world.tokenEntity?.name !== resource.entity) return false;
  const fields = world.contract.resolve(schema).properties;
  return isPlainObject(fields) && Object.keys(fields).join() === 'key';
}

/** A token action whose answer is only `{key}` (authentik's view_key) shows the key that really authenticates. */
function revealedKey(world: World, resource: Resource, record: WorldRecord, schema: JsonSchema): string | undefined {
  if (!onlyTokenKey(world, resource, schema)) return undefined;
  return world.identities.keyOf(resource.entity, pkOf(resource.type, record));
}

/** A token action whose body is only `{key}` (authentik's set_key: TokenViewSet.set_key, authentik/core/api/tokens.py). */
function setsTokenKey(world: World, resource: Resource, operation: OperationSpec): boolean {
  const schema = jsonMedia(operation.requestBody?.content)?.schema;
  return schema !== undefined && onlyTokenKey(world, resource, schema);
}

/** Gives the token the key: the old one stops authenticating at once (a key it may not take is a 400 saying why). */
function setGivenKey(world: World, resource: Resource, record: WorldRecord, key: unknown): void {
  const refused = typeof key === 'string' ? world.identities.setKey(pkOf(resource.type, record), key) : undefined;
  if (refused) throw validationError({ key: [refused] });
}

function sameComponent(schema: JsonSchema, resource: Resource, world: World): boolean {
  return world.contract.resolve(schema) === resource.type.schema;
}
