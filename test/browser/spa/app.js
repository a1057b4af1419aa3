// A single-page app as its developer writes it with oidc-client-ts (the package's browser build, global `oidc`):
// authorization code + PKCE against the application's issuer, then the access token calls authentik's API.
// The app to sign in to is named once, on the start page (`/?app=…`): config-<app>.json (written by the test) names
// its issuer, client id, scopes and the API.
const app = new URLSearchParams(window.location.search).get('app') ?? window.sessionStorage.getItem('app') ?? 'spa';
window.sessionStorage.setItem('app', app);
const config = await (await fetch(`/config-${encodeURIComponent(app)}.json`)).json();
const { UserManager, WebStorageStateStore } = window.oidc;
const manager = new UserManager({
  authority: config.authority,
  client_id: config.clientId,
  redirect_uri: new URL('/callback.html', window.location.origin).href,
  response_type: 'code',
  scope: config.scope,
  loadUserInfo: true, // the userinfo endpoint, called from this origin with the access token
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

const show = (id, text) => (document.getElementById(id).textContent = text);

async function callback() {
  const user = await manager.signinRedirectCallback();
  document.body.dataset.profile = JSON.stringify({ username: user.profile.preferred_username, email: user.profile.email });
  const response = await fetch(new URL('core/users/me/', config.api), {
    headers: { authorization: `Bearer ${user.access_token}` },
  });
  if (!response.ok) throw new Error(`users/me answered ${response.status}: ${await response.text()}`);
  const me = await response.json();
  show('user', `Signed in as ${me.user.username}`);
  document.body.dataset.done = 'signed-in';
}

function start() {
  const button = document.getElementById('login');
  button.addEventListener('click', () => void manager.signinRedirect().catch(fail));
  button.disabled = false;
  document.body.dataset.done = 'ready';
}

function fail(error) {
  show('error', String(error?.message ?? error));
  document.body.dataset.done = 'error';
}

try {
  if (window.location.pathname === '/callback.html') await callback();
  else start();
} catch (error) {
  fail(error);
}
