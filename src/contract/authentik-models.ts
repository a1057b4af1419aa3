import data from './authentik-models.json' with { type: 'json' };
import type { Contract } from './contract.js';
import type { EntityModel } from './entity-model.js';
import { squash } from './naming.js';
import type { JsonSchema } from './types.js';

/** An item of a `…/all/types/` list (authentik's TypeCreate), and the list it is in (`/providers/all/`). */
export interface TypeItem {
  of: string;
  name: string;
  description: string;
  component: string;
  model_name: string;
  [field: string]: unknown;
}

/** What authentik's model says that its API schema does not (see authentik-models.json, each entry cites its source). */
export interface ModelFacts {
  source: string;
  verbose_name: string;
  verbose_name_plural: string;
  component?: string;
  /** Values a create takes for the fields it leaves out; `{$random: n}`, `{$randomHex: n}` and `{$fromNow: "minutes=30"}` are made then. */
  defaults?: Record<string, unknown>;
  type?: TypeItem;
  /** Fields the model's serializer computes that stay the same on a mock (a flow's cache_count, its default background). */
  computed?: Record<string, unknown>;
}

const MODELS = data.models as Record<string, ModelFacts>;
const VIEWS = data.views as unknown as Record<string, { source: string; answer: Record<string, unknown> }>;
const GUARDED = data.guardedViews.views as GuardedView[];

/** A view authentik guards with a global permission (authentik-models.json `guardedViews`). */
export interface GuardedView {
  /** The contract's path template; ending in `*`: every path below it. */
  path: string;
  /** The methods it guards; all when absent. */
  methods?: string[];
  permission: string;
  source: string;
}

/** The authentik release the facts, the shipped blueprints and the committed docs pages come from. */
export const FACTS_RELEASE: string = data.authentikVersion.version;

/** What the view answering with this component answers on a fresh install (authentik-models.json `views`), if known. */
export function freshInstallAnswer(component: string): Record<string, unknown> | undefined {
  return component !== '$comment' && Object.hasOwn(VIEWS, component) ? structuredClone(VIEWS[component]!.answer) : undefined;
}

/** The permission authentik's view requires for this operation (method and contract path template), if it guards one. */
export function guardOf(method: string, path: string): GuardedView | undefined {
  return GUARDED.find(
    (view) =>
      (view.path.endsWith('*') ? path.startsWith(view.path.slice(0, -1)) : path === view.path) &&
      (view.methods === undefined || view.methods.includes(method)),
  );
}

/** The facts of a model name (`authentik_providers_oauth2.oauth2provider`), if authentik-models.json has them. */
export function modelFacts(model: string): ModelFacts | undefined {
  return Object.hasOwn(MODELS, model) ? MODELS[model] : undefined;
}

/**
 * The `…/all/types/` items listed at `path`, each with the model it creates (`app_label.model_name`; an abstract
 * type such as `authentik_sources_oauth.githuboauthsource` names its app), sorted by name as Python sorts strings
 * (authentik/core/api/object_types.py: `sorted(data, key=lambda x: x["name"])`, by code point).
 */
export function typesAt(path: string): Array<{ model: string; item: TypeItem }> {
  const abstract = data.abstractTypes as Record<string, { type: TypeItem }>;
  const entries = [
    ...Object.entries(MODELS).flatMap(([model, facts]) => (facts.type ? [{ model, item: facts.type }] : [])),
    ...Object.entries(abstract).map(([model, facts]) => ({ model, item: facts.type })),
  ];
  return entries.filter((e) => e.item.of === path).sort((a, b) => (a.item.name < b.item.name ? -1 : a.item.name > b.item.name ? 1 : 0));
}

/** `app_label.model_name`. */
const MODEL_NAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/**
 * Entities ↔ authentik's model names (`authentik_providers_oauth2.oauth2provider` ↔ OAuth2Provider), read from the
 * contract: every model name its enums list (ModelEnum, ProviderModelEnum…), and the models authentik-models.json
 * knows (the bases, which no enum lists). A model's name without its app label is the entity's name without case or
 * separators, or ends with it (`outpostserviceconnection` ↔ ServiceConnection).
 */
export class ModelNames {
  private readonly byEntity = new Map<string, string>();
  private readonly byModel = new Map<string, string>();

  constructor(contract: Contract, model: EntityModel) {
    const names = new Set([...enumModelNames(contract.components), ...Object.keys(MODELS)]);
    const byShortName = new Map<string, string[]>();
    for (const name of names) {
      const short = name.slice(name.indexOf('.') + 1);
      byShortName.set(short, [...(byShortName.get(short) ?? []), name]);
    }
    const unmatched: string[] = [];
    for (const entity of model.entities.keys()) {
      const exact = byShortName.get(squash(entity));
      if (exact?.length === 1) this.pair(entity, exact[0]!);
      else unmatched.push(entity);
    }
    for (const entity of unmatched) {
      const wanted = squash(entity);
      const candidates = [...names].filter((n) => n.slice(n.indexOf('.') + 1).endsWith(wanted) && !this.byModel.has(n));
      if (candidates.length === 1) this.pair(entity, candidates[0]!);
    }
  }

  /** The model name of an entity, when the contract or the facts name one. */
  modelOf(entity: string): string | undefined {
    return this.byEntity.get(entity);
  }

  /** The entity a model name stands for. */
  entityOf(modelName: string): string | undefined {
    return this.byModel.get(modelName.toLowerCase());
  }

  private pair(entity: string, modelName: string): void {
    this.byEntity.set(entity, modelName);
    this.byModel.set(modelName, entity);
  }
}

/** Every string of the components' enums that are all model names (ModelEnum, ProviderModelEnum…). */
export function enumModelNames(components: Readonly<Record<string, JsonSchema>>): string[] {
  const names: string[] = [];
  for (const schema of Object.values(components)) {
    if (!Array.isArray(schema.enum)) continue;
    const values = schema.enum.filter((v): v is string => typeof v === 'string');
    if (values.length > 0 && values.every((v) => MODEL_NAME.test(v))) names.push(...values);
  }
  return names;
}
