/**
 * `…/current/` of the brands (authentik/brands/api.py, `BrandViewSet.current` with `CurrentBrandSerializer`): the
 * request's brand (brand.ts) as the answer's schema shows it — its own fields, `matched_domain` its domain, a flow
 * it names by the flow's key in URLs (`flow_authentication: "default-authentication-flow"`; an unset one is left
 * out, as DRF skips a `source="flow_x.slug"` through None), the theme and locale from its `attributes.settings`,
 * the footer links of the install's settings (none on a fresh install).
 */
import { properties, type WorldRecord } from '../../contract/entity-model.js';
import type { OperationSpec } from '../../contract/types.js';
import type { World } from '../../world/world.js';
import { isPlainObject } from '../../contract/types.js';
import { json } from '../http.js';
import type { Feature } from '../extensions.js';
import { brandForHost, brandResource } from './brand.js';
import { shownAs, successShape } from './shared.js';

const CURRENT_SEGMENT = 'current/';

function isCurrentBrand(world: World, operation: OperationSpec): boolean {
  const resource = brandResource(world);
  return (
    !!resource && operation.method === 'GET' && operation.path === `${resource.path}${CURRENT_SEGMENT}` && !!successShape(world, operation)
  );
}

/** The record a link field of the brand names, by its resource's lookup key: a flow's slug. */
function linkedKey(world: World, field: string, pk: unknown): string | undefined {
  if (typeof pk !== 'string') return undefined;
  const named = field.split('_')[0]!;
  const resource = world.resources.find((r) => r.entity.toLowerCase() === named && r.lookupParam !== undefined);
  const record = resource ? world.table(resource.entity).get(pk) : undefined;
  const key = record?.[resource!.lookupField];
  return typeof key === 'string' ? key : undefined;
}

function settingsOf(brand: WorldRecord): Record<string, unknown> {
  const attributes = brand['attributes'];
  return isPlainObject(attributes) && isPlainObject(attributes['settings']) ? attributes['settings'] : {};
}

function currentBrand(world: World, host: string, answerFields: string[]): Record<string, unknown> {
  const brand = brandForHost(world, host);
  const brandFields = properties(brandResource(world)!.type.schema);
  const settings = settingsOf(brand);
  const theme = isPlainObject(settings['theme']) ? settings['theme']['base'] : undefined;
  const values: Record<string, unknown> = {
    matched_domain: brand['domain'],
    ui_footer_links: [],
    ui_theme: typeof theme === 'string' ? theme : 'automatic',
    default_locale: typeof settings['locale'] === 'string' ? settings['locale'] : '',
  };
  for (const field of answerFields) {
    if (field in values || !(field in brandFields)) continue;
    const stored = brand[field];
    const linksElsewhere = world.contract.resolve(brandFields[field]!).format === 'uuid';
    values[field] = linksElsewhere ? linkedKey(world, field, stored) : stored;
  }
  return values;
}

export const currentBrandAnswer: Feature = (host) =>
  host.actions.add({
    answers: (operation, world) => isCurrentBrand(world, operation),
    answer: (call) => {
      const shape = successShape(call.world, call.operation)!;
      const values = currentBrand(call.world, call.context.url.host, Object.keys(shape.fields));
      return json(shape.status, shownAs(call.world, call.operation, shape, values));
    },
  });
