import { coercePathKey, type RawQuery } from '../contract/query-parameters.js';
import { isPlainObject, type JsonSchema, type OperationSpec } from '../contract/types.js';
import { listShape, successSchema, type Resource } from '../world/resources.js';
import type { WorldRecord } from '../world/store.js';
import type { Principal, World } from '../world/world.js';
import { forbidden, isMockResponse, json, noContent, notFoundFor, validationError, type MockResponse } from './http.js';
import { selectRecords } from './list-query.js';
import { paginate } from './pagination.js';
import { canSee, canWrite } from './permissions.js';
import { commitWrite, prepareWrite, type PreparedWrite } from './writes.js';
import type { DrfErrors } from '../contract/drf-errors.js';

/** What every operation handler gets: the matched operation, its path keys, query, caller, and the parsed body. */
export interface OperationCall {
  world: World;
  operation: OperationSpec;
  pathParams: Record<string, string>;
  query: RawQuery;
  principal: Principal;
  body: () => Promise<{ value: unknown; mediaType: string | undefined } | MockResponse>;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The record an item path names, or the 404 Django gives (also for a key of the wrong shape). */
function findRecord(call: OperationCall, resource: Resource): WorldRecord | MockResponse {
  const raw = call.pathParams[resource.lookupParam ?? ''] ?? '';
  const parameter = call.operation.parameters.find((p) => p.in === 'path' && p.name === resource.lookupParam);
  const key = coercePathKey(raw, parameter?.schema ?? { type: 'string' });
  const record = key === undefined ? undefined : call.world.table(resource.entity).find(resource.lookupField, key);
  if (!record) return notFoundFor(resource.modelName);
  return canSee(call.world, call.principal, call.world.entity(resource.entity), record) ? record : forbidden();
}

function render(call: OperationCall, resource: Resource, record: WorldRecord, schema: JsonSchema | undefined): unknown {
  return call.world.renderer.render(resource.entity, record, schema ? call.world.contract.resolve(schema) : undefined);
}

export function list(call: OperationCall, resource: Resource): MockResponse {
  const { world, operation, query } = call;
  const shape = listShape(world.contract, successSchema(operation)?.schema);
  const entity = world.entity(resource.entity);
  const visible = world.table(resource.entity).all().filter((r) => canSee(world, call.principal, entity, r));
  const selected = selectRecords(world, entity, operation, query, visible);
  if ('errors' in selected) return validationError(selected.errors);
  const view = shape ? world.contract.resolve(shape.items) : undefined;
  const show = (record: WorldRecord) => world.renderer.render(resource.entity, record, view);
  if (!shape?.paginated) return json(200, selected.records.map(show));
  const page = paginate(selected.records, query['page']?.at(-1), query['page_size']?.at(-1));
  if (isMockResponse(page)) return page;
  return json(200, { pagination: page.pagination, results: page.page.map(show) });
}

export function retrieve(call: OperationCall, resource: Resource): MockResponse {
  const record = findRecord(call, resource);
  if (isMockResponse(record)) return record;
  return json(200, render(call, resource, record, successSchema(call.operation)?.schema));
}

interface CheckedBody {
  body: Record<string, unknown>;
  schema: JsonSchema;
  /** Schema violations; the caller adds what only the world can tell (missing links, taken keys) before answering. */
  errors?: DrfErrors;
}

/** The request body, parsed and checked against its schema as DRF would; a 4xx response when it cannot be read. */
async function checkedBody(call: OperationCall, partialUpdate: boolean): Promise<CheckedBody | MockResponse> {
  const parsed = await call.body();
  if (isMockResponse(parsed)) return parsed;
  const mediaType = parsed.mediaType ?? Object.keys(call.operation.requestBody?.content ?? {})[0] ?? 'application/json';
  const schema = call.operation.requestBody?.content[mediaType]?.schema ?? {};
  const errors = call.world.contract.validateRequestBody(call.operation, mediaType, parsed.value, partialUpdate);
  if (errors && !isPlainObject(parsed.value)) return validationError(errors);
  const body = isPlainObject(parsed.value) ? parsed.value : {};
  return errors ? { body, schema, errors } : { body, schema };
}

/** Applies a checked body to `base`: all problems at once (schema and world), or the write ready to commit. */
function writeOrErrors(call: OperationCall, resource: Resource, base: WorldRecord, checked: CheckedBody): PreparedWrite | MockResponse {
  const schemaErrors = checked.errors ?? {};
  const valid = Object.fromEntries(Object.entries(checked.body).filter(([field]) => !Object.hasOwn(schemaErrors, field)));
  const write = prepareWrite(call.world, resource, base, valid, checked.schema);
  const errors = { ...schemaErrors, ...('errors' in write ? write.errors : {}) };
  if (Object.keys(errors).length > 0) return validationError(errors);
  return write as PreparedWrite;
}

export async function update(call: OperationCall, resource: Resource, partialUpdate: boolean): Promise<MockResponse> {
  const record = findRecord(call, resource);
  if (isMockResponse(record)) return record;
  if (!canWrite(call.principal)) return forbidden();
  const checked = await checkedBody(call, partialUpdate);
  if (isMockResponse(checked)) return checked;
  const write = writeOrErrors(call, resource, record, checked);
  if (isMockResponse(write)) return write;
  commitWrite(call.world, resource.entity, write);
  return json(200, render(call, resource, write.record, successSchema(call.operation)?.schema));
}

export async function create(call: OperationCall, resource: Resource): Promise<MockResponse> {
  if (!canWrite(call.principal)) return forbidden();
  const checked = await checkedBody(call, false);
  if (isMockResponse(checked)) return checked;
  const { world } = call;
  // Prepared on a blank record: a rejected create must not advance the world's sequence either.
  const draft = writeOrErrors(call, resource, { pk: null }, checked);
  if (isMockResponse(draft)) return draft;
  const table = world.table(resource.entity);
  const fresh = world.newRecord(table);
  world.linkRecord(table, fresh);
  const { pk: _blank, ...sent } = draft.record;
  const write: PreparedWrite = { record: { ...fresh, ...sent }, inverse: draft.inverse };
  commitWrite(world, resource.entity, write);
  const success = successSchema(call.operation);
  return json(Number(success?.status ?? 201), render(call, resource, write.record, success?.schema));
}

export function destroy(call: OperationCall, resource: Resource): MockResponse {
  const record = findRecord(call, resource);
  if (isMockResponse(record)) return record;
  if (!canWrite(call.principal)) return forbidden();
  call.world.destroy(resource.entity, record['pk'] as string | number);
  return noContent(Number(successSchema(call.operation)?.status ?? 204));
}

/**
 * Anything that is not CRUD answers its documented success with a body generated from the schema, stable per seed
 * and path; an action on one record first finds that record (404/403 as a retrieve would).
 */
export async function action(call: OperationCall, resource: Resource | undefined): Promise<MockResponse> {
  const { world, operation } = call;
  const record = resource ? findRecord(call, resource) : undefined;
  if (isMockResponse(record)) return record;
  if (WRITE_METHODS.has(operation.method) && !canWrite(call.principal)) return forbidden();
  if (operation.requestBody) {
    const checked = await checkedBody(call, operation.method === 'PATCH');
    if (isMockResponse(checked)) return checked;
    if (checked.errors) return validationError(checked.errors);
  }
  const success = successSchema(operation);
  if (!success) return json(200, {});
  if (!success.schema) return noContent(Number(success.status));
  const status = Number(success.status);
  if (resource && record && sameComponent(success.schema, resource, world)) return json(status, render(call, resource, record, success.schema));
  const secret = resource && record ? revealedKey(world, resource, record, success.schema) : undefined;
  if (secret !== undefined) return json(status, { key: secret });
  const key = `${operation.operationId}:${JSON.stringify(call.pathParams)}`;
  const shape = listShape(world.contract, success.schema);
  if (shape?.paginated) {
    const items = Array.from({ length: 3 }, (_, i) => world.stableValue(shape.items, `${key}:${i}`));
    const page = paginate(items, call.query['page']?.at(-1), call.query['page_size']?.at(-1));
    return isMockResponse(page) ? page : json(status, { pagination: page.pagination, results: page.page });
  }
  return json(status, world.stableValue(success.schema, key));
}

/** A token action whose answer is only `{key}` (authentik's view_key) shows the key that really authenticates. */
function revealedKey(world: World, resource: Resource, record: WorldRecord, schema: JsonSchema): string | undefined {
  if (world.tokenEntity?.name !== resource.entity) return undefined;
  const fields = world.contract.resolve(schema)['properties'];
  if (!isPlainObject(fields) || Object.keys(fields).join() !== 'key') return undefined;
  return world.keyOf(resource.entity, record['pk'] as string | number);
}

function sameComponent(schema: JsonSchema, resource: Resource, world: World): boolean {
  return world.contract.resolve(schema) === world.entity(resource.entity).schema;
}
