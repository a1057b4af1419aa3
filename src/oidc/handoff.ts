import type { WorldRecord } from '../contract/entity-model.js';
import type { RequestContext } from '../core/request-context.js';
import { fulfil, type Fulfilment } from './authorize.js';
import { parseAuthorize, type AuthorizeParams } from './authorize-params.js';
import { consentPlan, recordConsent, type ConsentPlan } from './consent.js';
import { lastValues } from './http.js';
import type { Oidc } from './service.js';

/** What the flow executor's last stage answers (authentik's `OAuthFulfillmentStage` as a challenge). */
export type FulfilmentChallenge =
  | { component: 'xak-flow-redirect'; to: string }
  | { component: 'ak-stage-autosubmit'; url: string; title: string; attrs: Record<string, string> };

/**
 * The hand-off between the authorization endpoint and the flow executor. When a logged-in user must see the
 * authorization flow (consent to give, another stage), `/application/o/authorize/` sends the browser to
 * `/if/flow/<authorization flow slug>/?<the authorize query>`, as authentik does; the executor then runs the flow
 * with the authorize query as its `query`, and:
 *
 * 1. `AuthorizationHandoff.of(oidc, executorQuery)` — the request's checked parameters (undefined: the query is no
 *    authorization request for a provider whose authorization flow this is; run the flow as any other);
 * 2. `plan(user)` — the consent stage's `header_text` and `permissions` (`{id, name}`), whether the flow's own consent
 *    stages are already satisfied, and `extraConsentStage` (`prompt=consent` on a flow without a consent stage: append
 *    an `always_require` consent stage, as authentik does);
 * 3. on a valid consent response: `consented(stage, user)` — stores the `UserConsent` a `permanent` or `expiring`
 *    stage keeps (what ConsentStageView stores);
 * 4. at the end of the flow, instead of the redirect to `next`: `await finish(context, user)` — issues the code or
 *    tokens and gives the challenge to answer: `xak-flow-redirect` to the client, or `ak-stage-autosubmit` for
 *    `form_post`. Errors (`consent_required` for `prompt=none consent`) are redirects to the client too.
 */
export class AuthorizationHandoff {
  private constructor(
    private readonly oidc: Oidc,
    readonly params: AuthorizeParams,
    readonly application: WorldRecord,
  ) {}

  static of(oidc: Oidc, query: string | URLSearchParams, flowSlug?: string): AuthorizationHandoff | undefined {
    const search = typeof query === 'string' ? new URLSearchParams(query.replace(/^\?/, '')) : query;
    const parsed = parseAuthorize(oidc.model, lastValues(search), [...search]);
    if (!('params' in parsed)) return undefined;
    const application = oidc.model.applicationOf(parsed.params.provider);
    const flow = oidc.model.flow(parsed.params.provider['authorization_flow']);
    if (!application || (flowSlug !== undefined && flow?.['slug'] !== flowSlug)) return undefined;
    return new AuthorizationHandoff(oidc, parsed.params, application);
  }

  plan(user: WorldRecord, now = Date.now()): ConsentPlan & { extraConsentStage: boolean } {
    const plan = consentPlan(this.oidc.model, this.params, user, this.application, now);
    const flowHasConsent = plan.flow ? this.oidc.model.boundStages(plan.flow).some((s) => s.kind === 'consent') : false;
    return { ...plan, extraConsentStage: this.params.prompt.has('consent') && !flowHasConsent };
  }

  consented(stage: WorldRecord, user: WorldRecord, now = Date.now()): void {
    recordConsent(this.oidc.model, stage, user, this.application, this.plan(user, now).permissions, now);
  }

  /** `authTime`: when the session logged in (epoch seconds; default now); `amr`: how (default a password). */
  async finish(
    context: RequestContext,
    user: WorldRecord,
    login: { authTime?: number; amr?: string[] } = {},
  ): Promise<FulfilmentChallenge> {
    const done: Fulfilment = await fulfil(this.oidc, context, this.params, {
      user,
      authTime: login.authTime ?? Math.trunc(Date.now() / 1000),
      amr: login.amr ?? ['pwd'],
      auto: false,
    });
    return done.kind === 'redirect'
      ? { component: 'xak-flow-redirect', to: done.to }
      : { component: 'ak-stage-autosubmit', url: done.url, title: done.title, attrs: done.attrs };
  }
}
