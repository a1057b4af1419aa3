/**
 * authentik-mock's demo console (/_mock/ui/): one plain ES module, no framework, no build step. It runs under the
 * page's strict CSP (no eval, no inline code or styles) and writes data from the mock with textContent only — record
 * values and file names are untrusted in a shared demo. Served by the Node side (src/node/console-files.ts).
 */
const CONTROL = new URL('../', location.href); // the control API: /_mock/
const API_BASE = new URL('../../api/v3/', location.href);
const TOKEN_KEY = 'authentik-mock.control-token';
const MASK = '•'.repeat(24);

const IDENTITIES = [
  { name: 'admin', title: 'admin', description: 'akadmin, a superuser' },
  { name: 'user', title: 'user', description: 'an ordinary user, no permissions' },
];

const state = {
  token: null,
  resources: [],
  counts: new Map(),
  previous: new Map(),
  tokens: null,
  rules: [],
  revealed: new Set(),
  signedIn: false,
};

const byId = (id) => document.getElementById(id);

/** An element with a class and text; children appended. Never parses HTML. */
function el(tag, className, text, children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (children) for (const child of children) if (child) node.append(child);
  return node;
}

function show(id, visible) {
  byId(id).hidden = !visible;
}

// ---- the control token: from the URL fragment, the sign-in form, or this tab's sessionStorage ----

function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function storeToken(token) {
  state.token = token;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage off: the token lives as long as the page
  }
}

/** #token=… signs in, and leaves the address bar (and the history entry) at once. */
function takeTokenFromFragment() {
  if (!location.hash || location.hash.length < 2) return null;
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has('token')) return null;
  const token = (params.get('token') || '').trim();
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', location.pathname + location.search + (rest ? '#' + rest : ''));
  return token || null;
}

// ---- the control API ----

class ControlError extends Error {
  constructor(kind, message, status) {
    super(message);
    this.kind = kind; // 'denied' | 'off' | 'network' | 'failed'
    this.status = status;
  }
}

async function call(method, route, options) {
  const opts = options || {};
  const headers = { Accept: 'application/json', Authorization: 'Bearer ' + (state.token || '') };
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  let response;
  try {
    response = await fetch(new URL(route, CONTROL), { method, headers, body, cache: 'no-store', credentials: 'omit', redirect: 'error' });
  } catch (error) {
    throw new ControlError(
      'network',
      'The mock did not answer (' + (error && error.message ? error.message : 'network error') + '). Is it still running?',
    );
  }
  if (response.ok && opts.as === 'blob') return response.blob();
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  const detail = data && typeof data.detail === 'string' ? data.detail : '';
  if (response.status === 401 || response.status === 403)
    throw new ControlError(
      'denied',
      'The control API refused this token (HTTP ' + response.status + (detail ? ': ' + detail : '') + ').',
      response.status,
    );
  if (response.status === 404 && !opts.notFoundOk) throw new ControlError('off', detail || 'Not found.', 404);
  throw new ControlError(
    'failed',
    (detail || 'HTTP ' + response.status) + (detail ? ' (HTTP ' + response.status + ')' : ''),
    response.status,
  );
}

// ---- messages ----

function notify(kind, text) {
  const notice = byId('notice');
  notice.className = 'notice notice-' + kind;
  byId('notice-text').textContent = text;
  notice.hidden = false;
}

function clearNotice() {
  byId('notice').hidden = true;
}

function messageOf(error) {
  return error && error.message ? error.message : String(error);
}

/** What every failed action does: back to sign-in on 403, the "off" screen on 404, else a message. */
function handleError(error, what) {
  if (error instanceof ControlError && error.kind === 'denied') {
    storeToken(null);
    showSignIn(error.message + ' Sign in with the control token.');
    return;
  }
  if (error instanceof ControlError && error.kind === 'off') {
    showOff();
    return;
  }
  notify('error', what + ': ' + messageOf(error));
}

// ---- screens ----

function setScreen(screen) {
  show('loading', screen === 'loading');
  show('sign-in', screen === 'sign-in');
  show('off', screen === 'off');
  show('dashboard', screen === 'dashboard');
  show('facts', screen === 'dashboard');
  show('footer', screen === 'dashboard');
  show('session-actions', screen === 'dashboard' || screen === 'off');
  if (screen !== 'dashboard') show('writes-refused', false);
  state.signedIn = screen === 'dashboard';
}

function showSignIn(message) {
  clearNotice();
  setScreen('sign-in');
  const error = byId('sign-in-error');
  error.textContent = message || '';
  error.hidden = !message;
  byId('sign-in-token').focus();
}

function showOff() {
  clearNotice();
  setScreen('off');
}

// ---- rendering ----

const numberFormat = new Intl.NumberFormat('en');

function renderFacts(summary) {
  let records = 0;
  for (const count of state.counts.values()) records += count;
  byId('fact-operations').textContent = numberFormat.format(summary && typeof summary.operations === 'number' ? summary.operations : 0);
  byId('fact-resources').textContent = numberFormat.format(state.resources.length);
  byId('fact-records').textContent = numberFormat.format(records);
  byId('fact-rules').textContent = numberFormat.format(state.rules.length);
  byId('fact-version').textContent = summary && summary.version !== undefined ? String(summary.version) : '–';
  // The mock cannot save its data file: writes answer 503 until a save succeeds (summary.writes says why).
  const writes = summary && summary.writes && typeof summary.writes === 'object' ? summary.writes : null;
  const refused = writes !== null && writes.accepted === false;
  byId('writes-refused-text').textContent = refused && typeof writes.reason === 'string' ? writes.reason : '';
  show('writes-refused', refused);
}

function renderResources() {
  const filter = byId('resource-filter').value.trim().toLowerCase();
  const rows = state.resources.filter(
    (r) => !filter || r.path.toLowerCase().includes(filter) || String(r.entity).toLowerCase().includes(filter),
  );
  const body = byId('resource-rows');
  body.replaceChildren();
  for (const resource of rows) {
    const count = state.counts.get(resource.path) || 0;
    const before = state.previous.get(resource.path);
    const cell = el('td', 'num', null, [el('span', 'records-count', numberFormat.format(count))]);
    if (before !== undefined && before !== count) {
      const delta = count - before;
      cell.prepend(
        el('span', 'delta ' + (delta > 0 ? 'delta-up' : 'delta-down'), (delta > 0 ? '+' : '−') + numberFormat.format(Math.abs(delta))),
      );
    }
    const row = el('tr', null, null, [
      el('td', 'path', null, [el('code', null, resource.path)]),
      el('td', 'entity', resource.entity),
      cell,
    ]);
    row.dataset.path = resource.path;
    body.append(row);
  }
  if (rows.length === 0) {
    const cell = el(
      'td',
      'empty-cell',
      state.resources.length ? 'No resource matches “' + filter + '”.' : 'This contract has no resources.',
    );
    cell.colSpan = 3;
    body.append(el('tr', null, null, [cell]));
  }
  byId('resources-sub').textContent =
    rows.length === state.resources.length
      ? state.resources.length + (state.resources.length === 1 ? ' resource' : ' resources')
      : rows.length + ' of ' + state.resources.length + ' resources';
}

function renderIdentities() {
  const list = byId('identity-list');
  list.replaceChildren();
  for (const identity of IDENTITIES) {
    const token = state.tokens && typeof state.tokens[identity.name] === 'string' ? state.tokens[identity.name] : null;
    const problems = state.tokens && state.tokens.problems && typeof state.tokens.problems === 'object' ? state.tokens.problems : {};
    const problem = typeof problems[identity.name] === 'string' ? problems[identity.name] : null;
    const revealed = token !== null && state.revealed.has(identity.name);
    const value = el(
      'code',
      'token-value' + (revealed ? ' revealed' : ''),
      token === null ? (problem ? 'does not authenticate' : 'not available') : revealed ? token : MASK,
    );
    value.id = 'token-' + identity.name;
    const reveal = el('button', 'btn btn-small', revealed ? 'Hide' : 'Reveal');
    reveal.type = 'button';
    reveal.disabled = token === null;
    reveal.setAttribute('aria-pressed', revealed ? 'true' : 'false');
    reveal.setAttribute('aria-label', (revealed ? 'Hide' : 'Reveal') + ' the ' + identity.name + ' token');
    reveal.addEventListener('click', () => {
      if (state.revealed.has(identity.name)) state.revealed.delete(identity.name);
      else state.revealed.add(identity.name);
      renderIdentities();
    });
    const copy = el('button', 'btn btn-small', 'Copy');
    copy.type = 'button';
    copy.disabled = token === null;
    copy.setAttribute('aria-label', 'Copy the ' + identity.name + ' token');
    copy.addEventListener('click', () => void copyToken(identity.name, token));
    const item = el('li', 'identity', null, [
      el('div', 'identity-head', null, [
        el('span', 'badge badge-' + identity.name, identity.title),
        el('span', 'identity-description', identity.description),
      ]),
      el('div', 'token-row', null, [value, el('div', 'token-actions', null, [reveal, copy])]),
      problem ? el('p', 'identity-problem', problem) : null,
    ]);
    item.dataset.identity = identity.name;
    list.append(item);
  }
}

async function copyToken(name, token) {
  if (!token) return;
  try {
    await navigator.clipboard.writeText(token);
    notify('ok', 'The ' + name + ' token is on the clipboard.');
  } catch {
    state.revealed.add(name);
    renderIdentities();
    const value = byId('token-' + name);
    const range = document.createRange();
    range.selectNodeContents(value);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    notify('error', 'The browser did not allow copying: the ' + name + ' token is shown and selected instead.');
  }
}

function describeMatch(match) {
  if (!match || (!match.operationId && !match.method && !match.path)) return 'every operation';
  const parts = [];
  if (match.operationId) parts.push(match.operationId);
  if (match.method || match.path) parts.push((match.method || 'any method') + ' ' + (match.path || '*'));
  return parts.join(' · ');
}

function effectChips(respond) {
  const chips = [];
  if (respond && respond.delay !== undefined)
    chips.push(el('span', 'chip chip-delay', 'delay ' + numberFormat.format(respond.delay) + ' ms'));
  if (respond && respond.status !== undefined)
    chips.push(el('span', 'chip ' + (respond.status >= 400 ? 'chip-error' : 'chip-status'), 'status ' + respond.status));
  if (respond && respond.network !== undefined)
    chips.push(el('span', 'chip chip-network', respond.network === 'reset' ? 'connection reset' : 'timeout, no answer'));
  return chips;
}

function renderRules() {
  const list = byId('rule-list');
  list.replaceChildren();
  for (const rule of state.rules) {
    const meta = [];
    meta.push(rule.times === undefined ? 'until removed' : rule.times + (rule.times === 1 ? ' more request' : ' more requests'));
    meta.push(rule.identity ? rule.identity + ' token only' : 'any caller');
    const remove = el('button', 'btn btn-small btn-quiet', 'Remove');
    remove.type = 'button';
    remove.setAttribute('aria-label', 'Remove rule ' + rule.id);
    remove.addEventListener('click', () => void removeRule(rule.id, remove));
    const item = el('li', 'rule', null, [
      el('span', 'rule-id', '#' + rule.id),
      el('div', 'rule-body', null, [
        el('div', 'rule-line', null, [el('code', 'rule-match', describeMatch(rule.match)), ...effectChips(rule.respond)]),
        el('div', 'rule-meta', meta.join(' · ')),
      ]),
      remove,
    ]);
    item.dataset.ruleId = String(rule.id);
    list.append(item);
  }
  show('rules-empty', state.rules.length === 0);
  byId('rules-clear').disabled = state.rules.length === 0;
}

function renderSuggestions() {
  const ids = new Set();
  for (const resource of state.resources)
    for (const id of Object.values(resource.operations || {})) if (typeof id === 'string') ids.add(id);
  const option = (value) => {
    const node = document.createElement('option');
    node.value = value;
    return node;
  };
  byId('operation-ids').replaceChildren(...[...ids].sort().map(option));
  byId('resource-paths').replaceChildren(...state.resources.map((resource) => option(resource.path + '*')));
}

// ---- loading the state ----

async function refresh() {
  const [resources, summary, tokens, rules] = await Promise.all([
    call('GET', 'resources'),
    call('GET', ''),
    call('GET', 'tokens'),
    call('GET', 'scenarios'),
  ]);
  state.previous = state.counts;
  state.resources = (Array.isArray(resources) ? resources : [])
    .filter((r) => r && typeof r.path === 'string')
    .sort((a, b) => a.path.localeCompare(b.path));
  state.counts = new Map(state.resources.map((r) => [r.path, Array.isArray(r.keys) ? r.keys.length : 0]));
  state.tokens = tokens && typeof tokens === 'object' ? tokens : null;
  state.rules = Array.isArray(rules) ? rules : [];
  setScreen('dashboard');
  renderFacts(summary);
  renderResources();
  renderIdentities();
  renderRules();
  renderSuggestions();
}

/** Runs an action with its button disabled; errors go to handleError. */
async function busy(button, what, action) {
  if (button) button.disabled = true;
  document.body.classList.add('busy');
  try {
    await action();
  } catch (error) {
    handleError(error, what);
  } finally {
    if (button) button.disabled = false;
    document.body.classList.remove('busy');
  }
}

// ---- the confirmation dialog ----

function confirmAction(title, text, confirmLabel) {
  const dialog = byId('confirm');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    byId('confirm-cancel').focus();
  });
}

// ---- actions ----

async function signIn(token) {
  state.token = token;
  try {
    await refresh();
  } catch (error) {
    if (error instanceof ControlError && error.kind === 'denied') {
      storeToken(null);
      showSignIn('That token was refused (HTTP ' + error.status + '). Use the control token the mock was started with.');
      return;
    }
    if (error instanceof ControlError && error.kind === 'off') {
      storeToken(token);
      showOff();
      return;
    }
    storeToken(token);
    setScreen('sign-in');
    const message = byId('sign-in-error');
    message.textContent = messageOf(error);
    message.hidden = false;
    return;
  }
  storeToken(token);
}

async function resetWorld(button) {
  const ok = await confirmAction(
    'Reset the world?',
    'Every record goes back to how the mock started, and every scenario rule is removed, for everyone using this mock.',
    'Reset world',
  );
  if (!ok) return;
  await busy(button, 'Reset failed', async () => {
    const answer = await call('POST', 'reset');
    await refresh();
    notify('ok', answer && answer.detail ? answer.detail : 'The world is reset.');
  });
}

function dumpName(version) {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return 'authentik-mock-dump-' + stamp + (version !== undefined ? '-v' + version : '') + '.json';
}

async function downloadDump(button) {
  await busy(button, 'Download failed', async () => {
    const blob = await call('GET', 'dump', { as: 'blob' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = dumpName(byId('fact-version').textContent);
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    notify('ok', 'Dump downloaded (' + formatBytes(blob.size) + '). It holds every key and secret of this world.');
  });
}

function formatBytes(bytes) {
  if (bytes < 1024) return bytes + ' B';
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KiB';
  return (bytes / 1024 / 1024).toFixed(1) + ' MiB';
}

async function loadDump(input) {
  const file = input.files && input.files[0];
  input.value = '';
  if (!file) return;
  let text;
  let records = 0;
  try {
    text = await file.text();
    const dump = JSON.parse(text);
    if (!dump || typeof dump !== 'object' || Array.isArray(dump) || !dump.records || typeof dump.records !== 'object')
      throw new Error('it has no "records": not a dump from GET /_mock/dump');
    for (const rows of Object.values(dump.records)) if (Array.isArray(rows)) records += rows.length;
  } catch (error) {
    notify('error', 'Cannot load ' + file.name + ': ' + (error instanceof SyntaxError ? 'it is not JSON.' : messageOf(error)));
    return;
  }
  const ok = await confirmAction(
    'Load ' + file.name + '?',
    'The world is replaced by this dump (' +
      numberFormat.format(records) +
      ' records, ' +
      formatBytes(file.size) +
      ') for everyone using this mock.',
    'Load dump',
  );
  if (!ok) return;
  await busy(byId('load-file'), 'Load failed', async () => {
    const answer = await call('POST', 'load', { body: text });
    await refresh();
    notify('ok', (answer && answer.detail ? answer.detail : 'World loaded.') + ' (' + file.name + ')');
  });
}

function integerField(id, name, required) {
  const raw = byId(id).value.trim();
  if (raw === '') {
    if (required) throw new Error(name + ' is required.');
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(name + ' must be a whole number.');
  return value;
}

/** The form → a rule as POST /_mock/scenarios takes it (the server checks it again and names any problem). */
function ruleFromForm() {
  const rule = { respond: {} };
  const kind = byId('rule-match-kind').value;
  if (kind === 'operation') {
    const operationId = byId('rule-operation').value.trim();
    if (!operationId) throw new Error('Name the operation (e.g. core_users_list), or match every operation.');
    rule.match = { operationId };
  } else if (kind === 'route') {
    const method = byId('rule-method').value;
    const path = byId('rule-path').value.trim();
    if (!method && !path) throw new Error('Give a method, a path, or both.');
    rule.match = {};
    if (method) rule.match.method = method;
    if (path) rule.match.path = path;
  }
  const effect = byId('rule-effect').value;
  const delay = integerField('rule-delay', 'Delay', effect === 'delay');
  if (delay !== undefined) rule.respond.delay = delay;
  if (effect === 'status') rule.respond.status = integerField('rule-status', 'Status', true);
  if (effect === 'network') rule.respond.network = byId('rule-network').value;
  const times = integerField('rule-times', 'Times', false);
  if (times !== undefined) rule.times = times;
  const identity = byId('rule-identity').value;
  if (identity) rule.identity = identity;
  return rule;
}

function ruleError(message) {
  const error = byId('rule-error');
  error.textContent = message || '';
  error.hidden = !message;
}

async function addRule(button) {
  let rule;
  try {
    rule = ruleFromForm();
  } catch (error) {
    ruleError(messageOf(error));
    return;
  }
  ruleError('');
  await busy(button, 'Adding the rule failed', async () => {
    try {
      const added = await call('POST', 'scenarios', { body: rule });
      byId('rule-form').reset();
      syncRuleForm();
      await refresh();
      notify('ok', 'Rule #' + (added && added.id !== undefined ? added.id : '?') + ' added: ' + describeMatch(rule.match) + '.');
    } catch (error) {
      if (error instanceof ControlError && error.kind === 'failed' && error.status === 400) ruleError(error.message);
      else throw error;
    }
  });
}

async function removeRule(id, button) {
  await busy(button, 'Removing the rule failed', async () => {
    await call('DELETE', 'scenarios/' + encodeURIComponent(id), { notFoundOk: true });
    await refresh();
    notify('ok', 'Rule #' + id + ' removed.');
  });
}

async function clearRules(button) {
  const ok = await confirmAction('Remove every rule?', 'Every request gets its real answer again.', 'Remove all');
  if (!ok) return;
  await busy(button, 'Removing the rules failed', async () => {
    await call('DELETE', 'scenarios');
    await refresh();
    notify('ok', 'Every scenario rule is removed.');
  });
}

function syncRuleForm() {
  const kind = byId('rule-match-kind').value;
  show('rule-operation-field', kind === 'operation');
  show('rule-method-field', kind === 'route');
  show('rule-path-field', kind === 'route');
  const effect = byId('rule-effect').value;
  show('rule-status-field', effect === 'status');
  show('rule-network-field', effect === 'network');
  byId('rule-delay-label').textContent = effect === 'delay' ? 'Delay (ms)' : 'Delay first (ms)';
  byId('rule-delay').placeholder = effect === 'delay' ? '2000' : 'none';
}

// ---- wiring ----

function wire() {
  byId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('sign-in-token');
    const token = input.value.trim();
    if (!token) return;
    input.value = '';
    const button = byId('sign-in-submit');
    button.disabled = true;
    void signIn(token).finally(() => (button.disabled = false));
  });
  byId('sign-out').addEventListener('click', () => {
    storeToken(null);
    state.tokens = null;
    state.revealed.clear();
    byId('identity-list').replaceChildren();
    showSignIn('');
  });
  byId('refresh').addEventListener('click', (event) => void busy(event.currentTarget, 'Refresh failed', refresh));
  byId('off-retry').addEventListener('click', () => (state.token ? void signIn(state.token) : showSignIn('')));
  byId('notice-close').addEventListener('click', clearNotice);
  byId('resource-filter').addEventListener('input', renderResources);
  byId('reset').addEventListener('click', (event) => void resetWorld(event.currentTarget));
  byId('dump').addEventListener('click', (event) => void downloadDump(event.currentTarget));
  byId('load-file').addEventListener('change', (event) => void loadDump(event.currentTarget));
  byId('rules-clear').addEventListener('click', (event) => void clearRules(event.currentTarget));
  byId('rule-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void addRule(byId('rule-add'));
  });
  byId('rule-form').addEventListener('change', (event) => {
    if (event.target && (event.target.id === 'rule-match-kind' || event.target.id === 'rule-effect')) syncRuleForm();
    ruleError('');
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.signedIn) void busy(null, 'Refresh failed', refresh);
  });
  window.addEventListener('hashchange', () => {
    const token = takeTokenFromFragment();
    if (token) void signIn(token);
  });
  byId('api-base').textContent = API_BASE.href;
  syncRuleForm();
}

function start() {
  wire();
  const token = takeTokenFromFragment() || storedToken();
  if (token) void signIn(token);
  else showSignIn('');
}

start();
