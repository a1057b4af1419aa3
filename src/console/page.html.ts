/**
 * The demo console's page. No inline script, no inline style, no event-handler attributes: everything it does is in
 * console.js and everything it looks like in console.css, so the page runs under the strict CSP control.ts sends.
 */
export const PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <meta name="color-scheme" content="light dark" />
    <title>authentik-mock · demo console</title>
    <link rel="icon" href="icon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="console.css" />
    <script type="module" src="console.js"></script>
  </head>
  <body>
    <header class="topbar">
      <div class="brand">
        <img class="brand-logo" src="icon.svg" alt="" width="28" height="28" />
        <span class="brand-name">authentik-mock</span>
        <span class="brand-sub">demo console</span>
      </div>
      <dl class="facts" id="facts" hidden>
        <div class="fact"><dt>operations</dt><dd id="fact-operations">–</dd></div>
        <div class="fact"><dt>resources</dt><dd id="fact-resources">–</dd></div>
        <div class="fact"><dt>records</dt><dd id="fact-records">–</dd></div>
        <div class="fact"><dt>rules</dt><dd id="fact-rules">–</dd></div>
        <div class="fact"><dt>version</dt><dd id="fact-version">–</dd></div>
      </dl>
      <div class="topbar-actions" id="session-actions" hidden>
        <button type="button" class="btn btn-ghost" id="refresh">Refresh</button>
        <button type="button" class="btn btn-ghost" id="sign-out">Sign out</button>
      </div>
    </header>

    <div class="notice" id="notice" role="status" aria-live="polite" hidden>
      <span class="notice-text" id="notice-text"></span>
      <button type="button" class="notice-close" id="notice-close" aria-label="Dismiss message">×</button>
    </div>

    <div class="notice notice-error" id="writes-refused" role="alert" hidden>
      <span class="notice-text"><strong>API writes are refused.</strong> <span id="writes-refused-text"></span></span>
    </div>

    <main class="main">
      <p class="loading" id="loading">Loading…</p>

      <section class="card narrow" id="sign-in" aria-labelledby="sign-in-title" hidden>
        <h1 class="card-title" id="sign-in-title">Sign in to the demo console</h1>
        <p class="muted">
          The console uses the mock's control API, which takes the control token: by default the admin API token that
          <code>authentik-mock serve</code> prints (or the <code>--control-token</code> it was given).
        </p>
        <form class="stack" id="sign-in-form" autocomplete="off">
          <label class="field">
            <span class="field-label">Control token</span>
            <input type="password" id="sign-in-token" name="token" required spellcheck="false" autocomplete="off" />
          </label>
          <p class="form-error" id="sign-in-error" role="alert" hidden></p>
          <div class="row">
            <button type="submit" class="btn btn-primary" id="sign-in-submit">Sign in</button>
          </div>
        </form>
        <p class="hint">The token is kept for this browser tab only. A link ending in <code>#token=…</code> signs in too.</p>
      </section>

      <section class="card narrow" id="off" aria-labelledby="off-title" hidden>
        <h1 class="card-title" id="off-title">The control API is off</h1>
        <p id="off-text">
          This mock answers 404 to its control API, so there is nothing to show. <code>authentik-mock serve</code> turns the control API
          off when it listens beyond loopback without a control token: start it with <code>--control-token</code>.
        </p>
        <div class="row">
          <button type="button" class="btn" id="off-retry">Try again</button>
        </div>
      </section>

      <div class="dashboard" id="dashboard" hidden>
        <div class="column">
          <section class="card resources" id="resources" aria-labelledby="resources-title">
            <div class="card-head">
              <div>
                <h2 class="card-title" id="resources-title">Resources</h2>
                <p class="card-sub" id="resources-sub"></p>
              </div>
              <label class="search">
                <span class="visually-hidden">Filter resources</span>
                <input type="search" id="resource-filter" placeholder="Filter by path or entity" spellcheck="false" />
              </label>
            </div>
            <div class="table-scroll">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Path</th>
                    <th scope="col" class="entity-head">Entity</th>
                    <th scope="col" class="num">Records</th>
                  </tr>
                </thead>
                <tbody id="resource-rows"></tbody>
              </table>
            </div>
          </section>

          <section class="card" id="identities" aria-labelledby="identities-title">
            <div class="card-head">
              <div>
                <h2 class="card-title" id="identities-title">Identities</h2>
                <p class="card-sub">API tokens for <code>Authorization: Bearer …</code></p>
              </div>
            </div>
            <ul class="identity-list" id="identity-list"></ul>
          </section>
        </div>

        <div class="column">
          <section class="card" id="world" aria-labelledby="world-title">
            <div class="card-head">
              <div>
                <h2 class="card-title" id="world-title">World</h2>
                <p class="card-sub">Shared by everyone using this mock.</p>
              </div>
            </div>
            <div class="world-actions">
              <div class="world-action">
                <div>
                  <p class="action-title">Download a dump</p>
                  <p class="action-text">Every record and key, as JSON. It holds secrets: keep it private.</p>
                </div>
                <button type="button" class="btn" id="dump">Download</button>
              </div>
              <div class="world-action">
                <div>
                  <p class="action-title">Load a dump</p>
                  <p class="action-text">Replace the world with a dump made by this mock.</p>
                </div>
                <label class="btn file-button" id="load-label">
                  Choose file…
                  <input type="file" class="visually-hidden" id="load-file" accept="application/json,.json" />
                </label>
              </div>
              <div class="world-action">
                <div>
                  <p class="action-title">Reset</p>
                  <p class="action-text">Back to the start: every change and scenario rule is dropped.</p>
                </div>
                <button type="button" class="btn btn-danger" id="reset">Reset world</button>
              </div>
            </div>
          </section>

          <section class="card" id="scenarios" aria-labelledby="scenarios-title">
            <div class="card-head">
              <div>
                <h2 class="card-title" id="scenarios-title">Scenario rules</h2>
                <p class="card-sub">Forced statuses, delays and network failures. The first matching rule wins.</p>
              </div>
              <button type="button" class="btn btn-small" id="rules-clear" disabled>Remove all</button>
            </div>
            <ol class="rule-list" id="rule-list"></ol>
            <p class="empty" id="rules-empty">No rules: every request gets its real answer.</p>

            <form class="rule-form" id="rule-form" autocomplete="off" novalidate>
              <h3 class="form-title">Add a rule</h3>
              <div class="form-grid">
                <label class="field">
                  <span class="field-label">Match</span>
                  <select id="rule-match-kind">
                    <option value="operation">An operation</option>
                    <option value="route">Method and path</option>
                    <option value="all">Every operation</option>
                  </select>
                </label>
                <label class="field span-2" id="rule-operation-field">
                  <span class="field-label">Operation id</span>
                  <input type="text" id="rule-operation" list="operation-ids" placeholder="core_users_list" spellcheck="false" />
                </label>
                <label class="field" id="rule-method-field" hidden>
                  <span class="field-label">Method</span>
                  <select id="rule-method">
                    <option value="">Any</option>
                    <option>GET</option>
                    <option>POST</option>
                    <option>PUT</option>
                    <option>PATCH</option>
                    <option>DELETE</option>
                  </select>
                </label>
                <label class="field" id="rule-path-field" hidden>
                  <span class="field-label">Path (* = anything)</span>
                  <input type="text" id="rule-path" list="resource-paths" placeholder="/core/users/*" spellcheck="false" />
                </label>

                <label class="field">
                  <span class="field-label">Effect</span>
                  <select id="rule-effect">
                    <option value="status">Forced status</option>
                    <option value="delay">Delay, then the real answer</option>
                    <option value="network">Network failure</option>
                  </select>
                </label>
                <label class="field" id="rule-status-field">
                  <span class="field-label">Status</span>
                  <input type="number" id="rule-status" min="200" max="599" step="1" value="503" />
                </label>
                <label class="field" id="rule-network-field" hidden>
                  <span class="field-label">Failure</span>
                  <select id="rule-network">
                    <option value="reset">Connection reset</option>
                    <option value="timeout">Timeout (no answer)</option>
                  </select>
                </label>
                <label class="field">
                  <span class="field-label" id="rule-delay-label">Delay first (ms)</span>
                  <input type="number" id="rule-delay" min="0" step="100" placeholder="none" />
                </label>

                <label class="field">
                  <span class="field-label">Times</span>
                  <input type="number" id="rule-times" min="1" step="1" placeholder="until removed" />
                </label>
                <label class="field">
                  <span class="field-label">Caller</span>
                  <select id="rule-identity">
                    <option value="">Anyone</option>
                    <option value="admin">admin token</option>
                    <option value="user">user token</option>
                  </select>
                </label>
                <div class="field field-submit">
                  <button type="submit" class="btn btn-primary" id="rule-add">Add rule</button>
                </div>
              </div>
              <p class="form-error" id="rule-error" role="alert" hidden></p>
            </form>
          </section>
        </div>
      </div>

      <datalist id="operation-ids"></datalist>
      <datalist id="resource-paths"></datalist>
    </main>

    <footer class="footer" id="footer" hidden>
      <span>API at <code id="api-base"></code></span>
      <span>Changes here apply to everyone using this mock.</span>
    </footer>

    <dialog class="dialog" id="confirm" aria-labelledby="confirm-title">
      <form method="dialog" class="stack">
        <h2 class="card-title" id="confirm-title"></h2>
        <p id="confirm-text"></p>
        <div class="row row-end">
          <button type="submit" class="btn" value="cancel" id="confirm-cancel">Cancel</button>
          <button type="submit" class="btn btn-danger-solid" value="ok" id="confirm-ok">Confirm</button>
        </div>
      </form>
    </dialog>
  </body>
</html>
`;
