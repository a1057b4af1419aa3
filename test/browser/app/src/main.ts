// A frontend app using authentik-mock as the README tells one to: MSW's worker in the page, the contract and its
// precompiled validators loaded lazily from the app's own origin, the official client next to plain fetch. The page
// is served with `script-src 'self'`. It runs its checks on load and shows what it saw as JSON in #results, which
// the Chromium test reads (its own code does the work: nothing is evaluated from outside the page).
import { Configuration, CoreApi, ResponseError } from '@goauthentik/api';
import { createHandlers } from 'authentik-mock/msw';
import { setupWorker } from 'msw/browser';

const TOKEN = 'browser-dev-token';
const ADMIN_PASSWORD = 'browser-admin-password';
const API = `${location.origin}/api/v3`;
// An absolute URL: bundlers leave it alone (Vite's dev server would otherwise add `?import` and refuse a public/ file).
const CONTRACT_URL = new URL('/authentik-contract.js', location.href).href;
/** `?contract=json`: the contract as plain JSON, without precompiled validators: createHandlers refuses it here. */
const PLAIN_JSON = new URLSearchParams(location.search).get('contract') === 'json';
/** `?persist=sessionStorage`: the world kept across reloads. */
const PERSIST = new URLSearchParams(location.search).get('persist') === 'sessionStorage' ? 'sessionStorage' : undefined;

interface Answer {
  status: number;
  body: unknown;
}

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} blocked ${e.blockedURI}`));

/** Proves the page is under the strict CSP: code from a string must not run here. */
function evalBlocked(): boolean {
  try {
    return new Function('return false')() as boolean;
  } catch (error) {
    return error instanceof EvalError;
  }
}

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${API}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

async function run(): Promise<Record<string, unknown>> {
  const phase = Number(sessionStorage.getItem('phase') ?? '0') + 1;
  sessionStorage.setItem('phase', String(phase));
  const results: Record<string, unknown> = { phase, cspBlocksEval: evalBlocked(), violations };

  // The contract and its validators: data the page loads when it starts the mock, not part of its bundle.
  type Contract = NonNullable<Parameters<typeof createHandlers>[0]>['contract'];
  const contract = PLAIN_JSON
    ? ((await (await fetch('/authentik-contract.json')).json()) as Contract)
    : ((await import(/* @vite-ignore */ CONTRACT_URL)) as { contract: Contract }).contract;
  const handlers = createHandlers({ contract, adminToken: TOKEN, adminPassword: ADMIN_PASSWORD, ...(PERSIST ? { persist: PERSIST } : {}) });
  // MSW's defaults otherwise (msw 2 and 3 name the unhandled-request option differently): the app's own requests
  // pass through to its server, with a console warning.
  await setupWorker(...handlers).start({ quiet: true });
  results['workerReadyMs'] = performance.now();

  const users = await call('GET', '/core/users/?page_size=5');
  results['firstAnswerMs'] = performance.now();
  const page = users.body as { pagination: { count: number }; results: Array<{ username: string }> };
  results['users'] = { status: users.status, count: page.pagination.count, usernames: page.results.map((u) => u.username) };

  const created = await call('POST', '/core/groups/', { name: `Browser group ${phase}` });
  const pk = (created.body as { pk: string }).pk;
  const readBack = await call('GET', `/core/groups/${pk}/`);
  results['group'] = { status: created.status, pk, readBack: readBack.status, name: (readBack.body as { name: string }).name };

  const pks = JSON.parse(sessionStorage.getItem('created') ?? '[]') as string[];
  if (pks.length > 0) {
    const previous = await call('GET', `/core/groups/${pks.at(-1)}/`);
    results['previousGroupAfterReload'] = { status: previous.status, name: (previous.body as { name?: string }).name };
  }
  sessionStorage.setItem('created', JSON.stringify([...pks, pk]));
  results['createdPks'] = [...pks, pk];

  results['drf400'] = await call('POST', '/core/groups/', { name: '', is_superuser: 'maybe', users: ['x'] });
  results['forbidden'] = await call('GET', '/core/users/', undefined, null);

  const core = new CoreApi(new Configuration({ basePath: API, accessToken: TOKEN }));
  const listed = await core.coreUsersList({ pageSize: 3 });
  const official: Record<string, unknown> = { count: listed.pagination.count, usernames: listed.results.map((u) => u.username) };
  const group = await core.coreGroupsCreate({ groupRequest: { name: `Client group ${phase}` } });
  official['created'] = (await core.coreGroupsRetrieve({ groupUuid: group.pk })).name;
  try {
    await core.coreGroupsCreate({ groupRequest: { name: '' } });
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    official['error'] = { status: error.response.status, body: (await error.response.json()) as unknown };
  }
  results['officialClient'] = official;

  results['login'] = await logIn();

  // Requests the mock does not handle reach the app's own server.
  const asset = await fetch('/app-asset.txt');
  results['asset'] = { status: asset.status, text: (await asset.text()).trim() };
  results['compiledAtRunTime'] = handlers.mock.contract.compiledAtRunTime;
  return results;
}

/**
 * Logging in through the flow executor, as a login page of the app would: the mock's answers set the session and CSRF
 * cookies as the page's cookies, which MSW sends back; the API then takes the session (a write only with the CSRF
 * header, read from the csrf cookie as authentik's UI reads it).
 */
async function logIn(): Promise<Record<string, unknown>> {
  const executor = `${API}/flows/executor/default-authentication-flow/?query=`;
  const csrf = () => document.cookie.match(/(?:^|; )authentik_csrf=([^;]*)/)?.[1] ?? '';
  const step = async (body?: unknown) => {
    const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    return ((await (await fetch(executor, init)).json()) as { component: string }).component;
  };
  const steps = [
    await step(),
    await step({ component: 'ak-stage-identification', uid_field: 'akadmin' }),
    await step({ component: 'ak-stage-password', password: ADMIN_PASSWORD }),
  ];
  const me = await call('GET', '/core/users/me/', undefined, null);
  const write = (headers: Record<string, string>) =>
    fetch(`${API}/core/groups/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"name":"by session"}',
    });
  const refused = await write({});
  return {
    steps,
    cookies: document.cookie
      .split('; ')
      .map((c) => c.split('=')[0])
      .filter((name) => name?.startsWith('authentik_'))
      .sort(),
    me: { status: me.status, username: (me.body as { user?: { username: string } }).user?.username },
    withoutCsrf: { status: refused.status, body: (await refused.json()) as unknown },
    withCsrf: (await write({ 'x-authentik-csrf': csrf() })).status,
  };
}

const results = await run().catch((error: unknown): Record<string, unknown> => ({
  error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error),
}));
document.querySelector('#results')!.textContent = JSON.stringify(results, null, 2);
document.body.dataset['done'] = String(results['phase'] ?? 'error');
