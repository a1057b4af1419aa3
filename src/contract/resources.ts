import type { Contract } from './contract.js';
import type { JsonSchema, OperationSpec } from './types.js';
import { listShape, successSchema } from './operation-shapes.js';
import { EntityModel, properties, type EntityType } from './entity-model.js';
import { linkFamilies } from './inheritance.js';

export type CrudKind = 'list' | 'create' | 'retrieve' | 'update' | 'partial_update' | 'destroy';

/** A collection path (`/core/groups/`) with its item path (`/core/groups/{group_uuid}/`), backed by one entity. */
export interface Resource {
  /** Collection path template, server-relative. */
  path: string;
  /** The entity's name (`Group`) and its type, worked out when the resources are built. */
  entity: string;
  type: EntityType;
  /** The item path's parameter (`group_uuid`) and the record field it matches (`pk`). */
  lookupParam?: string;
  lookupField: string;
  /** For 404 messages: "No Group matches the given query." */
  modelName: string;
  operations: Partial<Record<CrudKind, OperationSpec>>;
}

/** What the mock does for an operation. Anything that is not CRUD on a resource is an action. */
export type OperationRole = { kind: CrudKind; resource: Resource } | { kind: 'action'; resource?: Resource; onItem: boolean };

const ITEM_KIND: Record<string, CrudKind> = { GET: 'retrieve', PUT: 'update', PATCH: 'partial_update', DELETE: 'destroy' };
const SUFFIXES: CrudKind[] = ['partial_update', 'retrieve', 'update', 'destroy', 'list', 'create'];

function suffixKind(operationId: string): CrudKind | undefined {
  return SUFFIXES.find((suffix) => operationId.endsWith(`_${suffix}`));
}

/** `/x/{key}/` → { collection: '/x/', param: 'key' }; anything else is not an item path. */
function splitItemPath(path: string): { collection: string; param: string } | undefined {
  const match = /^(.*\/)\{([^}]+)\}\/?$/.exec(path);
  return match ? { collection: match[1]!, param: match[2]! } : undefined;
}

function crudKind(operation: OperationSpec, itemPaths: Set<string>, contract: Contract): CrudKind | undefined {
  const suffix = suffixKind(operation.operationId);
  const item = splitItemPath(operation.path);
  if (item && ITEM_KIND[operation.method] && (!suffix || suffix === ITEM_KIND[operation.method])) return ITEM_KIND[operation.method];
  if (item) return undefined;
  if (operation.method === 'GET' && (!suffix || suffix === 'list') && listShape(contract, successSchema(operation)?.schema)) return 'list';
  if (operation.method === 'POST' && (!suffix || suffix === 'create') && itemPaths.has(operation.path)) return 'create';
  return undefined;
}

/** A resource while the operations are grouped, before its entity is known. */
type DraftResource = Omit<Resource, 'entity' | 'type' | 'lookupField' | 'modelName'>;

function recordSchema(contract: Contract, resource: DraftResource): JsonSchema | undefined {
  const ops = resource.operations;
  for (const operation of [ops.retrieve, ops.update, ops.partial_update, ops.create]) {
    const schema = operation && successSchema(operation)?.schema;
    if (schema) return schema;
  }
  return ops.list ? listShape(contract, successSchema(ops.list)?.schema)?.items : undefined;
}

export interface ResourceMap {
  model: EntityModel;
  resources: Resource[];
  roles: Map<string, OperationRole>;
}

/** Groups the contract's operations into resources and gives every operation its role. */
export function buildResources(contract: Contract): ResourceMap {
  const itemPaths = new Set(contract.operations.map((o) => splitItemPath(o.path)?.collection).filter((p): p is string => !!p));
  const byPath = new Map<string, DraftResource>();
  const kinds = new Map<string, CrudKind>();
  for (const operation of contract.operations) {
    const kind = crudKind(operation, itemPaths, contract);
    if (!kind) continue;
    kinds.set(operation.operationId, kind);
    const item = splitItemPath(operation.path);
    const path = item?.collection ?? operation.path;
    const resource = byPath.get(path) ?? { path, operations: {} };
    if (item) resource.lookupParam = item.param;
    resource.operations[kind] = operation;
    byPath.set(path, resource);
  }

  const model = new EntityModel(contract);
  const resources: Resource[] = [];
  const built = new Map<DraftResource, Resource>();
  for (const draft of [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    const schema = recordSchema(contract, draft);
    const entity = schema && model.entityFor(schema, draft.path.split('/').filter(Boolean).pop() ?? '', draft.lookupParam);
    if (!entity) continue; // records without a pk cannot be addressed: their operations act as actions
    const type = model.entities.get(entity)!;
    const lookupField = draft.lookupParam && draft.lookupParam in properties(type.schema) ? draft.lookupParam : type.pkField;
    const resource: Resource = { ...draft, entity, type, lookupField, modelName: entity };
    built.set(draft, resource);
    resources.push(resource);
  }
  model.link();
  linkFamilies(model, resources);

  const roles = new Map<string, OperationRole>();
  for (const operation of contract.operations) {
    const item = splitItemPath(operation.path);
    const draft = byPath.get(item?.collection ?? operation.path);
    const resource = draft && built.get(draft);
    const kind = kinds.get(operation.operationId);
    if (kind && resource) roles.set(operation.operationId, { kind, resource });
    else roles.set(operation.operationId, actionRole(operation, resources));
  }
  return { model, resources, roles };
}

/** `/x/{key}/action/` acts on one record of resource `/x/`; `/x/action/` on the collection. */
function actionRole(operation: OperationSpec, resources: Resource[]): OperationRole {
  const match = /^(.*\/)\{([^}]+)\}\/[^{}]+\/$/.exec(operation.path);
  const resource = match ? resources.find((r) => r.path === match[1] && r.lookupParam === match[2]) : undefined;
  return resource ? { kind: 'action', resource, onItem: true } : { kind: 'action', onItem: false };
}
