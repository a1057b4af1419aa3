import { propertiesOf, requiredOf, type ContractDocument, type JsonSchema } from './types.js';

/**
 * authentik's documents contradict themselves on some links: `Application.provider_obj` is required and not
 * nullable in answers, while `ApplicationRequest.provider` may be null or left out (the real server then answers a
 * contract-invalid `provider_obj: null`). The mock keeps its answers valid by reading such a link as required and
 * not nullable in the request schemas of the same model (`XRequest`, `PatchedXRequest`, drf-spectacular's names), so
 * a write that would break the answer gets DRF's 400 instead. Nothing else of the document changes.
 */
export function withConsistentRequests(document: ContractDocument): ContractDocument {
  const components: Record<string, JsonSchema> = { ...document.components };
  let changed = false;
  for (const [name, schema] of Object.entries(document.components)) {
    const links = requiredLinks(schema);
    if (links.length === 0) continue;
    for (const [requestName, partial] of [
      [`${name}Request`, false],
      [`Patched${name}Request`, true],
    ] as const) {
      const request = components[requestName];
      if (!request) continue;
      const tightened = tighten(request, links, partial);
      if (tightened !== request) {
        components[requestName] = tightened;
        changed = true;
      }
    }
  }
  return changed ? { ...document, components } : document;
}

/** Fields `x` whose embed `x_obj` must be shown as an object: required and not nullable. */
function requiredLinks(schema: JsonSchema): string[] {
  const props = propertiesOf(schema);
  const required = requiredOf(schema);
  return Object.keys(props).filter((field) => {
    const embed = props[`${field}_obj`];
    return embed !== undefined && required.has(`${field}_obj`) && embed.nullable !== true && !isArrayEmbed(embed);
  });
}

function isArrayEmbed(schema: JsonSchema): boolean {
  return schema.type === 'array';
}

function tighten(request: JsonSchema, links: string[], partial: boolean): JsonSchema {
  const props = propertiesOf(request);
  // Only a link the request lets be null contradicts the answer: one left out keeps its value (or the caller's).
  const present = links.filter((field) => props[field]?.['nullable'] === true);
  if (present.length === 0) return request;
  const properties = { ...props };
  for (const field of present) {
    const { nullable: _nullable, ...strict } = props[field]!;
    properties[field] = strict;
  }
  const required = requiredOf(request);
  if (!partial) present.forEach((field) => required.add(field));
  return { ...request, properties, ...(required.size > 0 ? { required: [...required].sort() } : {}) };
}
