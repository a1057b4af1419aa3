// The login page (/if/flow/{slug}/): plain HTML and one ES module, served by the Node side under a strict CSP, that
// drive the executor. Its inputs are named as authentik's, so login automation written for authentik — Playwright's
// fill('input[name="uidField"]') — works unchanged. Driven in headless Chromium (Debian's, through playwright-core).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../src/adapters/vitest.js';
import { addTotpDevice, totpCode } from '../src/flows/index.js';
import { LOGIN_PAGE_DIR } from '../src/node/login-page.js';
import { referenceDocument } from './support/contracts.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOTS = join(import.meta.dirname, '__screenshots__');
const ADMIN_PASSWORD = 'page admin password';
const ME = '/api/v3/core/users/me/';

let running: RunningMock;

beforeAll(async () => {
  running = await startMock({ contract: referenceDocument(), recordsPerEntity: 0, adminPassword: ADMIN_PASSWORD });
});
afterAll(() => running?.close());

describe('the login page’s files', () => {
  const html = readFileSync(join(LOGIN_PAGE_DIR, 'flow.html'), 'utf8');
  const script = readFileSync(join(LOGIN_PAGE_DIR, 'flow.js'), 'utf8');

  it('reference only the page’s own module and style sheet: no inline script, style or handler', () => {
    const referenced = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(referenced.sort()).toEqual(['/static/authentik-mock/flow.css', '/static/authentik-mock/flow.js']);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  it('are served for a flow that exists, with the CSP and the executor’s URL; an unknown flow is a 404', async () => {
    const page = await fetch(`${running.origin}/if/flow/default-authentication-flow/?next=%2F`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'; style-src 'self'/);
    expect(await page.text()).toContain('content="/api/v3/flows/executor/default-authentication-flow/"');
    expect((await fetch(`${running.origin}/if/flow/no-such-flow/`)).status).toBe(404);
    const module = await fetch(`${running.origin}/static/authentik-mock/flow.js`);
    expect([module.status, module.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await fetch(`${running.origin}/static/authentik-mock/other.js`)).status).toBe(404);
    const post = await fetch(`${running.origin}/if/flow/default-authentication-flow/`, { method: 'POST' });
    expect([post.status, post.headers.get('allow'), await post.text()]).toEqual([405, 'GET, HEAD, OPTIONS', '']);
  });

  it('are reached from /flows/-/default/authentication/, which keeps the query (ToDefaultFlow)', async () => {
    const redirect = await fetch(`${running.origin}/flows/-/default/authentication/?next=%2Fapp%2F`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/if/flow/default-authentication-flow/?next=%2Fapp%2F');
  });
});

if (!HAS_CHROMIUM) console.warn(`login-page: ${CHROMIUM} is not installed; the headless Chromium tests are skipped.`);

describe.skipIf(!HAS_CHROMIUM)('the login page in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);
  afterAll(() => browser?.close());

  beforeEach(async () => {
    running.mock.reset();
    problems.length = 0;
    const context = await browser.newContext();
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      const url = message.location().url ?? '';
      // Avatars are gravatar URLs, which a test machine cannot reach; the browser asks every page for /favicon.ico.
      if (message.type() !== 'error' || message.text().includes('ERR_NAME_NOT_RESOLVED') || url.endsWith('/favicon.ico')) return;
      problems.push(`${message.text()} (${url})`);
    });
    await page.exposeFunction('reportViolation', (text: string) => problems.push(`CSP violation: ${text}`));
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as unknown as { reportViolation: (text: string) => void }).reportViolation(
          `${event.violatedDirective} ${event.blockedURI}`,
        ),
      ),
    );
  });

  const open = (next = ME) => page.goto(`${running.origin}/if/flow/default-authentication-flow/?next=${encodeURIComponent(next)}`);

  async function submit(): Promise<void> {
    await page.click('button[type="submit"]');
  }

  it('logs in by filling authentik’s inputs, and lands on `next` with the session', async () => {
    await open();
    await page.fill('input[name="uidField"]', 'akadmin');
    await page.screenshot({ path: join(SCREENSHOTS, 'login-identification.png') });
    await submit();
    await page.fill('input[name="password"]', 'not the password');
    await submit();
    await page.getByText('Invalid password').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'login-invalid-password.png') });
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await submit();
    await page.waitForURL(`**${ME}`);
    expect(JSON.parse((await page.textContent('body')) ?? '{}')).toMatchObject({ user: { username: 'akadmin' } });
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'authentik_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookies.find((c) => c.name === 'authentik_csrf')).toMatchObject({ httpOnly: false, sameSite: 'Lax' });
    expect(problems).toEqual([]);
  });

  it('asks for the TOTP code of a user with a device (input name="code")', async () => {
    const device = addTotpDevice(running.mock.world, 1);
    await open();
    await page.fill('input[name="uidField"]', 'akadmin');
    await submit();
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await submit();
    await page.locator('input[name="code"]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'login-totp.png') });
    await page.fill('input[name="code"]', await totpCode(String(device['key'])));
    await submit();
    await page.waitForURL(`**${ME}`);
    expect(problems).toEqual([]);
  });

  it('shows access denied after five wrong passwords', async () => {
    await open();
    await page.fill('input[name="uidField"]', 'akadmin');
    await submit();
    for (let attempt = 1; attempt <= 5; attempt++) {
      await page.locator('input[name="password"]').waitFor();
      await page.fill('input[name="password"]', `wrong ${attempt}`);
      await submit();
      if (attempt < 5) await page.locator('.errors').waitFor();
    }
    await page.locator('#access-denied').waitFor();
    expect(await page.textContent('#access-denied')).toBe('Unknown error');
    await page.screenshot({ path: join(SCREENSHOTS, 'login-denied.png') });
    expect(problems).toEqual([]);
  });

  it('opens authentik’s client websocket under the page’s CSP, then logs out through the invalidation flow', async () => {
    await open('/if/flow/default-authentication-flow/');
    await page.fill('input[name="uidField"]', 'akadmin');
    await submit();
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await submit();
    await page.waitForURL('**/if/flow/default-authentication-flow/');
    const socket = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws/client/`);
          ws.onopen = () => setTimeout(() => resolve(ws.readyState === WebSocket.OPEN ? 'open' : 'closed'), 300);
          ws.onerror = () => resolve('error');
        }),
    );
    expect(socket).toBe('open');
    const me = () => page.evaluate(async (url) => (await fetch(url)).status, ME);
    expect(await me()).toBe(200);
    await page.goto(`${running.origin}/flows/-/default/invalidation/`);
    // The flow ends at "/", which sends nobody to log in (login_required, authentik/core/urls.py); users/me is a 403.
    await page.waitForURL(`${running.origin}/if/flow/default-authentication-flow/?next=%2F`);
    await page.waitForSelector('input[name="uidField"]');
    expect(await me()).toBe(403);
    expect(problems.filter((p) => !p.endsWith(`403 (Forbidden) (${running.origin}${ME})`))).toEqual([]);
  });
});
