/**
 * The world as the flow executor reads it: authentik's models found by their model names (`authentik_flows.flow`…),
 * never by a path or an entity name written here. A contract without one of them (another version, a few pages)
 * simply lacks what depends on it.
 */
import { brandForHost } from '../core/derived/brand.js';
import { pkOf, type EntityType, type Pk, type WorldRecord } from '../contract/entity-model.js';
import { squash } from '../contract/naming.js';
import type { World } from '../world/world.js';

/** authentik's model names (app_label.model_name) the flows use. */
export const MODEL = {
  flow: 'authentik_flows.flow',
  stage: 'authentik_flows.stage',
  binding: 'authentik_flows.flowstagebinding',
  policyBinding: 'authentik_policies.policybinding',
  policy: 'authentik_policies.policy',
  user: 'authentik_core.user',
  group: 'authentik_core.group',
  token: 'authentik_core.token',
  application: 'authentik_core.application',
  brand: 'authentik_brands.brand',
  session: 'authentik_core.authenticatedsession',
  totpDevice: 'authentik_stages_authenticator_totp.totpdevice',
  consent: 'authentik_stages_consent.userconsent',
  prompt: 'authentik_stages_prompt.prompt',
} as const;

/**
 * The entity of a model name: the contract's enums name most models; one no enum lists (AuthenticatedSession) is the
 * entity whose name is the model's without separators, as authentik's serializers are named after their models.
 */
export function entityFor(world: World, model: string): EntityType | undefined {
  const named = world.models.entityOf(model);
  if (named) return world.entity(named);
  const wanted = model.slice(model.indexOf('.') + 1);
  const resource = world.resources.find((r) => squash(r.entity) === wanted);
  return resource?.type;
}

/** Reads of the world the executor makes, each a lookup by model. */
export class FlowModels {
  private readonly entities = new Map<string, EntityType | null>();

  constructor(readonly world: World) {}

  entity(model: string): EntityType | undefined {
    let found = this.entities.get(model);
    if (found === undefined) this.entities.set(model, (found = entityFor(this.world, model) ?? null));
    return found ?? undefined;
  }

  records(model: string): WorldRecord[] {
    const entity = this.entity(model);
    return entity ? this.world.table(entity.name).all() : [];
  }

  get(model: string, pk: unknown): WorldRecord | undefined {
    const entity = this.entity(model);
    return entity && pk !== undefined && pk !== null ? this.world.table(entity.name).get(pk) : undefined;
  }

  pk(model: string, record: WorldRecord): Pk {
    return pkOf(this.entity(model)!, record);
  }

  flowBySlug(slug: string): WorldRecord | undefined {
    const entity = this.entity(MODEL.flow);
    return entity ? this.world.table(entity.name).find('slug', slug) : undefined;
  }

  user(pk: unknown): WorldRecord | undefined {
    const users = this.world.userEntity;
    return users && pk !== undefined && pk !== null ? this.world.table(users.name).get(pk) : undefined;
  }

  /** A stage record as its own kind (the Stage table holds every kind's records, with `meta_model_name`). */
  stage(pk: unknown): WorldRecord | undefined {
    return this.get(MODEL.stage, pk);
  }

  /** The model name of a stage record (`authentik_stages_password.passwordstage`). */
  stageModel(stage: WorldRecord): string | undefined {
    if (typeof stage['meta_model_name'] === 'string') return stage['meta_model_name'];
    const base = this.entity(MODEL.stage);
    const holder = base ? this.world.table(base.name).holderOf(pkOf(base, stage)) : undefined;
    return holder ? this.world.models.modelOf(holder.entity.name) : undefined;
  }

  /** A flow's stage bindings, by `order` (FlowStageBinding.objects.filter(target=flow).order_by("order")). */
  bindingsOf(flow: WorldRecord): WorldRecord[] {
    const flowPk = this.pk(MODEL.flow, flow);
    return this.records(MODEL.binding)
      .filter((b) => String(b['target']) === String(flowPk))
      .sort((a, b) => Number(a['order'] ?? 0) - Number(b['order'] ?? 0));
  }

  /** The brand a request to `host` (with its port, as Django's `get_host`) is answered under: the API's own rule. */
  brand(host: string): WorldRecord {
    return brandForHost(this.world, host);
  }

  /** The groups a user is in (the stored side of the users ↔ groups many-to-many, whichever side stores it). */
  groupsOf(userPk: Pk): Pk[] {
    const users = this.world.userEntity;
    const user = this.user(userPk);
    if (!users || !user) return [];
    const groups = this.world.renderer.value(users.name, user, 'groups');
    return Array.isArray(groups) ? (groups as Pk[]) : [];
  }
}
