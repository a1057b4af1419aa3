/**
 * Logging in as to authentik: the flow executor over the world's flows, sessions, the pages that lead to the flows.
 * Browser-safe; the login page's files and the websocket are served by the Node side (adapters/).
 */
import type { Feature } from '../core/extensions.js';
import { answersChallenges } from './challenges.js';
import { execute } from './executor.js';
import { flowRuntime } from './runtime.js';
import { sessionAuthenticator, sessionReads, setPassword } from './session-api.js';
import { flowSiteRoutes } from './site.js';
import { STAGES } from './stages/index.js';

export const flowsFeature: Feature = (host) => {
  const runtime = flowRuntime(host);
  for (const [model, handler] of STAGES) if (!runtime.stages.has(model)) runtime.stages.set(model, handler);
  host.actions.add({
    answers: (operation, world) => answersChallenges(world.contract, operation),
    answer: (call) => execute(runtime, call),
  });
  host.actions.add(sessionReads(runtime));
  host.actions.add(setPassword(runtime));
  host.callers.add(sessionAuthenticator(runtime));
  host.site.add(flowSiteRoutes(runtime));
};

export { startFlow, sessionUser, requestPrincipal, loginRedirect, registerStage, logInSession, type StartFlowOptions } from './api.js';
export { FlowNonApplicable } from './plan.js';
export type { FlowPlan, PlanContext, PendingUser, PlannedStage } from './stage.js';
export type { StageHandler, StageOutcome, StageRun } from './stage.js';
export type { Challenge, ErrorDetail, ResponseErrors } from './challenges.js';
export { redirectStage } from './stages/index.js';
export { consentStage } from './stages/consent.js';
export { SESSION_COOKIE } from './sessions.js';
export { CSRF_COOKIE, CSRF_HEADER } from './csrf.js';
export { totpCode, keyFromConfigUrl } from './totp.js';
export { addTotpDevice, totpDevicesOf } from './devices.js';
