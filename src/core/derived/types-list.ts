/**
 * `…/all/types/`: the kinds of a family a UI's "new …" wizard offers (authentik/core/api/object_types.py,
 * `TypesMixin.types`). Derived from the contract: a collection action of a base resource (one whose entity has
 * subtypes) answering a plain list of objects with `component` and `model_name`. The items are authentik's
 * (authentik-models.json), kept to the kinds the contract's family has and to the fields its item schema shows.
 */
import { listShape, successSchema } from '../../contract/operation-shapes.js';
import { typesAt } from '../../contract/authentik-models.js';
import { propertiesOf, type OperationSpec } from '../../contract/types.js';
import type { Resource } from '../../contract/resources.js';
import type { World } from '../../world/world.js';
import { json } from '../http.js';
import type { Feature } from '../extensions.js';

const TYPES_SEGMENT = 'types/';

/** The base resource the operation lists the kinds of, when it is such a list. */
function familyOf(world: World, operation: OperationSpec): Resource | undefined {
  if (operation.method !== 'GET') return undefined;
  const shape = listShape(world.contract, successSchema(operation)?.schema);
  if (!shape || shape.paginated) return undefined;
  const fields = propertiesOf(world.contract.resolve(shape.items));
  if (!('component' in fields) || !('model_name' in fields)) return undefined;
  return world.resources.find((r) => operation.path === `${r.path}${TYPES_SEGMENT}` && r.type.subtypes.length > 0);
}

/** The family's kinds as authentik lists them: those whose model (or, for an abstract type, whose app) the contract has. */
export function typesOf(world: World, resource: Resource): Array<Record<string, unknown>> {
  const models = new Set(familyModels(world, resource.entity));
  const apps = new Set([...models].map((m) => m.split('.')[0]));
  return typesAt(resource.path)
    .filter(({ model }) => models.has(model) || (!isConcrete(world, model) && apps.has(model.split('.')[0])))
    .map(({ item }) => {
      const { of: _of, ...shown } = item;
      return shown;
    });
}

function familyModels(world: World, entityName: string): string[] {
  const entity = world.entity(entityName);
  return entity.subtypes.flatMap((name) => {
    const model = world.models.modelOf(name);
    return [...(model === undefined ? [] : [model]), ...familyModels(world, name)];
  });
}

/** A model the contract would name as an entity (an abstract type, such as SAML-from-metadata, is not one). */
function isConcrete(world: World, model: string): boolean {
  return world.models.entityOf(model) !== undefined;
}

export const typesList: Feature = (host) =>
  host.actions.add({
    answers: (operation, world) => familyOf(world, operation) !== undefined,
    answer: (call) => {
      const resource = familyOf(call.world, call.operation)!;
      const fields = propertiesOf(
        call.world.contract.resolve(listShape(call.world.contract, successSchema(call.operation)!.schema)!.items),
      );
      // authentik answers `icon_url: null` for a kind without an icon; where the contract's field may not be null,
      // it is left out (it is not required).
      const shown = ([field, value]: [string, unknown]) =>
        field in fields && (value !== null || call.world.contract.resolve(fields[field]!).nullable === true);
      const items = typesOf(call.world, resource).map((item) => Object.fromEntries(Object.entries(item).filter(shown)));
      return json(Number(successSchema(call.operation)!.status), items);
    },
  });
