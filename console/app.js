/* global document, window, location */
// The console shell: login, the hash router (#/overview, #/dlq/<id>…) and the emergency-stop badge.
// Each page is a module exporting render(main, params) that returns an optional cleanup function
// (pages that poll stop their timers there).
import { api, ApiError, h } from './lib.js';
import * as overview from './views/overview.js';
import * as requests from './views/requests.js';
import * as traces from './views/traces.js';
import * as keys from './views/keys.js';
import * as dlq from './views/dlq.js';
import * as approvals from './views/approvals.js';
import * as incidents from './views/incidents.js';
import * as playground from './views/playground.js';

const PAGES = { overview, requests, traces, keys, dlq, approvals, incidents, playground };
const TITLES = { overview: 'Overview', requests: 'Requests', traces: 'Traces', keys: 'Keys & spend', dlq: 'Dead letters', approvals: 'Approvals', incidents: 'Incidents', playground: 'Playground' };

const loginView = document.getElementById('login-view');
const appView = document.getElementById('app-view');
const main = document.getElementById('main');
const logoutButton = document.getElementById('logout');
let cleanup;

function showLogin(message) {
  cleanup?.();
  cleanup = undefined;
  appView.hidden = true;
  logoutButton.hidden = true;
  document.getElementById('stop-badge').hidden = true;
  loginView.hidden = false;
  const err = document.getElementById('login-error');
  err.hidden = message === undefined;
  err.textContent = message ?? '';
  document.getElementById('master-key').focus();
}

function showApp() {
  loginView.hidden = true;
  appView.hidden = false;
  logoutButton.hidden = false;
  route();
}

/** Shown in the header on every page: the stop matters wherever the operator is. */
export function setStopBadge(state) {
  const badge = document.getElementById('stop-badge');
  if (state === null || state === undefined) {
    badge.hidden = true;
    return;
  }
  badge.hidden = false;
  badge.className = state.stopped ? 'badge stopped' : 'badge ok';
  badge.textContent = state.stopped ? 'EMERGENCY STOP ACTIVE' : 'Serving traffic';
}

function route() {
  const [name = 'overview', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = PAGES[name] ?? overview;
  const key = PAGES[name] ? name : 'overview';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${TITLES[key]} · Conduit console`;
  cleanup?.();
  // A message about the last page's action does not belong on the next one.
  document.getElementById('toast').hidden = true;
  main.replaceChildren();
  cleanup = page.render(main, params.filter((p) => p !== ''), { setStopBadge });
}

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('master-key');
  try {
    await api('login', { method: 'POST', body: { master_key: input.value } });
    input.value = '';
    showApp();
  } catch (err) {
    showLogin(err instanceof ApiError && err.status === 401 ? 'Wrong master key.' : err.message);
  }
});

logoutButton.addEventListener('click', async () => {
  await api('logout', { method: 'POST' }).catch(() => undefined);
  showLogin();
});

window.addEventListener('hashchange', () => {
  if (!appView.hidden) route();
});
window.addEventListener('console:logged-out', () => showLogin('Your session has ended; log in again.'));

const session = await api('session').catch(() => ({ authenticated: false }));
if (session.authenticated) showApp();
else if (session.enabled === false) {
  loginView.hidden = false;
  loginView.replaceChildren(h('p', { class: 'notice card' }, 'The console is disabled: start the gateway with a master key (CONDUIT_MASTER_KEY).'));
} else showLogin();
