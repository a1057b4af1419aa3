// Issue 18: the OAuth2 authorization flow runs in the flow executor, as authentik's AuthorizationFlowInitView runs
// it — log in, consent on the flow's consent stage, and the last stage sends the browser back to the app with a code.
import { describe, expect, it } from 'vitest';
import { Contract } from '../src/contract/contract.js';
import { MockServer } from '../src/mock-server.js';
import { referenceDocument } from './support/contracts.js';
import { makeOidcApp } from './support/oidc-app.js';
import { BrowserLike, executorUrl } from './support/browser-like.js';

const contract = new Contract(referenceDocument());
const ORIGIN = 'http://127.0.0.1:9000';

interface Challenge {
  component: string;
  [field: string]: unknown;
}

async function loggedIn(mock: MockServer): Promise<BrowserLike> {
  const browser = new BrowserLike((url, init) => mock.fetch(url, init), ORIGIN, mock.contract);
  const flow = 'default-authentication-flow';
  await browser.send('GET', executorUrl(flow));
  await browser.send('POST', executorUrl(flow), { json: { component: 'ak-stage-identification', uid_field: 'akadmin' }, csrf: true });
  const done = await browser.send('POST', executorUrl(flow), {
    json: { component: 'ak-stage-password', password: mock.passwords.admin },
    csrf: true,
  });
  expect((done.body as Challenge).component).toBe('xak-flow-redirect');
  return browser;
}

describe('authorization through the executor', () => {
  it('asks consent on the explicit-consent flow, then redirects with a code; the consent is remembered', async () => {
    const mock = new MockServer({ contract, recordsPerEntity: 0 });
    const app = await makeOidcApp(mock, { slug: 'payroll', flow: 'default-provider-authorization-explicit-consent' });
    const browser = await loggedIn(mock);
    const query = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: app.redirectUri,
      response_type: 'code',
      scope: 'openid email',
      state: 'st',
    });
    const authorize = await browser.send('GET', `/application/o/authorize/?${query}`, { follow: false });
    expect(authorize.status).toBe(302);
    const page = new URL(authorize.headers.get('location')!, ORIGIN);
    expect(page.pathname).toBe('/if/flow/default-provider-authorization-explicit-consent/');
    const slug = 'default-provider-authorization-explicit-consent';

    const consent = (await browser.send('GET', executorUrl(slug, page.search.slice(1)))).body as Challenge;
    expect(consent).toMatchObject({
      component: 'ak-stage-consent',
      header_text: "You're about to sign into payroll app.",
      permissions: expect.arrayContaining([{ id: 'email', name: 'Email address' }]),
    });
    const end = (
      await browser.send('POST', executorUrl(slug, page.search.slice(1)), {
        json: { component: 'ak-stage-consent', token: consent['token'] },
        csrf: true,
      })
    ).body as Challenge;
    expect(end.component).toBe('xak-flow-redirect');
    const back = new URL(String(end['to']));
    expect(`${back.origin}${back.pathname}`).toBe(app.redirectUri);
    expect(back.searchParams.get('state')).toBe('st');
    const code = back.searchParams.get('code')!;

    const token = await mock.fetch(`${ORIGIN}/application/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: app.redirectUri,
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }),
    });
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String) });

    // Remembered (the blueprint's stage is `expiring`): the next authorization needs no page.
    const again = await browser.send('GET', `/application/o/authorize/?${query}`, { follow: false });
    expect(again.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:3000\/payroll\/callback\?code=/);
  });

  it('appends a consent stage that always asks when prompt=consent meets a flow without one', async () => {
    const mock = new MockServer({ contract, recordsPerEntity: 0 });
    const app = await makeOidcApp(mock, { slug: 'implicit' });
    const browser = await loggedIn(mock);
    const query = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: app.redirectUri,
      response_type: 'code',
      scope: 'openid offline_access',
      state: 's',
    });
    const page = new URL(
      (await browser.send('GET', `/application/o/authorize/?${query}`, { follow: false })).headers.get('location')!,
      ORIGIN,
    );
    const slug = 'default-provider-authorization-implicit-consent';
    const consent = (await browser.send('GET', executorUrl(slug, page.search.slice(1)))).body as Challenge;
    expect(consent.component).toBe('ak-stage-consent');
    const end = (
      await browser.send('POST', executorUrl(slug, page.search.slice(1)), {
        json: { component: 'ak-stage-consent', token: consent['token'] },
        csrf: true,
      })
    ).body as Challenge;
    expect(String(end['to'])).toMatch(/\/implicit\/callback\?code=[0-9a-f]{32}&state=s$/);
  });
});
