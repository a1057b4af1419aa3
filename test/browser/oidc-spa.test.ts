// The login issue's last item, in a real browser: a single-page app on its own origin signs in with oidc-client-ts
// (authorization code + PKCE, a public client). Chromium follows the redirect to the mock's authorize endpoint, then
// to its login page at /if/flow/…, where the test types the username and password as a user does; the flow sends
// the browser back to the app, whose callback exchanges the code and calls /api/v3/core/users/me/ with the access
// token. The provider and application are made through the API, as in authentik's admin UI. Skipped, saying so,
// where /usr/bin/chromium is not installed (see browser.test.ts).
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/adapters/http-server.js';
import { referenceDocument } from '../support/contracts.js';
import { CHROMIUM, ROOT, serveStatic, type StaticServer } from './app-project.js';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `test/browser: SKIPPED the oidc-client-ts test — no browser at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH).`,
  );

const ADMIN_PASSWORD = 'spa-test-admin-password';
const USER_PASSWORD = 'spa-test-user-password';
const SCOPES = ['openid', 'email', 'profile', 'goauthentik.io/api'];
const SCREENSHOTS = join(ROOT, 'test', '__screenshots__');
const STEP = { timeout: 15_000 };

/** The mock as `serve` runs it on a loopback address (pages anywhere may call it), and one without CORS for pages. */
let mock: RunningServer;
let strict: RunningServer;
let spa: StaticServer;
let spaDir: string;
let browser: Browser;

const start = (cors: '*' | undefined) =>
  startServer({
    contract: referenceDocument(),
    recordsPerEntity: 0,
    adminPassword: ADMIN_PASSWORD,
    userPassword: USER_PASSWORD,
    cors,
    onEvent: () => {},
  });

/** The admin's call to the API over HTTP; throws with the answer when it is not the expected status. */
async function api(server: RunningServer, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.apiUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${server.mock.world.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status !== (body === undefined ? 200 : 201)) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

type Listed = { results: Array<Record<string, unknown>> };

/**
 * A public OAuth2 provider for the app's callback, with authentik's scope mappings for SCOPES, and its application,
 * made through the API; the app's config-<key>.json names them.
 */
async function addApplication(server: RunningServer, key: string, flowSlug: string): Promise<void> {
  const flows = (await api(server, `flows/instances/?slug=${flowSlug}`)) as Listed;
  const mappings = (await api(server, 'propertymappings/provider/scope/?page_size=100')) as Listed;
  const provider = await api(server, 'providers/oauth2/', {
    name: `${key} provider`,
    authorization_flow: flows.results[0]!['pk'],
    client_type: 'public',
    redirect_uris: `${spa.origin}/callback.html\n${spa.origin}/silent.html`,
    property_mappings: mappings.results
      .filter((m) => String(m['managed']).startsWith('goauthentik.io/providers/oauth2/') && SCOPES.includes(String(m['scope_name'])))
      .map((m) => m['pk']),
  });
  await api(server, 'core/applications/', { name: `${key} app`, slug: key, provider: provider['pk'] });
  const config = {
    authority: `${server.url}/application/o/${key}/`,
    clientId: provider['client_id'],
    scope: SCOPES.join(' '),
    api: server.apiUrl,
  };
  writeFileSync(join(spaDir, `config-${key}.json`), JSON.stringify(config));
}

/** The app's files and the oidc-client-ts browser build in one folder, served from the app's own origin. */
async function serveSpa(): Promise<void> {
  spaDir = mkdtempSync(join(tmpdir(), 'authentik-mock-spa-'));
  cpSync(join(import.meta.dirname, 'spa'), spaDir, { recursive: true });
  copyFileSync(join(ROOT, 'node_modules', 'oidc-client-ts', 'dist', 'browser', 'oidc-client-ts.js'), join(spaDir, 'oidc-client-ts.js'));
  // The app's own CSP: its scripts, and calls to the mocks (discovery, token, userinfo, API) — nothing else.
  spa = await serveStatic(
    spaDir,
    `default-src 'self'; connect-src 'self' ${mock.url} ${strict.url}; frame-src 'self' ${mock.url}; object-src 'none'; base-uri 'none'`,
  );
}

/**
 * Opens the app in a fresh browser context and presses its "Sign in" button; the page lands on the mock. Neither
 * the app's pages nor the login page may throw, nor break their CSP, on the way.
 */
async function signIn(app: string, run: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  const problems: string[] = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) problems.push(`${page.url()}: ${message.text()}`);
    });
    await page.goto(`${spa.origin}/?app=${app}`, STEP);
    await page.waitForSelector('body[data-done="ready"]', STEP);
    await page.click('#login', STEP);
    await page.waitForSelector('input[name="uidField"]', STEP);
    await run(page);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}

async function submit(page: Page, input: string, value: string): Promise<void> {
  await page.fill(`input[name="${input}"]`, value, STEP);
  await page.click('button[type="submit"]', STEP);
}

/** What the app shows once its callback has run (or failed). */
async function outcome(page: Page): Promise<{ origin: string; user: string | null; error: string | null; profile: unknown }> {
  await page.waitForSelector('body[data-done="signed-in"], body[data-done="error"]', STEP);
  const profile = await page.getAttribute('body', 'data-profile');
  return {
    origin: new URL(page.url()).origin,
    user: await page.textContent('#user'),
    error: await page.textContent('#error'),
    profile: profile ? (JSON.parse(profile) as unknown) : null,
  };
}

const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `oidc-spa-${name}.png`) });

describe.skipIf(!hasChromium)('a single-page app with oidc-client-ts signs in through the mock’s login page, in Chromium', () => {
  beforeAll(async () => {
    [mock, strict] = await Promise.all([start('*'), start(undefined)]);
    await serveSpa();
    await addApplication(mock, 'spa', 'default-provider-authorization-implicit-consent');
    await addApplication(mock, 'spa-consent', 'default-provider-authorization-explicit-consent');
    await addApplication(strict, 'spa-strict', 'default-provider-authorization-implicit-consent');
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await spa?.close();
    await Promise.all([mock?.close(), strict?.close()]);
    if (spaDir) rmSync(spaDir, { recursive: true, force: true });
  });

  it('goes to the authentication flow with `next` = authorize (PKCE), logs in with the typed password, the token calls users/me', async () => {
    await signIn('spa', async (page) => {
      // authentik's LOGIN_URL: the authentication flow, then back to the authorize request (authentik/root/settings.py).
      const login = new URL(page.url());
      expect(login.origin + login.pathname).toBe(`${mock.url}/if/flow/default-authentication-flow/`);
      const next = new URL(login.searchParams.get('next')!, mock.url);
      expect(next.pathname).toBe('/application/o/authorize/');
      expect(next.searchParams.get('code_challenge_method')).toBe('S256');
      expect(next.searchParams.get('redirect_uri')).toBe(`${spa.origin}/callback.html`);
      await screenshot(page, 'login');
      await submit(page, 'uidField', 'akadmin');
      await submit(page, 'password', ADMIN_PASSWORD);
      expect(await outcome(page)).toEqual({
        origin: spa.origin,
        user: 'Signed in as akadmin',
        error: '',
        profile: { username: 'akadmin', email: 'root@example.com' },
      });
      await screenshot(page, 'signed-in');
    });
  });

  it('renews the token in a hidden iframe (prompt=none, the session cookie); after sign-out the renewal needs a login', async () => {
    await signIn('spa', async (page) => {
      await submit(page, 'uidField', 'akadmin');
      await submit(page, 'password', ADMIN_PASSWORD);
      expect(await outcome(page)).toMatchObject({ user: 'Signed in as akadmin', error: '' });
      const renew = () => page.evaluate(() => (window as unknown as { spa: { renew(): Promise<unknown> } }).spa.renew());
      expect(await renew()).toEqual({ renewed: true, username: 'akadmin' });

      // The app leaves for the provider's end-session page: nothing to wait for in the page.
      await page.evaluate(() => void (window as unknown as { spa: { signOut(): Promise<void> } }).spa.signOut());
      await page.waitForURL((url) => url.origin === mock.url, STEP);
      // authentik's invalidation flow logs out and ends at `/`, which is the login page again.
      await page.waitForSelector('input[name="uidField"]', STEP);
      expect(new URL(page.url()).pathname).toBe('/if/flow/default-authentication-flow/');
      await screenshot(page, 'signed-out');
      await page.goto(`${spa.origin}/?app=spa`, STEP);
      await page.waitForSelector('body[data-done="ready"]', STEP);
      expect(await renew()).toEqual({ error: 'login_required' });
    });
  });

  it('the ordinary user: a wrong password is refused on the page, the right one and the consent screen sign in', async () => {
    await signIn('spa-consent', async (page) => {
      await submit(page, 'uidField', 'user');
      await submit(page, 'password', 'not-the-password');
      await expect.poll(() => page.textContent('.errors'), STEP).toBe('Invalid password');
      await submit(page, 'password', USER_PASSWORD);
      await page.waitForSelector('ul.permissions', STEP);
      expect(await page.textContent('main')).toContain("You're about to sign into spa-consent app.");
      await screenshot(page, 'consent');
      await page.click('button[type="submit"]', STEP);
      expect(await outcome(page)).toMatchObject({ origin: spa.origin, user: 'Signed in as user', error: '' });
    });
  });

  it('without CORS for pages (as authentik): discovery, token and userinfo pass by the redirect URI’s origin; the API is refused', async () => {
    await signIn('spa-strict', async (page) => {
      await submit(page, 'uidField', 'akadmin');
      await submit(page, 'password', ADMIN_PASSWORD);
      // authentik sends no CORS headers on /api/v3: the browser keeps the answer from the page.
      expect(await outcome(page)).toEqual({
        origin: spa.origin,
        user: 'Signing in…',
        error: 'Failed to fetch',
        profile: { username: 'akadmin', email: 'root@example.com' },
      });
    });
  });
});
