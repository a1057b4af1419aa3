/** What the derived answers share: the success schema they answer with, the contract's release. */
import { FACTS_RELEASE } from '../../contract/authentik-models.js';
import { successSchema } from '../../contract/operation-shapes.js';
import { componentName, propertiesOf, requiredOf, type JsonSchema, type OperationSpec } from '../../contract/types.js';
import type { World } from '../../world/world.js';
import type { Contract } from '../../contract/contract.js';

/** The success answer's schema, resolved, with the component it names (`Version`, `CurrentBrand`) and status. */
export interface SuccessShape {
  status: number;
  schema: JsonSchema;
  component: string | undefined;
  fields: Record<string, JsonSchema>;
}

export function successShape(world: World, operation: OperationSpec): SuccessShape | undefined {
  const success = successSchema(operation);
  if (!success?.schema) return undefined;
  const schema = world.contract.resolve(success.schema);
  return { status: Number(success.status), schema, component: componentName(success.schema), fields: propertiesOf(schema) };
}

/**
 * The answer as the schema shows it: the fields it has of `values`, then any other field it requires generated
 * (stable per seed and operation) — a later version's extra field stays contract-valid.
 */
export function shownAs(
  world: World,
  operation: OperationSpec,
  shape: SuccessShape,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(shape.fields))
    if (Object.hasOwn(values, field) && values[field] !== undefined) out[field] = values[field];
  for (const field of requiredOf(shape.schema))
    if (!Object.hasOwn(out, field) && shape.fields[field])
      out[field] = world.stableValue(shape.fields[field], `${operation.operationId}:${field}`);
  return out;
}

const RELEASE_IN_SOURCE = /@(\d{4}\.\d{1,2}(?:\.\d+)?)/;

/**
 * The authentik release the contract describes. The imported schemas keep no document's `info.version`; an
 * operation imported from a package says its version in its source (`@goauthentik/api@2026.8.3-1760000000/
 * schema.yml`: the client's version is authentik's release and a build stamp) — the release most operations name.
 * Otherwise the release the mock's own facts, blueprints and committed docs pages come from (authentik-models.json).
 */
export function contractRelease(world: World): string {
  let release = releases.get(world.contract);
  if (release === undefined) {
    const counts = new Map<string, number>();
    for (const operation of world.contract.operations) {
      const named = RELEASE_IN_SOURCE.exec(operation.source)?.[1];
      if (named) counts.set(named, (counts.get(named) ?? 0) + 1);
    }
    release = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? FACTS_RELEASE;
    releases.set(world.contract, release);
  }
  return release;
}

/** Each contract's release, read from its operations once (a contract never changes). */
const releases = new WeakMap<Contract, string>();
