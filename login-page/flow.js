// The mock's login page (/if/flow/{slug}/): drives authentik's flow executor as authentik's own web UI does. It asks the
// executor for the current challenge, shows it with inputs named as authentik's (uidField, password, code), posts the
// answer (with the X-authentik-CSRF header from the authentik_csrf cookie) and follows the executor's redirects; at the
// end of the flow it goes where `xak-flow-redirect` says. Every element is built with the DOM API: no HTML is parsed
// from strings.

const executor = document.querySelector('meta[name="authentik-mock-executor"]')?.getAttribute('content') ?? '';
const titleElement = document.getElementById('title');
const stageElement = document.getElementById('stage');

/** Python's quote_plus, as authentik's executor writes its URLs: the 302 back to itself compares them to the character. */
function quotePlus(text) {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

const executorUrl = `${executor}?query=${quotePlus(window.location.search.slice(1))}`;

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') element.textContent = value;
    else if (key === 'class') element.className = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

function errorList(messages) {
  if (!messages || messages.length === 0) return undefined;
  return el('ul', { class: 'errors', role: 'alert' }, ...messages.map((m) => el('li', { text: m.string ?? String(m) })));
}

function field(challenge, name, label, input) {
  const errors = challenge.response_errors?.[name];
  return el('label', {}, label, input, errorList(errors));
}

function userBox(challenge) {
  if (!challenge.pending_user) return undefined;
  const avatar = challenge.pending_user_avatar ? el('img', { src: challenge.pending_user_avatar, alt: '' }) : undefined;
  avatar?.addEventListener('error', () => avatar.remove()); // an avatar the browser cannot load is left out
  return el(
    'div',
    { class: 'user' },
    avatar,
    el('span', { class: 'user-name', text: challenge.pending_user }),
    el('a', { href: challenge.flow_info?.cancel_url ?? '/flows/-/cancel/', text: 'Not you?' }),
    // For password managers: the form a password goes with names its user (authentik's page does the same).
    el('input', { type: 'text', name: 'username', autocomplete: 'username', value: challenge.pending_user, hidden: true }),
  );
}

/** A form whose submit posts what `answer()` reads from it. */
function form(challenge, children, submitLabel, answer) {
  const element = el('form', { method: 'post', novalidate: true }, errorList(challenge.response_errors?.non_field_errors), ...children);
  if (submitLabel) element.append(el('button', { type: 'submit', text: submitLabel }));
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    void post({ component: challenge.component, ...answer(new FormData(element)) });
  });
  return element;
}

const renderers = {
  'ak-stage-identification'(c) {
    const fields = c.user_fields ?? [];
    const label =
      fields.length === 0 ? 'Username' : fields.map((f) => ({ email: 'Email', username: 'Username', upn: 'UPN' })[f] ?? f).join(' or ');
    const children = [
      c.application_pre ? el('p', { class: 'muted', text: `Log in to continue to ${c.application_pre}.` }) : undefined,
      field(
        c,
        'uid_field',
        label,
        el('input', { name: 'uidField', type: 'text', autocomplete: 'username', autofocus: true, required: true }),
      ),
    ];
    if (c.password_fields)
      children.push(
        field(c, 'password', 'Password', el('input', { name: 'password', type: 'password', autocomplete: 'current-password' })),
      );
    if (c.recovery_url) children.push(el('p', { class: 'muted' }, el('a', { href: c.recovery_url, text: 'Forgot username or password?' })));
    if (c.enroll_url) children.push(el('p', { class: 'muted' }, 'Need an account? ', el('a', { href: c.enroll_url, text: 'Sign up.' })));
    return form(c, children, c.primary_action || 'Log in', (data) => ({
      uid_field: data.get('uidField'),
      ...(c.password_fields ? { password: data.get('password') } : {}),
    }));
  },
  'ak-stage-password'(c) {
    const children = [
      userBox(c),
      field(
        c,
        'password',
        'Password',
        el('input', { name: 'password', type: 'password', autocomplete: 'current-password', autofocus: true }),
      ),
    ];
    if (c.recovery_url) children.push(el('p', { class: 'muted' }, el('a', { href: c.recovery_url, text: 'Forgot password?' })));
    return form(c, children, 'Continue', (data) => ({ password: data.get('password') }));
  },
  'ak-stage-authenticator-validate'(c) {
    const codes = (c.device_challenges ?? []).some((d) => ['totp', 'static', 'sms'].includes(d.device_class));
    if (!codes && (c.configuration_stages ?? []).length > 0) {
      const buttons = c.configuration_stages.map((stage) => {
        const button = el('button', { type: 'button', class: 'secondary', text: stage.name });
        button.addEventListener('click', () => void post({ component: c.component, selected_stage: stage.pk }));
        return button;
      });
      return el('div', {}, el('p', { class: 'muted', text: 'Configure a device to continue:' }), ...buttons);
    }
    const input = el('input', { name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', autofocus: true });
    return form(c, [userBox(c), field(c, 'code', 'Authentication code', input)], 'Continue', (data) => ({ code: data.get('code') }));
  },
  'ak-stage-authenticator-totp'(c) {
    const secret = new URL(c.config_url).searchParams.get('secret') ?? '';
    const input = el('input', { name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', autofocus: true });
    const children = [
      el('p', { class: 'muted', text: 'Add this key to your authenticator app, then enter the code it shows.' }),
      el('p', { class: 'secret', text: secret }),
      el('p', { class: 'muted' }, el('a', { href: c.config_url, text: 'Open in an authenticator app' })),
      field(c, 'code', 'Code', input),
    ];
    return form(c, children, 'Continue', (data) => ({ code: data.get('code') }));
  },
  'ak-stage-consent'(c) {
    const names = (list) => el('ul', { class: 'permissions' }, ...list.map((p) => el('li', { text: p.name || p.id })));
    const children = [
      userBox(c),
      c.header_text ? el('p', { text: c.header_text }) : undefined,
      c.permissions?.length
        ? el('div', {}, el('p', { class: 'muted', text: 'This application requests:' }), names(c.permissions))
        : undefined,
      c.additional_permissions?.length
        ? el('div', {}, el('p', { class: 'muted', text: 'It now also requests:' }), names(c.additional_permissions))
        : undefined,
    ];
    return form(c, children, 'Continue', () => ({ token: c.token }));
  },
  'ak-stage-prompt'(c) {
    const inputs = (c.fields ?? []).map((f) => promptField(c, f));
    return form(c, inputs, 'Continue', (data) => {
      const answer = {};
      for (const f of c.fields ?? []) {
        if (['static', 'separator'].includes(f.type)) continue;
        answer[f.field_key] = f.type === 'checkbox' ? data.get(f.field_key) === 'on' : (data.get(f.field_key) ?? '');
      }
      return answer;
    });
  },
  'ak-stage-user-login'(c) {
    const box = el('input', { name: 'remember_me', type: 'checkbox' });
    return form(c, [userBox(c), el('label', { class: 'check' }, box, 'Stay signed in')], 'Continue', () => ({ remember_me: box.checked }));
  },
  'ak-stage-dummy'(c) {
    return form(c, [], 'Continue', () => ({}));
  },
  'ak-stage-access-denied'(c) {
    return el(
      'div',
      { role: 'alert' },
      userBox(c),
      el('p', { text: 'Request has been denied.' }),
      el('p', { class: 'errors', id: 'access-denied', text: c.error_message ?? 'Unknown error' }),
      el('p', { class: 'muted' }, el('a', { href: window.location.href, text: 'Start again' })),
    );
  },
  'ak-stage-flow-error'(c) {
    return el(
      'div',
      { role: 'alert' },
      el('p', { class: 'errors', text: c.error ?? 'Something went wrong. Please try again later.' }),
      el('p', { class: 'muted', text: `Request ID: ${c.request_id}` }),
    );
  },
};

function promptField(c, f) {
  const attributes = { name: f.field_key, placeholder: f.placeholder || undefined, required: f.required };
  const sub = f.sub_text ? el('span', { class: 'hint', text: f.sub_text }) : undefined;
  switch (f.type) {
    case 'separator':
      return el('hr');
    case 'static':
      return el('p', { text: f.initial_value });
    case 'hidden':
      return el('input', { ...attributes, type: 'hidden', value: f.initial_value });
    case 'checkbox':
      return el(
        'label',
        { class: 'check' },
        el('input', { name: f.field_key, type: 'checkbox', checked: f.initial_value === 'True' || f.initial_value === 'true' }),
        f.label,
        errorList(c.response_errors?.[f.field_key]),
      );
    case 'text_area':
    case 'text_area_read_only': {
      const area = el('textarea', { ...attributes, readonly: f.type.endsWith('read_only') });
      area.value = f.initial_value ?? '';
      return field(c, f.field_key, f.label, area);
    }
    case 'dropdown':
    case 'radio-button-group': {
      const select = el('select', attributes, ...(f.choices ?? []).map((choice) => el('option', { value: choice, text: choice })));
      select.value = f.initial_value ?? '';
      return field(c, f.field_key, f.label, select);
    }
  }
  const types = { email: 'email', password: 'password', number: 'number', date: 'date', 'date-time': 'datetime-local' };
  const autocomplete = { username: 'username', email: 'email', password: 'new-password' }[f.type];
  const input = el('input', { ...attributes, type: types[f.type] ?? 'text', autocomplete, readonly: f.type === 'text_read_only' });
  input.value = f.initial_value ?? '';
  return field(c, f.field_key, f.label, el('span', {}, input, sub));
}

/** Submits an autosubmit challenge's form (an OAuth2 form_post answer): a page, not a fetch. */
function autosubmit(challenge) {
  const element = el('form', { method: 'post', action: challenge.url });
  for (const [name, value] of Object.entries(challenge.attrs ?? {})) element.append(el('input', { type: 'hidden', name, value }));
  document.body.append(element);
  element.submit();
}

function show(challenge) {
  const title = challenge.flow_info?.title || document.title;
  document.title = title;
  titleElement.textContent = title;
  document.body.dataset['component'] = challenge.component;
  if (challenge.component === 'xak-flow-redirect') {
    stageElement.replaceChildren(el('p', { class: 'muted', text: 'Redirecting…' }));
    window.location.assign(challenge.to);
    return;
  }
  if (challenge.component === 'ak-stage-autosubmit') {
    stageElement.replaceChildren(el('p', { class: 'muted', text: challenge.title || 'Redirecting…' }));
    autosubmit(challenge);
    return;
  }
  const render = renderers[challenge.component];
  stageElement.replaceChildren(
    render ? render(challenge) : el('p', { class: 'errors', text: `This page cannot show the stage "${challenge.component}".` }),
  );
  stageElement.querySelector('[autofocus]')?.focus();
}

async function exchange(init) {
  try {
    const response = await fetch(executorUrl, { credentials: 'same-origin', cache: 'no-store', ...init });
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('json')) throw new Error(`the executor answered ${response.status}`);
    show(await response.json());
  } catch (error) {
    titleElement.textContent = 'Something went wrong';
    stageElement.replaceChildren(el('p', { class: 'errors', role: 'alert', text: String(error.message ?? error) }));
  }
}

async function post(body) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const csrf = cookie('authentik_csrf');
  if (csrf) headers['x-authentik-csrf'] = csrf;
  for (const button of stageElement.querySelectorAll('button')) button.disabled = true;
  await exchange({ method: 'POST', headers, body: JSON.stringify(body) });
}

void exchange({ method: 'GET', headers: { accept: 'application/json' } });
