// Logging in through MSW in Node (setupServer): the client keeps the cookies itself, as any Node client does — the
// mocked answers carry their Set-Cookie headers, and requests their Cookie header. (In a browser, the page's cookies
// are used: test/browser/browser.test.ts.)
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHandlers } from '../src/adapters/msw.js';
import { Contract } from '../src/contract/contract.js';
import { BrowserLike, executorUrl } from './support/browser-like.js';
import { referenceDocument } from './support/contracts.js';

const contract = new Contract(referenceDocument());
const handlers = createHandlers({ contract, recordsPerEntity: 0, origin: 'http://authentik.test', adminPassword: 'msw admin' });
const server = setupServer(...handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

it('logs in through the executor over MSW; the session reads users/me and writes with the CSRF header', async () => {
  const browser = new BrowserLike((url, init) => fetch(url, init), 'http://authentik.test', contract);
  const url = executorUrl('default-authentication-flow', 'next=%2Fapp%2F');
  await browser.send('GET', url);
  await browser.send('POST', url, { json: { component: 'ak-stage-identification', uid_field: 'akadmin' } });
  const done = await browser.send('POST', url, { json: { component: 'ak-stage-password', password: 'msw admin' } });
  expect(done.body).toEqual({ component: 'xak-flow-redirect', to: '/app/' });
  expect(done.hops).toEqual([302, 302]);
  expect([...browser.cookies.keys()].sort()).toEqual(['authentik_csrf', 'authentik_session']);
  const me = await browser.send('GET', '/api/v3/core/users/me/');
  expect((me.body as { user: { username: string } }).user.username).toBe('akadmin');
  expect((await browser.send('POST', '/api/v3/core/groups/', { json: { name: 'g' } })).status).toBe(403);
  expect((await browser.send('POST', '/api/v3/core/groups/', { json: { name: 'g' }, csrf: true })).status).toBe(201);
});

it('answers authentik’s routes outside the API too (an OAuth2 issuer’s discovery), and lets other requests pass', async () => {
  const world = handlers.mock.world;
  const app = world.table('Application').all()[0];
  // A fresh install has no application: make one through the API, over MSW.
  const admin = { authorization: `Bearer ${world.adminToken}`, 'content-type': 'application/json' };
  const flow = world.table('Flow').find('slug', 'default-provider-authorization-implicit-consent')!;
  const provider = await fetch('http://authentik.test/api/v3/providers/oauth2/', {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name: 'msw app', authorization_flow: flow['pk'], redirect_uris: 'http://app.test/cb' }),
  });
  expect(provider.status).toBe(201);
  const made = await fetch('http://authentik.test/api/v3/core/applications/', {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({
      name: 'msw app',
      slug: app ? 'msw-app-2' : 'msw-app',
      provider: ((await provider.json()) as { pk: number }).pk,
    }),
  });
  expect(made.status).toBe(201);
  const slug = ((await made.json()) as { slug: string }).slug;
  const discovery = await fetch(`http://authentik.test/application/o/${slug}/.well-known/openid-configuration`);
  expect(discovery.status).toBe(200);
  expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`http://authentik.test/application/o/${slug}/`);
  // A path no route of the mock answers is not intercepted (onUnhandledRequest: 'error' makes that a failure).
  await expect(fetch('http://authentik.test/static/app.js')).rejects.toThrow();
  // Nor is `/`, the app's own page: authentik's root redirect belongs to a server that owns the origin.
  await expect(fetch('http://authentik.test/')).rejects.toThrow();
});
