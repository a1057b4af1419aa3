import { propertiesOf, refName, type ContractDocument, type JsonSchema } from './types.js';

/**
 * authentik's documents contradict themselves on some links: `Application.provider` may be null (an application
 * without a provider), while `provider_obj`, the record it embeds, is required and not nullable — so the real
 * server answers `provider_obj: null`, against its own document (a policy binding's `group_obj` and `user_obj` the
 * same: a binding names a policy, a group or a user, never all three). The mock answers as authentik does, and the
 * contract it checks answers against — the mock's and any live server's — reads such an embed as nullable: an
 * `x_obj` whose `x` beside it is nullable. Nothing else of the document changes.
 */
export function withNullableEmbeds(document: ContractDocument): ContractDocument {
  const components: Record<string, JsonSchema> = { ...document.components };
  let changed = false;
  for (const [name, schema] of Object.entries(document.components)) {
    const loosened = loosen(schema);
    if (loosened === schema) continue;
    components[name] = loosened;
    changed = true;
  }
  return changed ? { ...document, components } : document;
}

function loosen(schema: JsonSchema): JsonSchema {
  const props = propertiesOf(schema);
  const embeds = Object.keys(props).filter((field) => {
    const embed = props[`${field}_obj`];
    return props[field]?.nullable === true && embed !== undefined && embed.nullable !== true && embed.type !== 'array';
  });
  if (embeds.length === 0) return schema;
  const properties = { ...props };
  for (const field of embeds) properties[`${field}_obj`] = nullableEmbed(props[`${field}_obj`]!);
  return { ...schema, properties };
}

/**
 * The embed, allowed to be null. A bare `$ref` is wrapped first (`allOf: [$ref]`, as drf-spectacular writes a
 * nullable reference): OpenAPI 3.0 ignores every keyword beside a `$ref`, so `nullable` there would say nothing.
 */
function nullableEmbed(embed: JsonSchema): JsonSchema {
  if (refName(embed) === undefined) return { ...embed, nullable: true };
  const { $ref, ...siblings } = embed;
  return { ...siblings, allOf: [{ $ref }], nullable: true };
}
