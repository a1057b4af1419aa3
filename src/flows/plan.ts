/**
 * Flow plans (authentik/flows/planner.py `FlowPlanner`, `FlowPlan`, `ReevaluateMarker`): a flow's stage bindings in
 * `order`, each kept when its policies pass — now if `evaluate_on_plan`, again when it comes up if
 * `re_evaluate_policies` — with the context the stages share. The plan lives in the session.
 */
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import type { Principal } from '../world/world.js';
import { MODEL, type FlowModels } from './models.js';
import { evaluateTarget } from './policies.js';
import type { FlowPlan, PlanContext, PlannedStage } from './stage.js';

/** `FlowNonApplicableException`: the flow does not apply to this request (its messages, when policies gave some). */
export class FlowNonApplicable extends Error {
  constructor(readonly policyMessages?: string[]) {
    super(policyMessages === undefined ? 'Flow does not apply to current user.' : policyMessages.join('\n'));
    this.name = 'FlowNonApplicable';
  }
}

/** `FlowPlanner.plan`: the authentication requirement, the flow's own policies, then its bindings. */
export function planFlow(models: FlowModels, flow: WorldRecord, principal: Principal, context: PlanContext = {}): FlowPlan {
  checkAuthentication(flow, principal);
  const userPk = context.pending_user?.pk ?? principal.userPk;
  const result = evaluateTarget(models, flow['policybindingmodel_ptr_id'], flow['policy_engine_mode'], { userPk, context });
  if (!result.passing) throw new FlowNonApplicable(result.messages);
  const plan: FlowPlan = { flowPk: models.pk(MODEL.flow, flow), stages: [], context: { ...context } };
  for (const binding of models.bindingsOf(flow)) {
    if (binding['evaluate_on_plan'] === true && !bindingPasses(models, binding, plan, principal)) continue;
    plan.stages.push({
      binding: models.pk(MODEL.binding, binding),
      stage: binding['stage'] as Pk,
      reevaluate: binding['re_evaluate_policies'] !== false,
    });
  }
  return plan;
}

/** `_check_authentication`: the flow's `authentication` requirement against who is asking. */
function checkAuthentication(flow: WorldRecord, principal: Principal): void {
  const anonymous = principal.userPk === undefined;
  switch (flow['authentication']) {
    case 'require_authenticated':
      if (anonymous) throw new FlowNonApplicable();
      break;
    case 'require_unauthenticated':
      if (!anonymous) throw new FlowNonApplicable();
      break;
    case 'require_superuser':
      if (!principal.superuser) throw new FlowNonApplicable();
      break;
    case 'require_outpost':
      // Only an outpost's token can run it; the mock has no outposts that do.
      throw new FlowNonApplicable();
  }
}

function bindingPasses(models: FlowModels, binding: WorldRecord, plan: FlowPlan, principal: Principal): boolean {
  const userPk = plan.context.pending_user?.pk ?? principal.userPk;
  return evaluateTarget(models, binding['policybindingmodel_ptr_id'], binding['policy_engine_mode'], { userPk, context: plan.context })
    .passing;
}

/**
 * `FlowPlan.next`: the first stage still to run — a stage whose binding's policies fail when re-evaluated is dropped —
 * or undefined when none is left.
 */
export function nextStage(models: FlowModels, plan: FlowPlan, principal: Principal): PlannedStage | undefined {
  while (plan.stages.length > 0) {
    const next = plan.stages[0]!;
    const binding = next.binding === undefined ? undefined : models.get(MODEL.binding, next.binding);
    if (!next.reevaluate || !binding || bindingPasses(models, binding, plan, principal)) return next;
    plan.stages.shift();
  }
  return undefined;
}
