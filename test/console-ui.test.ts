import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/adapters/express.js';
import type { ContractDocument } from '../src/contract/types.js';
import { consoleFiles } from '../src/node/console-files.js';
import { MockServer } from '../src/mock-server.js';
import { createMock } from '../src/node/create-mock.js';
import { referenceDocument } from './support/contracts.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOTS = join(import.meta.dirname, '__screenshots__');
const GROUPS = 'tr[data-path="/core/groups/"] .records-count';

/** A small contract with writes: groups, users, tokens and applications from the committed reference. */
function smallContract(): ContractDocument {
  const document = referenceDocument();
  const wanted = /^core_(groups|users|tokens|applications)_(list|retrieve|create|update|partial_update|destroy)$/;
  return { ...document, operations: document.operations.filter((o) => wanted.test(o.operationId)) };
}

/** A console file by the name it is served as (the part after /_mock/ui/). */
const consoleAsset = (name: string) => (Object.hasOwn(consoleFiles(), name) ? consoleFiles()[name] : undefined);

describe('the demo console files', () => {
  const page = consoleAsset('')!.body;

  it('are served by the Node side by name, with their types and the strict CSP; nothing else is', async () => {
    const mock = createMock({ contract: smallContract(), seed: 1 });
    const get = (name: string) => mock.fetch(`/_mock/ui/${name}`);
    const types = await Promise.all(
      ['', 'index.html', 'console.css', 'console.js', 'icon.svg'].map(async (name) => (await get(name)).headers),
    );
    expect(types.map((h) => h.get('content-type'))).toEqual([
      'text/html; charset=utf-8',
      'text/html; charset=utf-8',
      'text/css; charset=utf-8',
      'text/javascript; charset=utf-8',
      'image/svg+xml',
    ]);
    expect(types.every((h) => h.get('content-security-policy')?.includes("script-src 'self'"))).toBe(true);
    expect(await (await get('')).text()).toBe(page);
    for (const name of ['nope.js', 'constructor', '__proto__', 'hasOwnProperty', '..%2Fpackage.json'])
      expect((await get(name)).status, name).toBe(404);
  });

  it('are not part of a mock made without them (a browser page): /_mock/ui/ is a 404 that says where the console is', async () => {
    const mock = new MockServer({ contract: smallContract(), seed: 1 });
    const answer = await mock.fetch('/_mock/ui/');
    expect(answer.status).toBe(404);
    expect((await answer.json()).detail).toMatch(/served by authentik-mock in Node/);
  });

  it('reference only files that exist, with no inline script, style or handler', () => {
    const referenced = [...page.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(referenced.sort()).toEqual(['console.css', 'console.js', 'icon.svg', 'icon.svg']);
    for (const name of referenced) expect(consoleAsset(name), name).toBeDefined();
    expect(page).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(page).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
  });

  it('a script that parses and never writes HTML', () => {
    const script = consoleAsset('console.js')!.body;
    expect(() => new Function(script)).not.toThrow();
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });
});

if (!HAS_CHROMIUM) console.warn(`console-ui: ${CHROMIUM} is not installed; the headless Chromium tests are skipped.`);

describe.skipIf(!HAS_CHROMIUM)(`the demo console in headless Chromium${HAS_CHROMIUM ? '' : ` (skipped: no ${CHROMIUM})`}`, () => {
  let server: Server;
  let mock: MockServer;
  let start = '';
  let more = '';
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Console errors, uncaught exceptions and CSP violations, per page; `expected` ones are removed by the test. */
  const problems: string[] = [];

  const admin = () => mock.world.adminToken;
  const user = () => mock.world.userToken;

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function watch(target: Page): Promise<Page> {
    target.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    target.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await target.exposeFunction('reportViolation', (text: string) => problems.push(`CSP violation: ${text}`));
    await target.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { reportViolation: (text: string) => void }).reportViolation(
          `${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });
    return target;
  }

  /** Waits until the element's text is `expected` (a failure shows the text it had). */
  async function waitForText(selector: string, expected: string | RegExp, on: Page = page): Promise<void> {
    const pattern = typeof expected === 'string' ? `^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` : expected.source;
    try {
      await on.waitForFunction(
        ({ sel, source }) => new RegExp(source).test(document.querySelector(sel)?.textContent?.trim() ?? ''),
        { sel: selector, source: pattern },
        { timeout: 5000 },
      );
    } catch {
      const actual = await on
        .locator(selector)
        .first()
        .textContent({ timeout: 1000 })
        .catch(() => '(no such element)');
      expect(actual?.trim(), selector).toMatch(new RegExp(pattern));
    }
  }

  async function confirmDialog(): Promise<void> {
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await page.locator('#confirm-ok').click();
    await page.locator('#confirm').waitFor({ state: 'hidden' });
  }

  beforeAll(async () => {
    const app = createApp({ contract: smallContract(), seed: 1 });
    mock = app.mock;
    // A fresh install's groups plus the generated ones: what every reset comes back to.
    start = String(mock.world.table('Group').size);
    more = String(mock.world.table('Group').size + 1);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, colorScheme: 'light' });
    context.setDefaultTimeout(5000);
    page = await watch(await context.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('signs in with #token=…, drops it from the address bar and shows every resource with its count', async () => {
    await page.goto(`${base}/_mock/ui/#token=${admin()}`);
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(page.url()).toBe(`${base}/_mock/ui/`);
    expect(await page.evaluate(() => sessionStorage.getItem('authentik-mock.control-token'))).toBe(admin());

    const paths = await page.locator('#resource-rows tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['path']));
    expect(paths).toEqual(['/core/applications/', '/core/groups/', '/core/tokens/', '/core/users/']);
    const resources = (await api('GET', '/_mock/resources')).body as { path: string; keys: unknown[] }[];
    expect(resources).toHaveLength(4);
    for (const resource of resources) await waitForText(`tr[data-path="${resource.path}"] .records-count`, String(resource.keys.length));
    await waitForText('#fact-operations', String(smallContract().operations.length));
    await waitForText('#fact-resources', '4');

    await page.locator('#resource-filter').fill('group');
    expect(await page.locator('#resource-rows tr').count()).toBe(1);
    await page.locator('#resource-filter').fill('');
    expect(problems).toEqual([]);
  });

  it('shows the tokens masked, revealing one only on demand', async () => {
    const text = () => page.locator('body').innerText();
    expect(await text()).not.toContain(admin());
    expect(await text()).not.toContain(user());
    await page.locator('li[data-identity="user"] button', { hasText: 'Reveal' }).click();
    await waitForText('#token-user', user());
    expect(await text()).not.toContain(admin());
    await page.locator('li[data-identity="user"] button', { hasText: 'Hide' }).click();
    expect(await text()).not.toContain(user());

    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.locator('li[data-identity="admin"] button', { hasText: 'Copy' }).click();
    await waitForText('#notice-text', /admin token is on the clipboard/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(admin());
    expect(await text()).not.toContain(admin());
    expect(problems).toEqual([]);
  });

  it('resets the world', async () => {
    await waitForText(GROUPS, start);
    expect((await api('POST', '/api/v3/core/groups/', { name: 'made by the console test' })).status).toBe(201);
    await page.locator('#refresh').click();
    await waitForText(GROUPS, more);
    await waitForText('tr[data-path="/core/groups/"] .delta', '+1');

    await page.locator('#reset').click();
    await confirmDialog();
    await waitForText(GROUPS, start);
    await waitForText('#notice-text', /is back to/);
    expect(problems).toEqual([]);
  });

  it('says when API writes are refused (the data file cannot be saved), and when they are back', async () => {
    mock.refuseWrites('This mock cannot save its data (world.json: disk full), so it takes no writes until a save succeeds.');
    await page.locator('#refresh').click();
    await waitForText('#writes-refused', /^API writes are refused\. This mock cannot save its data \(world\.json: disk full\)/);
    mock.refuseWrites(undefined);
    await page.locator('#refresh').click();
    await page.locator('#writes-refused').waitFor({ state: 'hidden' });
    expect(problems).toEqual([]);
  });

  it('a cancelled reset changes nothing', async () => {
    expect((await api('POST', '/api/v3/core/groups/', { name: 'kept' })).status).toBe(201);
    await page.locator('#refresh').click();
    await waitForText(GROUPS, more);
    await page.locator('#reset').click();
    await page.locator('#confirm-cancel').click();
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    expect(((await api('GET', '/api/v3/core/groups/')).body as { pagination: { count: number } }).pagination.count).toBe(Number(more));
    await api('POST', '/_mock/reset');
    await page.locator('#refresh').click();
    await waitForText(GROUPS, start);
  });

  it('adds and removes scenario rules through the form', async () => {
    await page.locator('#rule-operation').fill('core_groups_list');
    await page.locator('#rule-status').fill('503');
    await page.locator('#rule-times').fill('2');
    await page.locator('#rule-add').click();
    await page.locator('#rule-list li').first().waitFor();
    expect((await api('GET', '/_mock/scenarios')).body).toEqual([
      { id: expect.any(String), match: { operationId: 'core_groups_list' }, respond: { status: 503 }, times: 2 },
    ]);
    const rule = page.locator('#rule-list li').first();
    expect(await rule.innerText()).toMatch(/core_groups_list[\s\S]*status 503[\s\S]*2 more requests/);
    await waitForText('#fact-rules', '1');
    expect((await api('GET', '/api/v3/core/groups/')).status).toBe(503);

    await page.locator('#rule-match-kind').selectOption('route');
    await page.locator('#rule-method').selectOption('GET');
    await page.locator('#rule-path').fill('/core/users/*');
    await page.locator('#rule-effect').selectOption('network');
    await page.locator('#rule-network').selectOption('timeout');
    await page.locator('#rule-delay').fill('1500');
    await page.locator('#rule-times').fill('');
    await page.locator('#rule-identity').selectOption('user');
    await page.locator('#rule-add').click();
    await waitForText('#fact-rules', '2');
    const rules = (await api('GET', '/_mock/scenarios')).body as { id: string }[];
    expect(rules[1]).toEqual({
      id: expect.any(String),
      match: { method: 'GET', path: '/core/users/*' },
      respond: { delay: 1500, network: 'timeout' },
      identity: 'user',
    });
    expect(await page.locator(`li[data-rule-id="${rules[1]!.id}"]`).innerText()).toMatch(/GET \/core\/users\/\*[\s\S]*timeout/);

    await page.locator(`li[data-rule-id="${rules[0]!.id}"] button`).click();
    await waitForText('#fact-rules', '1');
    expect(((await api('GET', '/_mock/scenarios')).body as { id: string }[]).map((r) => r.id)).toEqual([rules[1]!.id]);

    await page.locator('#rules-clear').click();
    await confirmDialog();
    await page.locator('#rules-empty').waitFor({ state: 'visible' });
    expect((await api('GET', '/_mock/scenarios')).body).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('names a problem in the rule before sending it', async () => {
    await page.locator('#rule-match-kind').selectOption('operation');
    await page.locator('#rule-operation').fill('');
    await page.locator('#rule-effect').selectOption('status');
    await page.locator('#rule-add').click();
    await waitForText('#rule-error', /Name the operation/);
    expect((await api('GET', '/_mock/scenarios')).body).toEqual([]);
  });

  it('downloads a dump and loads it back', async () => {
    const downloading = page.waitForEvent('download');
    await page.locator('#dump').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^authentik-mock-dump-.*\.json$/);
    const file = await download.path();
    const dump = JSON.parse(readFileSync(file, 'utf8')) as { records: Record<string, unknown[]> };
    expect(dump.records['Group']).toHaveLength(Number(start));

    expect((await api('POST', '/api/v3/core/groups/', { name: 'gone after the load' })).status).toBe(201);
    await page.locator('#refresh').click();
    await waitForText(GROUPS, more);

    await page.locator('#load-file').setInputFiles(file);
    await confirmDialog();
    await waitForText(GROUPS, start);
    await waitForText('#notice-text', /World loaded/);
    expect(((await api('GET', '/api/v3/core/groups/?search=gone')).body as { results: unknown[] }).results).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('refuses a file that is not a dump, changing nothing', async () => {
    const version = await page.locator('#fact-version').textContent();
    await page.locator('#load-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await waitForText('#notice-text', /Cannot load notes\.txt: it is not JSON/);
    await page.locator('#refresh').click();
    await waitForText('#fact-version', version!);
  });

  it('takes a screenshot with every region in view', async () => {
    await page.reload();
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    await api('POST', '/_mock/scenarios', {
      match: { operationId: 'core_users_list' },
      respond: { status: 503 },
      times: 3,
      identity: 'user',
    });
    await api('POST', '/api/v3/core/groups/', { name: 'demo group' });
    await page.locator('#refresh').click();
    await waitForText('tr[data-path="/core/groups/"] .delta', '+1');
    await page.locator('#rule-match-kind').selectOption('route');
    await page.locator('#rule-method').selectOption('GET');
    await page.locator('#rule-path').fill('/core/groups/*');
    await page.locator('#rule-effect').selectOption('delay');
    await page.locator('#rule-delay').fill('1500');
    await page.locator('#rule-add').click();
    await waitForText('#fact-rules', '2');
    await waitForText('#notice-text', /Rule #\d+ added/);
    expect(await page.locator('#rule-path').inputValue()).toBe(''); // the form is ready for the next rule
    for (const region of ['.topbar', '#facts', '#resources', '#identities', '#world', '#scenarios', '#rule-form', '#footer'])
      expect(await page.locator(region).isVisible(), region).toBe(true);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'console.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('asks for the token without one, and signs out', async () => {
    const other = await watch(await context.newPage());
    await other.goto(`${base}/_mock/ui/`);
    await other.locator('#sign-in').waitFor({ state: 'visible' });
    expect(await other.locator('#dashboard').isVisible()).toBe(false);
    await other.locator('#sign-in-token').fill(admin());
    await other.locator('#sign-in-submit').click();
    await other.locator('#dashboard').waitFor({ state: 'visible' });
    await other.setViewportSize({ width: 420, height: 900 });
    await other.screenshot({ path: join(SCREENSHOTS, 'console-narrow.png'), fullPage: true });
    await other.locator('#sign-out').click();
    await other.locator('#sign-in').waitFor({ state: 'visible' });
    expect(await other.evaluate(() => sessionStorage.getItem('authentik-mock.control-token'))).toBeNull();
    await other.close();
    expect(problems).toEqual([]);
  });

  it('on a 403 goes back to sign-in with the reason, on a 404 says the control API is off', async () => {
    const other = await watch(await context.newPage());
    await other.route('**/_mock/tokens', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: '{"detail": "You do not have permission to perform this action."}',
      }),
    );
    await other.goto(`${base}/_mock/ui/#token=wrong`);
    await waitForText('#sign-in-error', /refused \(HTTP 403\)/, other);
    expect(await other.evaluate(() => sessionStorage.getItem('authentik-mock.control-token'))).toBeNull();
    await other.unroute('**/_mock/tokens');

    await other.route('**/_mock/resources', (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: '{"detail": "Not found."}' }),
    );
    await other.locator('#sign-in-token').fill(admin());
    await other.locator('#sign-in-submit').click();
    await other.locator('#off').waitFor({ state: 'visible' });
    expect(await other.locator('#dashboard').isVisible()).toBe(false);
    await other.unroute('**/_mock/resources');
    await other.locator('#off-retry').click();
    await other.locator('#dashboard').waitFor({ state: 'visible' });
    await other.close();
    // The browser logs the refused requests themselves; nothing else may go wrong.
    const unexpected = problems.filter((p) => !/Failed to load resource: the server responded with a status of 40[34]/.test(p));
    expect(unexpected).toEqual([]);
    problems.length = 0;
  });
});
