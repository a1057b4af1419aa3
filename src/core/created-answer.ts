import { isPlainObject, propertiesOf, requiredOf, type JsonSchema } from '../contract/types.js';
import { pkOf, type EntityType, type WorldRecord } from '../contract/entity-model.js';
import type { World } from '../world/world.js';

/** A single-element `allOf` (drf-spectacular's wrapper for a described or read-only `$ref`) and `$ref`s, resolved. */
function unwrapped(world: World, schema: JsonSchema): JsonSchema {
  let current = world.contract.resolve(schema);
  for (let depth = 0; depth < 8 && Array.isArray(current.allOf) && current.allOf.length === 1; depth++)
    current = world.contract.resolve(current.allOf[0] as JsonSchema);
  return current;
}

/** The schema shows a record of the entity: its own schema, or a projection of it (every field one of the record's). */
function showsRecord(entity: EntityType, view: JsonSchema): boolean {
  if (view === entity.schema) return true;
  const fields = Object.keys(propertiesOf(view));
  const own = propertiesOf(entity.schema);
  return fields.length > 0 && fields.every((field) => Object.hasOwn(own, field));
}

/**
 * What a create answers about the record it made, in the component its contract documents. The record itself (or a
 * projection of it) where that is the component; otherwise the component's shape filled from the record: a property
 * that shows the record is the record (authentik's `AgentCreated.agent`), a property the record has is its value
 * where that fits the property's schema, and any other required property (`AgentCreated.token`, `Link.link`) a value
 * generated from its schema, stable per seed and record. Optional properties the record cannot give are left out.
 */
export function createdAnswer(world: World, entityName: string, record: WorldRecord, schema: JsonSchema, key: string): unknown {
  const entity = world.entity(entityName);
  const view = world.contract.resolve(schema);
  if (showsRecord(entity, view) || !isPlainObject(view.properties)) return world.renderer.render(entityName, record, view);
  const shown = world.renderer.render(entityName, record);
  const required = requiredOf(view);
  const answer: Record<string, unknown> = {};
  for (const [field, fieldSchema] of Object.entries(propertiesOf(view))) {
    if (fieldSchema.writeOnly === true) continue;
    const fieldView = unwrapped(world, fieldSchema);
    if (fieldView.type !== 'array' && showsRecord(entity, fieldView)) answer[field] = world.renderer.render(entityName, record, fieldView);
    else if (Object.hasOwn(shown, field) && world.contract.check(fieldSchema, shown[field]).length === 0) answer[field] = shown[field];
    else if (required.has(field)) answer[field] = world.stableValue(fieldSchema, `${key}:${String(pkOf(entity, record))}:${field}`);
  }
  return answer;
}
