import type { Contract } from '../contract/contract.js';
import type { OperationSpec } from '../contract/types.js';
import type { PathKeyFinder } from './path-keys.js';
import { resourcesOf } from './request-builder.js';

/**
 * What checking a write operation may change or read, as entities of the contract; `everything` when the contract
 * cannot tell (an action on a whole collection: `/core/users/service_account/` makes a user, a group and a token).
 */
export type Footprint = ReadonlySet<string> | 'everything';

/**
 * The entities a write operation's check touches — the record it writes and every list its keys come from — with
 * everything linked to them either way (a reference, an embed, a kind of it or what it is a kind of). Two checks whose
 * footprints do not meet are at least two links apart: neither writes a record the other reads, shows, or shows the
 * other side of. A hidden link the contract does not show (a real authentik's signals) can still meet; a check that
 * fails beside another is therefore checked again alone (`runContract`).
 */
export function footprintOf(contract: Contract, keys: PathKeyFinder, operation: OperationSpec): Footprint {
  const { roles } = resourcesOf(contract);
  const role = roles.get(operation.operationId);
  const own = role && 'resource' in role ? role.resource?.entity : undefined;
  if (!own) return 'everything';
  const entities = new Set([own]);
  for (const list of keys.sourceLists(operation)) {
    const source = roles.get(list.operationId);
    const entity = source && 'resource' in source ? source.resource?.entity : undefined;
    if (!entity) return 'everything';
    entities.add(entity);
  }
  const near = neighbours(contract);
  return new Set([...entities].flatMap((entity) => [entity, ...(near.get(entity) ?? [])]));
}

const graphs = new WeakMap<Contract, Map<string, Set<string>>>();

/** Each entity's neighbours, links followed both ways (built once per contract). */
function neighbours(contract: Contract): Map<string, Set<string>> {
  let graph = graphs.get(contract);
  if (graph) return graph;
  graph = new Map();
  const link = (a: string, b: string) => {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      if (!graph!.has(from)) graph!.set(from, new Set());
      graph!.get(from)!.add(to);
    }
  };
  for (const [name, entity] of resourcesOf(contract).model.entities) {
    for (const { target } of [...entity.references.values(), ...entity.embeds.values()]) link(name, target);
    if (entity.base) link(name, entity.base);
    for (const subtype of entity.subtypes) link(name, subtype);
  }
  graphs.set(contract, graph);
  return graph;
}

function meet(a: Footprint, b: Footprint): boolean {
  if (a === 'everything' || b === 'everything') return true;
  for (const entity of a) if (b.has(entity)) return true;
  return false;
}

/**
 * Runs `work` on every item, at most `limit` at once and never two whose footprints meet: the first waiting item
 * that meets none of those running starts as soon as there is room (one that meets waits, later ones may pass it).
 * `work` is told whether the item had company (another item running at some time while it ran). Rejects with the
 * first failure once the running ones have settled.
 */
export async function exclusivePool<T>(
  items: readonly T[],
  limit: number,
  footprint: (item: T) => Footprint,
  work: (item: T, company: () => boolean) => Promise<void>,
): Promise<void> {
  const waiting = items.map((item) => ({ item, footprint: footprint(item) }));
  const running = new Set<{ footprint: Footprint; company: boolean }>();
  let failure: { error: unknown } | undefined;
  await new Promise<void>((done) => {
    const next = () => {
      if (failure) waiting.length = 0;
      while (running.size < limit) {
        const index = waiting.findIndex((w) => [...running].every((r) => !meet(r.footprint, w.footprint)));
        if (index < 0) break;
        const [{ item, footprint: taken }] = waiting.splice(index, 1) as [(typeof waiting)[number]];
        const slot = { footprint: taken, company: running.size > 0 };
        for (const other of running) other.company = true;
        running.add(slot);
        work(item, () => slot.company)
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => {
            running.delete(slot);
            next();
          });
      }
      if (running.size === 0) done();
    };
    next();
  });
  if (failure) throw failure.error;
}
