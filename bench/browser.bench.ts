/**
 * npm run bench:browser — what `authentik-mock/msw` costs a frontend: production Vite builds of a small app with MSW
 * alone and with MSW + authentik-mock/msw (gzip of the JavaScript Vite writes; public/ files are not part of it),
 * the size of the lazily loaded contract module (`authentik-mock bundle --out public/authentik-contract.js`), and,
 * in headless Chromium (/usr/bin/chromium), the time from navigation until the worker has answered the page's
 * first request: cold (a new browser profile: no service worker, nothing cached) and on reload.
 */
import { median } from './stats.js';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { addMockFiles, bundleSize, CHROMIUM, createProject, serveStatic, viteBuild } from '../test/browser/app-project.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const TARGET_GZIP = 250_000;

const html = `<!doctype html><html><head><meta charset="utf-8"><script type="module" src="/src/main.ts"></script></head><body></body></html>`;
const mswOnly = `
import { http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';
await setupWorker(http.get('/api/v3/core/users/', () => HttpResponse.json({ results: [] }))).start({ quiet: true, onUnhandledRequest: 'bypass' });
const response = await fetch('/api/v3/core/users/?page_size=5');
document.body.dataset['status'] = String(response.status);
document.body.dataset['firstAnswerMs'] = String(performance.now());
`;
const withMock = `
import { setupWorker } from 'msw/browser';
import { createHandlers } from 'authentik-mock/msw';
const { contract } = await import(/* @vite-ignore */ new URL('/authentik-contract.js', location.href).href);
document.body.dataset['contractMs'] = String(performance.now());
await setupWorker(...createHandlers({ contract, adminToken: 'dev-token' })).start({ quiet: true, onUnhandledRequest: 'bypass' });
document.body.dataset['workerMs'] = String(performance.now());
const response = await fetch('/api/v3/core/users/?page_size=5', { headers: { authorization: 'Bearer dev-token' } });
document.body.dataset['status'] = String(response.status);
document.body.dataset['firstAnswerMs'] = String(performance.now());
`;

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** Milliseconds from navigation start: contract module loaded, worker started, first answer (as the page saw them). */
interface Timing {
  contract: number;
  worker: number;
  answer: number;
}

async function firstAnswer(browser: Browser, origin: string): Promise<{ cold: Timing[]; reload: Timing[] }> {
  const cold: Timing[] = [];
  const reload: Timing[] = [];
  const read = async (page: Page): Promise<Timing> => {
    await page.waitForSelector('body[data-first-answer-ms]', { state: 'attached', timeout: 60_000 });
    if ((await page.getAttribute('body', 'data-status')) !== '200') throw new Error('the first request was not answered 200');
    const ms = async (name: string) => Number((await page.getAttribute('body', `data-${name}-ms`)) ?? NaN);
    return { contract: await ms('contract'), worker: await ms('worker'), answer: await ms('first-answer') };
  };
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext(); // a fresh profile: no service worker registered, empty caches
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    cold.push(await read(page));
    await page.reload();
    reload.push(await read(page));
    await context.close();
  }
  return { cold, reload };
}

const alone = createProject({ 'index.html': html, 'src/main.ts': mswOnly });
const mocked = createProject({ 'index.html': html, 'src/main.ts': withMock });
let browser: Browser | undefined;
try {
  await addMockFiles(alone); // the same worker file; the contract module goes unused here
  const bundled = await addMockFiles(mocked);
  const [aloneSize, mockedSize] = [bundleSize(await viteBuild(alone)), bundleSize(await viteBuild(mocked))];
  const added = mockedSize.gzip - aloneSize.gzip;
  console.log(`MSW alone:                   ${kB(aloneSize.bytes)} min, ${kB(aloneSize.gzip)} gzip`);
  console.log(`MSW + authentik-mock/msw:    ${kB(mockedSize.bytes)} min, ${kB(mockedSize.gzip)} gzip`);
  console.log(
    `added by authentik-mock/msw: ${kB(mockedSize.bytes - aloneSize.bytes)} min, ${kB(added)} gzip ` +
      `(target ≤ ${kB(TARGET_GZIP)}: ${added <= TARGET_GZIP ? 'met' : 'MISSED'})`,
  );

  const module = join(mocked.dir, 'public', 'authentik-contract.js');
  const moduleGzip = gzipSync(readFileSync(module)).length;
  console.log(`contract module, loaded lazily: ${kB(statSync(module).size)}, ${kB(moduleGzip)} gzip — ${bundled}`);

  browser = await chromium.launch({ executablePath: CHROMIUM });
  for (const [name, project] of [
    ['MSW alone (one handler)', alone],
    ['MSW + authentik-mock (whole API)', mocked],
  ] as const) {
    const server = await serveStatic(join(project.dir, 'dist'));
    try {
      const { cold, reload } = await firstAnswer(browser, server.origin);
      const show = (timings: Timing[]) => {
        const answers = timings.map((t) => t.answer);
        const at = (key: keyof Timing) => median(timings.map((t) => t[key])).toFixed(0);
        const steps = Number.isNaN(timings[0]!.contract)
          ? ''
          : ` (contract loaded at ${at('contract')} ms, worker started at ${at('worker')} ms)`;
        return `${median(answers).toFixed(0)} ms [${answers.map((v) => v.toFixed(0)).join(', ')}]${steps}`;
      };
      console.log(`${name}, first answer after navigation start, median of ${RUNS}:`);
      console.log(`  cold:   ${show(cold)}`);
      console.log(`  reload: ${show(reload)}`);
    } finally {
      await server.close();
    }
  }
} finally {
  await browser?.close();
  alone.remove();
  mocked.remove();
}
