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
  silent_redirect_uri: new URL('/silent.html', window.location.origin).href,
  response_type: 'code',
  scope: config.scope,
  loadUserInfo: true, // the userinfo endpoint, called from this origin with the access token
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

const show = (id, text) => (document.getElementById(id).textContent = text);

/** The API's `users/me` with the user's access token. */
async function me(user) {
  const response = await fetch(new URL('core/users/me/', config.api), {
    headers: { authorization: `Bearer ${user.access_token}` },
  });
  if (!response.ok) throw new Error(`users/me answered ${response.status}: ${await response.text()}`);
  return (await response.json()).user;
}

async function callback() {
  const user = await manager.signinRedirectCallback();
  document.body.dataset.profile = JSON.stringify({ username: user.profile.preferred_username, email: user.profile.email });
  show('user', `Signed in as ${(await me(user)).username}`);
  document.body.dataset.done = 'signed-in';
}

// What the app does later, without a page of the provider: a new token in a hidden iframe (prompt=none, the provider's
// session cookie), and signing out at the provider's end-session endpoint.
window.spa = {
  async renew() {
    const before = (await manager.getUser())?.access_token;
    try {
      const user = await manager.signinSilent();
      return { renewed: user.access_token !== before, username: (await me(user)).username };
    } catch (error) {
      return { error: error.error ?? String(error) }; // the OAuth2 error code the provider answered
    }
  },
  signOut: () => manager.signoutRedirect(),
};

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
  else if (window.location.pathname === '/silent.html') await manager.signinSilentCallback();
  else start();
} catch (error) {
  fail(error);
}
