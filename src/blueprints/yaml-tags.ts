/**
 * authentik's blueprint YAML loader (`BlueprintLoader`, authentik/blueprints/v1/common.py) as custom tags of the
 * `yaml` package: PyYAML's SafeLoader (YAML 1.1) plus one constructor per tag. Each tag is kept as a `YamlTag`
 * holding its constructed arguments; the arity checks are the ones PyYAML's constructors would fail on.
 */
import { isMap, isSeq, type CollectionTag, type ScalarTag, type Tags, type YAMLSeq } from 'yaml';
import { TAG_NAMES, YamlTag, type BlueprintValue, type TagName } from './tag.js';

type Form = 'scalar' | 'seq';

/** Which forms each tag's constructor takes, and how many sequence items (min, max). */
const FORMS: Record<TagName, { forms: readonly Form[]; items?: [number, number]; usage: string }> = {
  KeyOf: { forms: ['scalar'], usage: '!KeyOf <entry id>' },
  Env: { forms: ['scalar', 'seq'], items: [2, Infinity], usage: '!Env NAME or !Env [NAME, default]' },
  File: { forms: ['scalar', 'seq'], items: [1, Infinity], usage: '!File PATH or !File [PATH, default]' },
  Context: { forms: ['scalar', 'seq'], items: [2, Infinity], usage: '!Context key or !Context [key, default]' },
  ParseJSON: { forms: ['scalar'], usage: '!ParseJSON <json text>' },
  Format: { forms: ['seq'], items: [1, Infinity], usage: '!Format [format, args...]' },
  Find: { forms: ['seq'], items: [1, Infinity], usage: '!Find [model, [field, value]...]' },
  FindObject: { forms: ['seq'], items: [1, Infinity], usage: '!FindObject [model, [field, value]...]' },
  Condition: { forms: ['seq'], items: [1, Infinity], usage: '!Condition [MODE, values...]' },
  If: { forms: ['seq'], items: [1, Infinity], usage: '!If [condition] or !If [condition, when true, when false]' },
  Enumerate: { forms: ['seq'], items: [3, Infinity], usage: '!Enumerate [iterable, SEQ|MAP, item]' },
  Index: { forms: ['scalar'], usage: '!Index <depth>' },
  Value: { forms: ['scalar'], usage: '!Value <depth>' },
  AtIndex: { forms: ['seq'], items: [2, 3], usage: '!AtIndex [sequence or mapping, index, default]' },
};

/** Stands in the document until `toJS` builds the `YamlTag` with its arguments converted (anchors resolved). */
class PendingTag {
  constructor(
    readonly name: TagName,
    readonly source: string | YAMLSeq,
  ) {}

  toJSON(_key: string, ctx: unknown): YamlTag {
    if (typeof this.source === 'string') return new YamlTag(this.name, [this.source], true);
    const args = (this.source as { toJSON(key: string, ctx: unknown): BlueprintValue[] }).toJSON('', ctx);
    return new YamlTag(this.name, args, false);
  }
}

function checkSequence(name: TagName, seq: YAMLSeq, onError: (message: string) => void): void {
  const { items, usage } = FORMS[name];
  const count = seq.items.length;
  const [min, max] = items ?? [0, 0];
  if (count < min || count > max) onError(`!${name} is written ${usage}, not with ${count} item${count === 1 ? '' : 's'}`);
  // !If's constructor reads node.value[1] and [2] when given more than the condition.
  else if (name === 'If' && count === 2) onError(`!If is written ${FORMS.If.usage}, not with 2 items`);
  else if (name === 'Find' || name === 'FindObject') {
    const bad = seq.items.slice(1).find((pair) => !isSeq(pair) || pair.items.length < 2);
    if (bad !== undefined) onError(`!${name} is written ${usage}: each query is a [field, value] pair`);
  }
}

function tagsFor(name: TagName): Array<ScalarTag | CollectionTag> {
  const { forms, usage } = FORMS[name];
  const tag = `!${name}`;
  const wrongForm = (form: string) => (_: unknown, onError: (message: string) => void) =>
    onError(`${tag} is written ${usage}, not as a ${form}`);
  const scalar: ScalarTag = {
    tag,
    resolve: forms.includes('scalar')
      ? (text, onError) => {
          if ((name === 'Index' || name === 'Value') && !/^\s*[-+]?\d+\s*$/.test(text))
            onError(`${tag} is written ${usage} with an integer depth, not "${text}"`);
          return new PendingTag(name, text);
        }
      : wrongForm('scalar'),
  };
  const seq: CollectionTag = {
    tag,
    collection: 'seq',
    resolve: forms.includes('seq')
      ? (value, onError) => {
          checkSequence(name, value as YAMLSeq, onError);
          return new PendingTag(name, value as YAMLSeq);
        }
      : (value, onError) => wrongForm('sequence')(value, onError),
  };
  const map: CollectionTag = {
    tag,
    collection: 'map',
    resolve: (value, onError) => (isMap(value) ? wrongForm('mapping')(value, onError) : value),
  };
  return [scalar, seq, map];
}

const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
/** PyYAML's float needs a dot (`1e3` is a string there); the `yaml` package's 1.1 exponent form does not. */
const PY_FLOAT = /^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?$/;

/**
 * The YAML 1.1 schema adjusted to PyYAML's resolver: `y`/`n` stay strings, floats need a dot, and timestamps stay
 * the text they were written as (what a serializer would receive as an ISO string).
 */
function pyYamlSchema(tags: Tags): Tags {
  return tags.flatMap((tag): Tags => {
    if (typeof tag === 'string') return [tag];
    if (tag.tag === 'tag:yaml.org,2002:bool' && 'test' in tag && tag.test)
      return [{ ...tag, test: tag.test.test('true') ? PY_TRUE : PY_FALSE } as ScalarTag];
    if (tag.tag === 'tag:yaml.org,2002:float' && 'test' in tag && tag.test && !tag.format && !/inf/.test(String(tag.test)))
      return [{ ...tag, test: PY_FLOAT } as ScalarTag];
    if (tag.tag === 'tag:yaml.org,2002:float' && tag.format === 'EXP') return [];
    if (tag.tag === 'tag:yaml.org,2002:timestamp') return [{ ...tag, resolve: (text: string) => text } as ScalarTag];
    return [tag];
  });
}

/** The `customTags` option for `yaml`'s parser: PyYAML's 1.1 resolver plus authentik's tags. */
export function blueprintTags(tags: Tags): Tags {
  return [...pyYamlSchema(tags), ...TAG_NAMES.flatMap(tagsFor)];
}
