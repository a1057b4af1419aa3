// The flows as other features use them (src/flows/api.ts): a route outside the API starts a flow for the request's
// session with a context and an in-memory stage of its own — as authentik's OAuth2 authorize view plans the
// authorization flow with the application and appends OAuthFulfillmentStage — sending an anonymous visitor to log in
// first; stage kinds can be added; policies bound to flows and stages decide as documented in policies.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { json } from '../src/core/http.js';
import { MockServer } from '../src/mock-server.js';
import { RequestContext } from '../src/core/request-context.js';
import {
  FlowNonApplicable,
  logInSession,
  loginRedirect,
  redirectStage,
  registerStage,
  sessionUser,
  startFlow,
  type StageHandler,
} from '../src/flows/index.js';
import { BrowserLike, executorUrl } from './support/browser-like.js';
import { referenceDocument } from './support/contracts.js';

const contract = new Contract(referenceDocument());
const ORIGIN = 'http://authentik.test';
const PASSWORD = 'the user password';

let mock: MockServer;
let browser: BrowserLike;

beforeEach(() => {
  mock = new MockServer({ contract, recordsPerEntity: 0, userPassword: PASSWORD });
  browser = new BrowserLike(mock.fetch, ORIGIN, contract);
});

const adminHeaders = () => ({ authorization: `Bearer ${mock.world.adminToken}`, 'content-type': 'application/json' });

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await mock.fetch(`/api/v3${path}`, {
    method,
    headers: adminHeaders(),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

/** Runs the flow page a 302 sent the browser to, as the page would: GET the executor with the page's query. */
function pageExecutor(location: string): string {
  const page = new URL(location, ORIGIN);
  return executorUrl(page.pathname.split('/')[3]!, page.search.slice(1));
}

describe('startFlow, for a feature that runs a flow of its own (an OAuth2 authorize endpoint)', () => {
  it('sends an anonymous visitor to log in, then runs consent and the feature’s own stage, which redirects away', async () => {
    const app = await admin('POST', '/core/applications/', { name: 'My App', slug: 'my-app' });
    const issued: string[] = [];
    const fulfilment: StageHandler = {
      get: (run) => run.challenge('ak-stage-dummy', { name: 'fulfilment' }),
      post(run) {
        issued.push(String(run.plan.context['client_id']));
        return { redirect: `https://app.example/cb?code=c0de&user=${run.pendingUser()?.username}` };
      },
    };
    mock.site.add({
      matches: (path) => path === '/test/authorize/',
      handle(context) {
        if (!sessionUser(mock, context)) return loginRedirect(`${context.path}${context.url.search}`);
        try {
          return startFlow(mock, context, 'default-provider-authorization-explicit-consent', {
            planContext: {
              application: app['pk'] as string,
              client_id: context.url.searchParams.get('client_id'),
              consent_header: "You're about to sign into My App.",
              consent_permissions: [{ id: 'email', name: 'Email address' }],
            },
            extraStages: [fulfilment],
            query: [...context.url.searchParams],
          });
        } catch (error) {
          if (error instanceof FlowNonApplicable) return json(400, { error: error.message });
          throw error;
        }
      },
    });

    const toLogin = await browser.send('GET', '/test/authorize/?client_id=abc', { follow: false });
    expect(toLogin.headers.get('location')).toBe('/flows/-/default/authentication/?next=/test/authorize/%3Fclient_id%3Dabc');
    const toPage = await browser.send('GET', toLogin.headers.get('location')!, { follow: false });
    expect(toPage.headers.get('location')).toBe('/if/flow/default-authentication-flow/?next=%2Ftest%2Fauthorize%2F%3Fclient_id%3Dabc');
    const login = pageExecutor(toPage.headers.get('location')!);
    await browser.send('GET', login);
    await browser.send('POST', login, { json: { component: 'ak-stage-identification', uid_field: 'user' } });
    const loggedIn = await browser.send('POST', login, { json: { component: 'ak-stage-password', password: PASSWORD } });
    expect(loggedIn.body).toEqual({ component: 'xak-flow-redirect', to: '/test/authorize/?client_id=abc' });

    const toFlow = await browser.send('GET', '/test/authorize/?client_id=abc', { follow: false });
    expect(toFlow.headers.get('location')).toBe('/if/flow/default-provider-authorization-explicit-consent/?client_id=abc');
    const authorize = pageExecutor(toFlow.headers.get('location')!);
    const consent = (await browser.send('GET', authorize)).body as Record<string, unknown>;
    expect(consent).toMatchObject({
      component: 'ak-stage-consent',
      flow_info: { title: 'Redirecting to My App' },
      pending_user: 'user',
      header_text: "You're about to sign into My App.",
      permissions: [{ id: 'email', name: 'Email address' }],
      additional_permissions: [],
    });
    const wrongToken = await browser.send('POST', authorize, { json: { component: 'ak-stage-consent', token: 'not it' }, csrf: true });
    expect(wrongToken.body).toMatchObject({ component: 'ak-stage-consent' }); // shown again, without an error
    const retried = wrongToken.body as { token: string };
    const own = await browser.send('POST', authorize, { json: { component: 'ak-stage-consent', token: retried.token }, csrf: true });
    expect(own.body).toMatchObject({ component: 'ak-stage-dummy', name: 'fulfilment' });
    const done = await browser.send('POST', authorize, { json: { component: 'ak-stage-dummy' }, csrf: true });
    // The feature's stage redirects anywhere (authentik does not check a redirect a stage makes).
    expect(done.body).toEqual({ component: 'xak-flow-redirect', to: 'https://app.example/cb?code=c0de&user=user' });
    expect(issued).toEqual(['abc']);

    // The blueprint's consent stage is `expiring`: the consent is kept, and not asked again.
    const consents = await admin('GET', '/core/user_consent/');
    expect(consents['results']).toMatchObject([
      { permissions: 'email', expiring: true, user: { username: 'user' }, application: { slug: 'my-app' } },
    ]);
    const again = pageExecutor((await browser.send('GET', '/test/authorize/?client_id=abc', { follow: false })).headers.get('location')!);
    expect((await browser.send('GET', again)).body).toMatchObject({ component: 'ak-stage-dummy' });
  });

  it('throws FlowNonApplicable when the flow does not apply (an anonymous request, a flow that requires a login)', () => {
    const context = new RequestContext(new Request('http://authentik.test/test/start/'));
    expect(() => startFlow(mock, context, 'default-provider-authorization-implicit-consent')).toThrow(FlowNonApplicable);
    expect(() => startFlow(mock, context, 'no-such-flow')).toThrow(/no flow with the slug/);
  });
});

describe('the pages around the flows', () => {
  it('/flows/-/cancel/ drops the plan and goes to `next` when relative, else to the default invalidation flow', async () => {
    await browser.send('GET', executorUrl('default-authentication-flow'));
    await browser.send('POST', executorUrl('default-authentication-flow'), {
      json: { component: 'ak-stage-identification', uid_field: 'user' },
    });
    const cancel = await browser.send('GET', '/flows/-/cancel/', { follow: false });
    expect(cancel.headers.get('location')).toBe('/flows/-/default/invalidation/');
    expect((await browser.send('GET', executorUrl('default-authentication-flow'))).body).toMatchObject({
      component: 'ak-stage-identification',
    });
    expect((await browser.send('GET', '/flows/-/cancel/?next=%2Fback%2F', { follow: false })).headers.get('location')).toBe('/back/');
    const absolute = await browser.send('GET', '/flows/-/cancel/?next=https%3A%2F%2Fevil.example%2F', { follow: false });
    expect(absolute.headers.get('location')).toBe('/flows/-/default/invalidation/');
  });

  it('redirectStage(to), authentik’s in-memory RedirectStage, ends a flow anywhere', async () => {
    mock.site.add({
      matches: (path) => path === '/test/redirect/',
      handle: (context) =>
        startFlow(mock, context, 'default-authentication-flow', { extraStages: [redirectStage('https://elsewhere.example/')] }),
    });
    const page = await browser.send('GET', '/test/redirect/', { follow: false });
    const login = pageExecutor(page.headers.get('location')!);
    await browser.send('GET', login);
    await browser.send('POST', login, { json: { component: 'ak-stage-identification', uid_field: 'user' } });
    const done = await browser.send('POST', login, { json: { component: 'ak-stage-password', password: PASSWORD } });
    expect(done.body).toEqual({ component: 'xak-flow-redirect', to: 'https://elsewhere.example/' });
  });
});

describe('logInSession, for a feature that logs a visitor in without a flow (serve --auto-login)', () => {
  it('gives the session and CSRF cookies of a logged-in session', async () => {
    mock.site.add({
      matches: (path) => path === '/test/auto-login/',
      handle: (context) => ({ status: 204, headers: {}, cookies: logInSession(mock, context, 2) }),
    });
    const reply = await browser.send('GET', '/test/auto-login/');
    expect(reply.setCookies).toEqual([expect.stringMatching(/^authentik_session=/), expect.stringMatching(/^authentik_csrf=/)]);
    const me = await browser.send('GET', '/api/v3/core/users/me/');
    expect((me.body as { user: { username: string } }).user.username).toBe('user');
  });
});

describe('stage kinds and policies', () => {
  async function flowWith(stage: Record<string, unknown>, stagePath: string) {
    const flow = await admin('POST', '/flows/instances/', {
      name: 'Custom',
      slug: 'custom',
      title: 'Custom flow',
      designation: 'authentication',
    });
    const created = await admin('POST', stagePath, stage);
    const binding = await admin('POST', '/flows/bindings/', { target: flow['pk'], stage: created['pk'], order: 0 });
    return { flow, stage: created, binding };
  }

  it('a kind the mock does not run denies the flow naming it; registerStage makes it run', async () => {
    await flowWith({ name: 'captcha', public_key: 'pub', private_key: 'priv' }, '/stages/captcha/');
    const denied = await browser.send('GET', executorUrl('custom'));
    expect(denied.body).toMatchObject({
      component: 'ak-stage-access-denied',
      error_message: 'authentik-mock does not run Captcha Stage stages ("captcha").',
    });
    registerStage(mock, 'authentik_stages_captcha.captchastage', { get: () => ({ ok: true }) });
    expect((await browser.send('GET', executorUrl('custom'))).body).toEqual({ component: 'xak-flow-redirect', to: '/' });
  });

  it('a failing dummy policy on the flow makes it not apply; on a stage binding it skips the stage', async () => {
    const { flow, binding } = await flowWith({ name: 'dummy stage' }, '/stages/dummy/');
    expect((await browser.send('GET', executorUrl('custom'))).body).toMatchObject({ component: 'ak-stage-dummy' });
    const failing = await admin('POST', '/policies/dummy/', { name: 'never', result: false });
    await admin('POST', '/policies/bindings/', { policy: failing['pk'], target: binding['policybindingmodel_ptr_id'], order: 0 });
    const fresh = new BrowserLike(mock.fetch, ORIGIN, contract);
    expect((await fresh.send('GET', executorUrl('custom'))).body).toEqual({ component: 'xak-flow-redirect', to: '/' });
    await admin('POST', '/policies/bindings/', { policy: failing['pk'], target: flow['policybindingmodel_ptr_id'], order: 0 });
    const other = new BrowserLike(mock.fetch, ORIGIN, contract);
    expect((await other.send('GET', executorUrl('custom'))).body).toMatchObject({ component: 'ak-stage-access-denied' });
  });

  it('an expression policy the mock cannot run gives its binding’s failure_result', async () => {
    const { binding } = await flowWith({ name: 'dummy stage' }, '/stages/dummy/');
    const expression = await admin('POST', '/policies/expression/', { name: 'python', expression: 'return request.user.is_staff' });
    const bound = await admin('POST', '/policies/bindings/', {
      policy: expression['pk'],
      target: binding['policybindingmodel_ptr_id'],
      order: 0,
      failure_result: false,
    });
    expect((await browser.send('GET', executorUrl('custom'))).body).toEqual({ component: 'xak-flow-redirect', to: '/' });
    await admin('PATCH', `/policies/bindings/${String(bound['pk'])}/`, { failure_result: true });
    const fresh = new BrowserLike(mock.fetch, ORIGIN, contract);
    expect((await fresh.send('GET', executorUrl('custom'))).body).toMatchObject({ component: 'ak-stage-dummy' });
  });
});

describe('`/`, where a flow without `next` ends (authentik/core/urls.py root-redirect)', () => {
  it('sends nobody to the login flow with next=/, a logged-in user to /if/user/, and nobody again after sign-out', async () => {
    const anonymous = await browser.send('GET', '/?theme=dark', { follow: false });
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([302, '/flows/-/default/authentication/?next=/%3Ftheme%3Ddark']);

    const login = executorUrl('default-authentication-flow');
    await browser.send('GET', login);
    await browser.send('POST', login, { json: { component: 'ak-stage-identification', uid_field: 'user' } });
    const done = await browser.send('POST', login, { json: { component: 'ak-stage-password', password: PASSWORD } });
    expect(done.body).toEqual({ component: 'xak-flow-redirect', to: '/' });
    const user = await browser.send('GET', '/?theme=dark', { follow: false });
    expect([user.status, user.headers.get('location')]).toEqual([302, '/if/user/?theme=dark']);

    // Sign-out (the end-session endpoint's page runs the invalidation flow): its end is `/`, which is the login again.
    const signOut = await browser.send('GET', executorUrl('default-invalidation-flow'));
    expect(signOut.body).toEqual({ component: 'xak-flow-redirect', to: '/' });
    const after = await browser.send('GET', '/', { follow: false });
    expect(after.headers.get('location')).toBe('/flows/-/default/authentication/?next=/');
  });
});
