/** The demo console's style sheet (served as /_mock/ui/console.css; the CSP allows no inline style). */
export const CONSOLE_CSS = String.raw`:root {
  --bg: #f4f5f7;
  --surface: #ffffff;
  --surface-2: #f8f9fb;
  --border: #e2e5ea;
  --border-strong: #cdd2da;
  --text: #1d232b;
  --muted: #5e6876;
  --accent: #fd4b2d;
  --accent-strong: #e03a1e;
  --accent-soft: #fff0ed;
  --topbar: #17191d;
  --topbar-text: #f2f3f5;
  --topbar-muted: #9aa1ad;
  --ok: #17794a;
  --ok-soft: #e8f6ee;
  --danger: #c62828;
  --danger-soft: #fdecec;
  --info: #1f5fbf;
  --info-soft: #e9f0fc;
  --violet: #6b3fc4;
  --violet-soft: #f1ecfc;
  --radius: 10px;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.06), 0 1px 3px rgba(16, 24, 40, 0.04);
  --mono: ui-monospace, 'SFMono-Regular', 'JetBrains Mono', Menlo, Consolas, 'Liberation Mono', monospace;
  color-scheme: light;
}

@media (prefers-color-scheme: dark) {
  :root {
    --bg: #101216;
    --surface: #181b20;
    --surface-2: #1d2127;
    --border: #2a2f37;
    --border-strong: #3a404a;
    --text: #e7e9ed;
    --muted: #9aa3b0;
    --accent-soft: #3a1d17;
    --topbar: #0b0c0f;
    --ok: #4cc48a;
    --ok-soft: #14291f;
    --danger: #f07070;
    --danger-soft: #341a1a;
    --info: #7fb0ff;
    --info-soft: #172338;
    --violet: #b79cff;
    --violet-soft: #251d38;
    --shadow: none;
    color-scheme: dark;
  }
}

*,
*::before,
*::after {
  box-sizing: border-box;
}

[hidden] {
  display: none !important;
}

html {
  -webkit-text-size-adjust: 100%;
}

body {
  margin: 0;
  min-height: 100vh;
  display: flex;
  flex-direction: column;
  background: var(--bg);
  color: var(--text);
  font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
}

body.busy {
  cursor: progress;
}

code {
  font-family: var(--mono);
  font-size: 0.92em;
}

p {
  margin: 0;
}

h1,
h2,
h3 {
  margin: 0;
}

.visually-hidden {
  position: absolute !important;
  width: 1px;
  height: 1px;
  padding: 0;
  margin: -1px;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}

.muted {
  color: var(--muted);
}

/* ---- top bar ---- */

.topbar {
  display: flex;
  align-items: center;
  gap: 24px;
  padding: 10px 24px;
  background: var(--topbar);
  color: var(--topbar-text);
  min-height: 60px;
  flex-wrap: wrap;
}

.brand {
  display: flex;
  align-items: center;
  gap: 10px;
  margin-right: auto;
}

.brand-logo {
  display: block;
}

.brand-name {
  font-weight: 650;
  font-size: 16px;
  letter-spacing: 0.01em;
}

.brand-sub {
  color: var(--topbar-muted);
  font-size: 13px;
  padding-left: 10px;
  border-left: 1px solid #343840;
}

.facts {
  display: flex;
  gap: 4px;
  margin: 0;
}

.fact {
  display: flex;
  flex-direction: column-reverse;
  align-items: flex-end;
  padding: 2px 14px;
  border-left: 1px solid #2c3037;
}

.fact:first-child {
  border-left: 0;
}

.fact dt {
  color: var(--topbar-muted);
  font-size: 11px;
  text-transform: uppercase;
  letter-spacing: 0.06em;
}

.fact dd {
  margin: 0;
  font-size: 17px;
  font-weight: 600;
  font-variant-numeric: tabular-nums;
}

.topbar-actions {
  display: flex;
  gap: 8px;
}

/* ---- buttons and fields ---- */

.btn {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  gap: 6px;
  height: 34px;
  padding: 0 14px;
  border: 1px solid var(--border-strong);
  border-radius: 7px;
  background: var(--surface);
  color: var(--text);
  font: inherit;
  font-weight: 550;
  white-space: nowrap;
  cursor: pointer;
  transition:
    background-color 0.12s,
    border-color 0.12s,
    color 0.12s;
}

.btn:hover {
  background: var(--surface-2);
  border-color: var(--muted);
}

.btn:focus-visible,
input:focus-visible,
select:focus-visible,
.file-button:focus-within {
  outline: 2px solid var(--accent);
  outline-offset: 2px;
}

.btn:disabled {
  opacity: 0.5;
  cursor: not-allowed;
}

.btn-primary {
  background: var(--accent);
  border-color: var(--accent);
  color: #fff;
}

.btn-primary:hover {
  background: var(--accent-strong);
  border-color: var(--accent-strong);
}

.btn-danger {
  color: var(--danger);
  border-color: color-mix(in srgb, var(--danger) 45%, transparent);
}

.btn-danger:hover {
  background: var(--danger-soft);
  border-color: var(--danger);
}

.btn-danger-solid {
  background: var(--danger);
  border-color: var(--danger);
  color: #fff;
}

.btn-danger-solid:hover {
  background: color-mix(in srgb, var(--danger) 85%, #000);
}

.btn-ghost {
  background: transparent;
  border-color: #3a3f48;
  color: var(--topbar-text);
}

.btn-ghost:hover {
  background: #262a31;
  border-color: #59606b;
}

.btn-small {
  height: 28px;
  padding: 0 10px;
  font-size: 13px;
}

.btn-quiet {
  border-color: transparent;
  background: transparent;
  color: var(--muted);
}

.btn-quiet:hover {
  color: var(--danger);
  background: var(--danger-soft);
  border-color: transparent;
}

.file-button {
  position: relative;
}

input,
select {
  width: 100%;
  height: 34px;
  padding: 0 10px;
  border: 1px solid var(--border-strong);
  border-radius: 7px;
  background: var(--surface);
  color: var(--text);
  font: inherit;
}

input[type='number'] {
  appearance: textfield;
}

input[type='number']::-webkit-inner-spin-button,
input[type='number']::-webkit-outer-spin-button {
  appearance: none;
  margin: 0;
}

input::placeholder {
  color: color-mix(in srgb, var(--muted) 75%, transparent);
}

.field {
  display: flex;
  flex-direction: column;
  gap: 4px;
  min-width: 0;
}

.field-label {
  font-size: 12px;
  font-weight: 600;
  color: var(--muted);
}

.form-error {
  padding: 8px 12px;
  border-radius: 7px;
  background: var(--danger-soft);
  color: var(--danger);
  font-size: 13px;
}

.row {
  display: flex;
  gap: 8px;
  align-items: center;
}

.row-end {
  justify-content: flex-end;
}

.stack {
  display: flex;
  flex-direction: column;
  gap: 14px;
}

/* ---- notice ---- */

.notice {
  display: flex;
  align-items: flex-start;
  gap: 12px;
  max-width: 1320px;
  width: calc(100% - 48px);
  margin: 16px auto 0;
  padding: 10px 14px;
  border: 1px solid;
  border-radius: var(--radius);
  font-size: 13.5px;
}

.notice-text {
  flex: 1;
  overflow-wrap: anywhere;
}

.notice-ok {
  background: var(--ok-soft);
  border-color: color-mix(in srgb, var(--ok) 35%, transparent);
  color: var(--ok);
}

.notice-error {
  background: var(--danger-soft);
  border-color: color-mix(in srgb, var(--danger) 35%, transparent);
  color: var(--danger);
}

.notice-close {
  border: 0;
  background: transparent;
  color: inherit;
  font-size: 18px;
  line-height: 1;
  padding: 0 2px;
  cursor: pointer;
  opacity: 0.7;
}

.notice-close:hover {
  opacity: 1;
}

/* ---- layout ---- */

.main {
  flex: 1;
  width: 100%;
  max-width: 1368px;
  margin: 0 auto;
  padding: 16px 24px 24px;
}

.loading {
  color: var(--muted);
  text-align: center;
  padding: 64px 0;
}

.dashboard {
  display: grid;
  grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr);
  gap: 16px;
  align-items: start;
}

.column {
  display: flex;
  flex-direction: column;
  gap: 16px;
  min-width: 0;
}

@media (max-width: 980px) {
  .dashboard {
    grid-template-columns: minmax(0, 1fr);
  }

  .facts {
    order: 3;
    width: 100%;
    justify-content: space-between;
  }
}

@media (max-width: 560px) {
  .topbar {
    gap: 12px 16px;
    padding: 10px 16px;
  }

  .facts {
    display: grid;
    grid-template-columns: repeat(5, minmax(0, 1fr));
  }

  .fact {
    align-items: center;
    padding: 2px 4px;
  }

  .fact dt {
    font-size: 10px;
    letter-spacing: 0.03em;
  }

  .fact dd {
    font-size: 15px;
  }

  .main {
    padding: 12px 12px 20px;
  }

  .notice {
    width: calc(100% - 24px);
  }

  .card {
    padding: 16px;
  }

  .table-scroll {
    margin: 0 -16px -16px;
  }

  .table th,
  .table td {
    padding: 8px 12px;
  }

  .table .entity,
  .table .entity-head {
    display: none;
  }
}

.card {
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
  box-shadow: var(--shadow);
  padding: 18px 20px;
  min-width: 0;
}

.card.narrow {
  max-width: 520px;
  margin: 48px auto 0;
  display: flex;
  flex-direction: column;
  gap: 14px;
  padding: 28px;
}

.card-head {
  display: flex;
  justify-content: space-between;
  align-items: flex-start;
  gap: 16px;
  margin-bottom: 14px;
}

.card-title {
  font-size: 16px;
  font-weight: 650;
}

.card.narrow .card-title {
  font-size: 19px;
}

.card-sub {
  color: var(--muted);
  font-size: 13px;
  margin-top: 2px;
}

.hint {
  color: var(--muted);
  font-size: 12.5px;
}

/* ---- resources ---- */

.resources {
  display: flex;
  flex-direction: column;
  max-height: calc(100vh - 32px);
}

.search {
  flex: 0 1 260px;
}

.table-scroll {
  overflow: auto;
  margin: 0 -20px -18px;
  border-top: 1px solid var(--border);
  border-radius: 0 0 var(--radius) var(--radius);
}

.table {
  width: 100%;
  border-collapse: collapse;
  font-variant-numeric: tabular-nums;
}

.table th {
  position: sticky;
  top: 0;
  z-index: 1;
  background: var(--surface-2);
  color: var(--muted);
  font-size: 11.5px;
  font-weight: 600;
  text-transform: uppercase;
  letter-spacing: 0.05em;
  text-align: left;
  padding: 8px 20px;
  border-bottom: 1px solid var(--border);
}

.table td {
  padding: 8px 20px;
  border-bottom: 1px solid var(--border);
  vertical-align: middle;
}

.table tbody tr:last-child td {
  border-bottom: 0;
}

.table tbody tr:hover td {
  background: var(--surface-2);
}

.table .num {
  text-align: right;
  white-space: nowrap;
}

.table .path code,
.table .entity {
  overflow-wrap: anywhere;
}

.table .entity {
  color: var(--muted);
}

.records-count {
  font-weight: 600;
}

.delta {
  display: inline-block;
  margin-right: 8px;
  padding: 0 6px;
  border-radius: 999px;
  font-size: 11.5px;
  font-weight: 600;
}

.delta-up {
  background: var(--ok-soft);
  color: var(--ok);
}

.delta-down {
  background: var(--danger-soft);
  color: var(--danger);
}

.empty-cell,
.empty {
  color: var(--muted);
  text-align: center;
  padding: 18px 12px;
}

.empty {
  border: 1px dashed var(--border-strong);
  border-radius: 8px;
  font-size: 13px;
}

/* ---- identities ---- */

.identity-list {
  list-style: none;
  margin: 0;
  padding: 0;
  display: flex;
  flex-direction: column;
  gap: 12px;
}

.identity {
  display: flex;
  flex-direction: column;
  gap: 6px;
}

.identity + .identity {
  padding-top: 12px;
  border-top: 1px solid var(--border);
}

.identity-head {
  display: flex;
  align-items: center;
  gap: 10px;
}

.identity-description {
  color: var(--muted);
  font-size: 13px;
}

.identity-problem {
  margin: 0;
  color: var(--danger);
  font-size: 12.5px;
}

.badge {
  display: inline-block;
  min-width: 52px;
  text-align: center;
  padding: 1px 8px;
  border-radius: 999px;
  font-size: 12px;
  font-weight: 650;
}

.badge-admin {
  background: var(--accent-soft);
  color: var(--accent-strong);
}

.badge-user {
  background: var(--info-soft);
  color: var(--info);
}

.token-row {
  display: flex;
  align-items: center;
  gap: 8px;
}

.token-value {
  flex: 1;
  min-width: 0;
  padding: 6px 10px;
  border: 1px solid var(--border);
  border-radius: 7px;
  background: var(--surface-2);
  color: var(--muted);
  letter-spacing: 0.08em;
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}

.token-value.revealed {
  color: var(--text);
  letter-spacing: 0;
  white-space: normal;
  overflow-wrap: anywhere;
  user-select: all;
}

.token-actions {
  display: flex;
  gap: 6px;
}

/* ---- world ---- */

.world-actions {
  display: flex;
  flex-direction: column;
}

.world-action {
  display: flex;
  align-items: center;
  justify-content: space-between;
  gap: 16px;
  padding: 10px 0;
}

.world-action + .world-action {
  border-top: 1px solid var(--border);
}

.world-action:first-child {
  padding-top: 0;
}

.world-action:last-child {
  padding-bottom: 0;
}

.world-action .btn {
  min-width: 118px;
}

.action-title {
  font-weight: 600;
}

.action-text {
  color: var(--muted);
  font-size: 13px;
}

/* ---- scenario rules ---- */

.rule-list {
  list-style: none;
  margin: 0;
  padding: 0;
  display: flex;
  flex-direction: column;
  gap: 8px;
}

.rule {
  display: flex;
  align-items: center;
  gap: 12px;
  padding: 8px 8px 8px 12px;
  border: 1px solid var(--border);
  border-radius: 8px;
  background: var(--surface-2);
}

.rule-id {
  color: var(--muted);
  font-family: var(--mono);
  font-size: 12px;
  min-width: 24px;
}

.rule-body {
  flex: 1;
  min-width: 0;
  display: flex;
  flex-direction: column;
  gap: 2px;
}

.rule-line {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
}

.rule-match {
  font-weight: 600;
  overflow-wrap: anywhere;
  margin-right: 4px;
}

.rule-meta {
  color: var(--muted);
  font-size: 12.5px;
}

.chip {
  display: inline-block;
  padding: 0 8px;
  border-radius: 999px;
  font-size: 12px;
  font-weight: 600;
  white-space: nowrap;
}

.chip-error {
  background: var(--danger-soft);
  color: var(--danger);
}

.chip-status {
  background: var(--ok-soft);
  color: var(--ok);
}

.chip-delay {
  background: var(--info-soft);
  color: var(--info);
}

.chip-network {
  background: var(--violet-soft);
  color: var(--violet);
}

.rule-form {
  margin-top: 16px;
  padding-top: 16px;
  border-top: 1px solid var(--border);
}

.form-title {
  font-size: 13px;
  font-weight: 650;
  margin-bottom: 10px;
}

.form-grid {
  display: grid;
  grid-template-columns: repeat(3, minmax(0, 1fr));
  gap: 12px;
  align-items: end;
}

.span-2 {
  grid-column: span 2;
}

.field-submit {
  justify-content: flex-end;
}

.rule-form .form-error {
  margin-top: 12px;
}

@media (max-width: 560px) {
  .form-grid {
    grid-template-columns: minmax(0, 1fr);
  }

  .span-2 {
    grid-column: auto;
  }
}

/* ---- footer ---- */

.footer {
  display: flex;
  justify-content: space-between;
  gap: 16px;
  flex-wrap: wrap;
  max-width: 1368px;
  width: 100%;
  margin: 0 auto;
  padding: 0 24px 20px;
  color: var(--muted);
  font-size: 12.5px;
}

/* ---- confirmation dialog ---- */

.dialog {
  width: min(440px, calc(100vw - 32px));
  padding: 24px;
  border: 1px solid var(--border);
  border-radius: 12px;
  background: var(--surface);
  color: var(--text);
  box-shadow: 0 20px 50px rgba(0, 0, 0, 0.25);
}

.dialog::backdrop {
  background: rgba(15, 18, 24, 0.45);
}

.dialog p {
  color: var(--muted);
  overflow-wrap: anywhere;
}
`;
