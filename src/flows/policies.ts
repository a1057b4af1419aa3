/**
 * authentik's policy engine (authentik/policies/engine.py `PolicyEngine`, process.py `PolicyProcess`) as far as a mock
 * can run it. A target (a flow, a stage binding) passes when its enabled bindings pass in its `policy_engine_mode`
 * (`any`, `all`); no binding passes. A binding to a group passes for its members, to a user for that user; `negate`
 * inverts. Policies:
 * - dummy policies give their `result`;
 * - expression policies are Python, which the mock cannot run. The ones authentik's own blueprints bind are evaluated
 *   by what they check (KNOWN_EXPRESSIONS below); any other gives its binding's `failure_result` — what authentik
 *   gives a policy whose execution fails (process.py: a PolicyException → `failure_result`). A team whose flows rely
 *   on an expression sets `failure_result` on its binding to what the expression would say in their test.
 * - any other kind of policy (reputation, password, GeoIP, event matcher…) likewise gives `failure_result`.
 */
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import { MODEL, type FlowModels } from './models.js';
import type { PlanContext } from './stage.js';

/** What a policy is evaluated for (authentik's PolicyRequest): the user and the flow's context. */
export interface PolicyRequest {
  userPk: Pk | undefined;
  /** The plan's context (`flow_plan.context`); undefined when no flow is running. */
  context: PlanContext | undefined;
}

export interface PolicyResult {
  passing: boolean;
  messages: string[];
}

/** Expressions of authentik's own blueprints, by a line that says what they check, and what that check gives. */
const KNOWN_EXPRESSIONS: Array<{ matches: RegExp; passes: (request: PolicyRequest) => boolean }> = [
  {
    // default-authentication-flow-password-stage (blueprints/default/flow-default-authentication-flow.yaml): run the
    // password stage unless identification already checked a password (the pending user then has a `backend`).
    matches: /return not hasattr\(flow_plan\.context\.get\(["']pending_user["']\), ["']backend["']\)/,
    passes: ({ context }) => !context || context.pending_user?.backend === undefined,
  },
  {
    // default-source-*-if-sso: only within a flow a source started (the mock has no sources that do).
    matches: /^\s*return ak_is_sso_flow\s*$/m,
    passes: ({ context }) => context?.is_sso === true,
  },
];

const EXPRESSION_POLICY = 'authentik_policies_expression.expressionpolicy';
const DUMMY_POLICY = 'authentik_policies_dummy.dummypolicy';

/** The result of the bindings of `target` (a flow's or a stage binding's `policybindingmodel_ptr_id`). */
export function evaluateTarget(models: FlowModels, target: unknown, mode: unknown, request: PolicyRequest): PolicyResult {
  const bindings = models
    .records(MODEL.policyBinding)
    .filter((b) => target !== undefined && String(b['target']) === String(target) && b['enabled'] !== false)
    .sort((a, b) => Number(a['order'] ?? 0) - Number(b['order'] ?? 0));
  if (bindings.length === 0) return { passing: true, messages: [] };
  const results = bindings.map((binding) => evaluateBinding(models, binding, request));
  const passing = mode === 'all' ? results.every((r) => r.passing) : results.some((r) => r.passing);
  return { passing, messages: results.flatMap((r) => r.messages) };
}

function evaluateBinding(models: FlowModels, binding: WorldRecord, request: PolicyRequest): PolicyResult {
  let result: PolicyResult;
  if (binding['policy'] !== null && binding['policy'] !== undefined) {
    const policy = models.get(MODEL.policy, binding['policy']);
    result = policy ? evaluatePolicy(policy, binding, request) : { passing: binding['failure_result'] === true, messages: [] };
  } else if (binding['group'] !== null && binding['group'] !== undefined) {
    const groups = request.userPk === undefined ? [] : models.groupsOf(request.userPk);
    result = { passing: groups.some((g) => String(g) === String(binding['group'])), messages: [] };
  } else {
    result = { passing: request.userPk !== undefined && String(binding['user']) === String(request.userPk), messages: [] };
  }
  return binding['negate'] === true ? { ...result, passing: !result.passing } : result;
}

function evaluatePolicy(policy: WorldRecord, binding: WorldRecord, request: PolicyRequest): PolicyResult {
  const model = policy['meta_model_name'];
  if (model === DUMMY_POLICY) return { passing: policy['result'] === true, messages: [] };
  if (model === EXPRESSION_POLICY && typeof policy['expression'] === 'string') {
    const known = KNOWN_EXPRESSIONS.find((k) => k.matches.test(policy['expression'] as string));
    if (known) return { passing: known.passes(request), messages: [] };
  }
  // What authentik gives a policy that cannot be executed: the binding's failure result.
  return {
    passing: binding['failure_result'] === true,
    messages: [`authentik-mock cannot evaluate policy "${String(policy['name'] ?? '')}"; its binding's failure_result applies`],
  };
}
