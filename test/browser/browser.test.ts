// The browser path, in a real browser: a consumer's Vite app (test/browser/app) built for production against the
// linked package, MSW's worker, the contract module of `authentik-mock bundle`, served on 127.0.0.1 with
// `script-src 'self'`, in headless Chromium (Debian's, driven by playwright-core). The page's answers are compared
// with the Node mock's for the same requests. Skipped, saying so, where /usr/bin/chromium is not installed.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockServer } from '../../src/mock-server.js';
import { referenceDocument } from '../support/contracts.js';
import {
  addMockFiles,
  APP_DIR,
  CHROMIUM,
  createProject,
  CSP,
  serveStatic,
  viteBuild,
  viteDev,
  type AppProject,
  type StaticServer,
} from './app-project.js';

const TOKEN = 'browser-dev-token'; // the app's adminToken
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `test/browser: SKIPPED the Chromium test — no browser at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH).`,
  );

type Results = Record<string, unknown> & {
  phase: number;
  error?: string;
  group: { status: number; pk: string; readBack: number; name: string };
  createdPks: string[];
};

let project: AppProject;
let server: StaticServer;
let browser: Browser;
let page: Page;
let first: Results;
let second: Results | undefined;

async function results(page: Page, phase: number | string): Promise<Results> {
  await page.waitForSelector(`body[data-done="${phase}"], body[data-done="error"]`, { timeout: 60_000 });
  const found = JSON.parse((await page.textContent('#results')) ?? '{}') as Results;
  if (found.error) throw new Error(`the page failed: ${found.error}`);
  return found;
}

/** The same requests answered by the mock in Node, from the same contract, seed and token. */
async function inNode(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const mock = (inNode.mock ??= new MockServer({ contract: referenceDocument(), adminToken: TOKEN }));
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await mock.fetch(`http://mock.test/api/v3${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}
inNode.mock = undefined as MockServer | undefined;

describe.skipIf(!hasChromium)('a Vite app with the MSW worker, under a strict CSP, in headless Chromium', () => {
  beforeAll(async () => {
    project = createProject({}, APP_DIR);
    await addMockFiles(project);
    await project.node([
      'node_modules/authentik-mock/dist/cli/main.js',
      'bundle',
      '--out',
      'public/authentik-contract.json', // for the control: the plain JSON, no validators
    ]);
    server = await serveStatic(await viteBuild(project));
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await browser.newPage();
    await page.goto(`${server.origin}/`);
    first = await results(page, 1);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    project?.remove();
  });

  it('is served with the strict CSP, which blocks eval in the page, and the mock caused no violation', async () => {
    const response = await page.request.get(`${server.origin}/`);
    expect(response.headers()['content-security-policy']).toBe(CSP);
    expect(first['cspBlocksEval']).toBe(true);
    expect(first['violations']).toEqual(['script-src blocked eval']); // the page's own check, nothing else
    expect(first['compiledAtRunTime']).toBe(0);
  });

  it('lists users as the Node mock does', async () => {
    const node = await inNode('GET', '/core/users/?page_size=5');
    const page = node.body as { pagination: { count: number }; results: Array<{ username: string }> };
    expect(first['users']).toEqual({ status: 200, count: page.pagination.count, usernames: page.results.map((u) => u.username) });
  });

  it('creates a group and reads it back', () => {
    expect(first.group).toMatchObject({ status: 201, readBack: 200, name: 'Browser group 1' });
    expect(first.group.pk).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers the DRF 400 and the 403 without a token that the Node mock answers', async () => {
    expect(first['drf400']).toEqual(await inNode('POST', '/core/groups/', { name: '', is_superuser: 'maybe', users: ['x'] }));
    expect(first['drf400']).toMatchObject({ status: 400, body: { name: ['This field may not be blank.'] } });
    expect(first['forbidden']).toEqual({ status: 403, body: { detail: 'Authentication credentials were not provided.' } });
  });

  it('serves the official @goauthentik/api client: lists, creates, and a 400 as ResponseError', () => {
    expect(first['officialClient']).toEqual({
      count: (first['users'] as { count: number }).count,
      usernames: (first['users'] as { usernames: string[] }).usernames.slice(0, 3),
      created: 'Client group 1',
      error: { status: 400, body: { name: ['This field may not be blank.'] } },
    });
  });

  it('logs in through the executor: the session and CSRF cookies are the page’s, the API takes the session', () => {
    expect(first['login']).toEqual({
      steps: ['ak-stage-identification', 'ak-stage-password', 'xak-flow-redirect'],
      cookies: ['authentik_csrf', 'authentik_session'],
      me: { status: 200, username: 'akadmin' },
      withoutCsrf: { status: 403, body: { detail: 'CSRF Failed: CSRF token missing.' } },
      withCsrf: 201,
    });
  });

  it("lets the app's own files through to its server", () => {
    expect(first['asset']).toEqual({ status: 200, text: 'A static file of the app itself, served by its own server (not by the mock).' });
  });

  it('works again after a reload: the worker answers, the world starts from its seed', async () => {
    await page.reload();
    second = await results(page, 2);
    expect(second.group).toMatchObject({ status: 201, readBack: 200, name: 'Browser group 2' });
    expect(second['users']).toEqual(first['users']);
    expect(second['violations']).toEqual(['script-src blocked eval']);
  });

  it('never reuses, after a reload, an id created before it: what was created is gone, its id names nothing', () => {
    const [before, after] = second!.createdPks;
    expect(after).not.toBe(before);
    expect(second!['previousGroupAfterReload']).toEqual({ status: 404, name: undefined });
  });

  it("with persist: 'sessionStorage', keeps the world, and what the app created, across a reload", async () => {
    const context = await browser.newContext();
    try {
      const kept = await context.newPage();
      await kept.goto(`${server.origin}/?persist=sessionStorage`);
      const before = await results(kept, 1);
      await kept.reload();
      const after = await results(kept, 2);
      expect(after['previousGroupAfterReload']).toEqual({ status: 200, name: 'Browser group 1' });
      expect(after.group.pk).not.toBe(before.group.pk);
      expect(after['users']).toEqual(before['users']);
      expect(after['compiledAtRunTime']).toBe(0); // loading the kept world checks it with the precompiled validators
      expect(after['violations']).toEqual(['script-src blocked eval']);
    } finally {
      await context.close();
    }
  });

  it("works the same under Vite's dev server, which serves public/ as it is", async () => {
    const dev = await viteDev(project);
    const context = await browser.newContext();
    try {
      const devPage = await context.newPage();
      await devPage.goto(`${dev.origin}/`);
      const found = await results(devPage, 1);
      expect(found['users']).toEqual(first['users']);
      expect(found.group).toMatchObject({ status: 201, readBack: 200 });
      expect(found['drf400']).toEqual(first['drf400']);
      expect(found['compiledAtRunTime']).toBe(0);
    } finally {
      await context.close();
      await dev.close();
    }
  });

  it('with the plain JSON contract (no precompiled validators) under the strict CSP, createHandlers says to bundle a module', async () => {
    const context = await browser.newContext();
    try {
      const control = await context.newPage();
      await control.goto(`${server.origin}/?contract=json`);
      await control.waitForSelector('body[data-done="error"]', { timeout: 60_000 });
      const found = JSON.parse((await control.textContent('#results')) ?? '{}') as { error?: string };
      expect(found.error).toMatch(/^Error: createHandlers\(\): this page does not allow eval/);
      expect(found.error).toContain('npx authentik-mock bundle --out public/authentik-contract.js');
    } finally {
      await context.close();
    }
  });
});
