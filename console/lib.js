/* global document, window, Node, CustomEvent */
// Shared helpers of the console pages: the JSON API client, a DOM builder that never parses HTML
// (every value is set as text, so data from the gateway cannot inject markup), and formatting.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.body = body;
  }
}

/** Calls /console/api/<path>; state-changing calls carry the console's CSRF header. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-conduit-console'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`api/${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text === '' ? {} : JSON.parse(text);
  if (res.status === 401 && data?.error?.code === 'console_login_required') {
    window.dispatchEvent(new CustomEvent('console:logged-out'));
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** h('td', { class: 'num' }, '12') — attributes, event handlers (onclick…) and text/element children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function svg(tag, attrs = {}) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtUsd(n, digits = 4) {
  if (n === null || n === undefined) return '—';
  return `$${Number(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}

export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

export function fmtPct(x) {
  if (x === null || x === undefined) return '—';
  return `${(x * 100).toFixed(1)}%`;
}

export function fmtTime(t) {
  if (t === null || t === undefined) return '—';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleString('en-GB', { hour12: false });
}

export function fmtAge(ms) {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

let toastTimer;
export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 4000);
}

/** A modal confirmation (native <dialog>: focus is trapped and Escape cancels). Resolves to the extra field's value, or null when cancelled. */
export function confirmDialog({ title, text, okLabel = 'Confirm', field }) {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel;
  const extra = document.getElementById('confirm-extra');
  extra.replaceChildren();
  let input;
  if (field !== undefined) {
    input = h('input', { id: 'confirm-field', type: 'text', value: field.value ?? '' });
    extra.append(h('div', { class: 'field' }, h('label', { for: 'confirm-field' }, field.label), input));
  }
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => resolve(dialog.returnValue === 'confirm' ? (input?.value ?? '') : null),
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
    (input ?? document.getElementById('confirm-ok')).focus();
  });
}

/** A table with a caption and header row; `rows` are arrays of cells (strings or elements). */
export function table(caption, headers, rows, { numeric = [] } = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map((t, i) => h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : undefined }, t)))),
      h('tbody', {}, rows.length === 0 ? h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'Nothing to show.')) : rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { class: numeric.includes(i) ? 'num' : undefined }, c))))),
    ),
  );
}

export function errorBox(err) {
  return h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err));
}

/** "X is not enabled" for features the gateway was started without. */
export function disabledNotice(what, how) {
  return h('p', { class: 'notice', role: 'status' }, `${what} is not enabled on this gateway. `, how ?? '');
}

export function isDisabled(err) {
  return err instanceof ApiError && err.code === 'feature_disabled';
}
