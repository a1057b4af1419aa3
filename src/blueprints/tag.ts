/**
 * A YAML tag of a blueprint (`!KeyOf flow`, `!Find [model, [field, value]]`…), kept as parsed and evaluated when its
 * entry is applied, as authentik's `YAMLTag` objects are (authentik/blueprints/v1/common.py).
 */
export const TAG_NAMES = [
  'KeyOf',
  'Find',
  'FindObject',
  'Context',
  'Format',
  'Condition',
  'If',
  'Env',
  'File',
  'Enumerate',
  'Value',
  'Index',
  'AtIndex',
  'ParseJSON',
] as const;

export type TagName = (typeof TAG_NAMES)[number];

/** A parsed value of a blueprint: plain YAML data with tags left in place. */
export type BlueprintValue = null | boolean | number | string | BlueprintValue[] | { [key: string]: BlueprintValue } | YamlTag;

export class YamlTag {
  constructor(
    readonly name: TagName,
    /** The tag's arguments: the sequence's items, or the scalar's text as the only item. */
    readonly args: readonly BlueprintValue[],
    /** Whether the tag was written on a scalar (`!Env KEY`) rather than a sequence (`!Env [KEY, default]`). */
    readonly scalar: boolean,
  ) {}

  toString(): string {
    return `!${this.name}`;
  }
}

export const isTag = (value: unknown): value is YamlTag => value instanceof YamlTag;
