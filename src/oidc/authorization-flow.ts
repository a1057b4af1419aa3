/**
 * The authorization flow run by the flow executor, as authentik's `AuthorizationFlowInitView` runs it: the
 * provider's authorization flow planned for the session with the application, the consent header and the
 * permissions in its context, an in-memory consent stage when `prompt=consent` asks for one the flow lacks, and
 * `OAuthFulfillmentStage` last — the code or tokens issued and the browser sent to the client.
 */
import type { WorldRecord } from '../contract/entity-model.js';
import type { Answer } from '../core/http.js';
import type { RequestContext } from '../core/request-context.js';
import { consentStage, FlowNonApplicable, startFlow, type StageHandler } from '../flows/index.js';
import { errorPage } from '../flows/pages.js';
import { fulfil } from './fulfilment.js';
import type { AuthorizeParams } from './authorize-params.js';
import type { ConsentPlan } from './consent.js';
import type { Oidc } from './service.js';

/** The flow's page, with the plan in the session; the executor's last stage answers the client. */
export function runAuthorizationFlow(
  oidc: Oidc,
  context: RequestContext,
  params: AuthorizeParams,
  application: WorldRecord,
  plan: ConsentPlan,
): Answer {
  const extraConsent = params.prompt.has('consent') && !oidc.model.boundStages(plan.flow!).some((s) => s.kind === 'consent');
  try {
    return startFlow(oidc.host, context, String(plan.flow!['slug']), {
      planContext: {
        application: oidc.model.pkOf('applications', application),
        consent_header: plan.header,
        consent_permissions: plan.permissions,
      },
      extraStages: [...(extraConsent ? [consentStage] : []), fulfilmentStage(oidc, params)],
      query: params.sent,
    });
  } catch (error) {
    // The flow refuses this user (`handle_no_permission_authenticated`): authentik's access-denied page.
    if (error instanceof FlowNonApplicable) return errorPage(200, 'Access denied', error.message);
    throw error;
  }
}

/** `OAuthFulfillmentStage`: at the end of the authorization flow, the code (or tokens) for the logged-in user. */
function fulfilmentStage(oidc: Oidc, params: AuthorizeParams): StageHandler {
  return {
    async get(run) {
      const user = run.principal.userPk === undefined ? undefined : oidc.model.user(run.principal.userPk);
      if (!user) return { denied: true };
      const login = oidc.caller(run.context, Date.now());
      const done = await fulfil(oidc, run.context, params, {
        user,
        authTime: login?.authTime ?? Math.trunc(Date.now() / 1000),
        amr: login?.amr ?? ['pwd'],
        auto: false,
      });
      if (done.kind === 'redirect') return { redirect: done.to };
      return run.challenge('ak-stage-autosubmit', { url: done.url, title: done.title, attrs: done.attrs });
    },
  };
}
