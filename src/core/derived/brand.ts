/**
 * The brand a request is answered under (authentik/brands/utils.py, `get_brand_for_request`, 2024.8): the brands
 * whose `domain` ends the request's host (`request.get_host()`, with its port) or that are the default, longest
 * domain first, then non-default before default; none → an unsaved `Brand(domain="fallback")` with the model's
 * defaults. The brands are the records of the resource whose records have `domain` and `default`.
 */
import { properties, type WorldRecord } from '../../contract/entity-model.js';
import type { Resource } from '../../contract/resources.js';
import type { World } from '../../world/world.js';

const brandResources = new WeakMap<World, Resource | null>();

/** Found once per world: a request's brand is looked up on most pages of the flows. */
export function brandResource(world: World): Resource | undefined {
  let found = brandResources.get(world);
  if (found === undefined) {
    found =
      world.resources.find((r) => {
        const fields = properties(r.type.schema);
        return 'domain' in fields && 'default' in fields && r.operations.list !== undefined;
      }) ?? null;
    brandResources.set(world, found);
  }
  return found ?? undefined;
}

export function brandForHost(world: World, host: string): WorldRecord {
  const resource = brandResource(world);
  const wanted = host.toLowerCase();
  const candidates = (resource ? world.table(resource.entity).all() : []).filter(
    (b) => b['default'] === true || (typeof b['domain'] === 'string' && wanted.endsWith(b['domain'].toLowerCase())),
  );
  const length = (b: WorldRecord) => String(b['domain'] ?? '').length;
  candidates.sort((a, b) => length(b) - length(a) || Number(a['default'] === true) - Number(b['default'] === true));
  return candidates[0] ?? fallbackBrand(world, resource);
}

/** `Brand(domain="fallback")`: the model's defaults (authentik-models.json), never saved. */
function fallbackBrand(world: World, resource: Resource | undefined): WorldRecord {
  const defaults = (resource ? world.modelValues.facts(resource.type)?.defaults : undefined) ?? {};
  return { ...defaults, domain: 'fallback', default: false };
}

/** `str(brand)` (Brand.__str__): "Default brand" for the default one, else "Brand <domain>". */
export function brandName(brand: WorldRecord): string {
  return brand['default'] === true ? 'Default brand' : `Brand ${String(brand['domain'] ?? '')}`;
}
