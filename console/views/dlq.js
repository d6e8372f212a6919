/* global location, window */
// Dead-letter queue: structured-output failures awaiting a human. One item shows every failed
// attempt (raw output, validation issues or parse error); the operator corrects the object and
// resolves it — the queue validates the correction against the item's schema.
import { api, disabledNotice, errorBox, fmtAge, fmtTime, h, isDisabled, table, toast } from '../lib.js';

function attemptView(a) {
  return h(
    'div',
    { class: 'attempt' },
    h('h4', {}, `Attempt ${a.attempt}`, a.provider ? ` · ${a.provider}/${a.model ?? ''}` : '', a.finishReason ? ` · finish: ${a.finishReason}` : ''),
    h('p', { class: 'muted' }, 'Raw output'),
    h('pre', {}, a.raw ?? ''),
    a.parseError ? h('p', { class: 'error' }, `Parse error: ${a.parseError}`) : null,
    a.issues && a.issues.length ? h('ul', {}, a.issues.map((i) => h('li', {}, h('code', {}, i.path || '(root)'), `: ${i.message}`))) : null,
  );
}

async function renderItem(main, id) {
  main.append(h('p', {}, h('a', { href: '#/dlq' }, '← All dead letters')));
  let item;
  try {
    item = await api(`dlq/${encodeURIComponent(id)}`);
  } catch (err) {
    main.append(errorBox(err));
    return;
  }
  const initial = JSON.stringify(item.resolution ?? item.bestPartial ?? {}, null, 2);
  const textarea = h('textarea', { id: 'corrected-data', 'aria-describedby': 'corrected-help', spellcheck: 'false' });
  textarea.value = initial;
  const result = h('div', { role: 'status', 'aria-live': 'polite', id: 'resolve-result' });
  const form = h(
    'form',
    { id: 'resolve-form' },
    h('label', { for: 'corrected-data' }, 'Corrected object (JSON)'),
    h('p', { id: 'corrected-help', class: 'muted' }, 'Pre-filled with the best partial parse. It must satisfy the schema above.'),
    textarea,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'resolve' }, 'Resolve with this object')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let corrected;
    try {
      corrected = JSON.parse(textarea.value);
    } catch (err) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Not valid JSON: ${err.message}`));
      return;
    }
    try {
      await api(`dlq/${encodeURIComponent(id)}/resolve`, { method: 'POST', body: { corrected_data: corrected } });
      // After the shell's own hashchange listener has switched pages (and cleared old messages).
      window.addEventListener('hashchange', () => toast('Dead letter resolved.'), { once: true });
      location.hash = '#/dlq';
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  });
  main.append(h(
    'div',
    {},
    h('h2', {}, `Dead letter ${item.id}`),
    h('p', {}, h('span', { class: item.status === 'pending' ? 'badge warn' : 'badge ok', id: 'dlq-status' }, item.status), ` · schema ${item.schemaName} · queued ${fmtTime(item.createdAt)}`, item.resolvedBy ? ` · resolved by ${item.resolvedBy}` : ''),
    h('h3', {}, 'Input'),
    h('pre', {}, item.input.map((m) => `${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`).join('\n\n')),
    h('h3', {}, `Failed attempts (${item.attempts.length})`),
    item.attempts.map(attemptView),
    h('h3', {}, 'Schema'),
    h('pre', {}, JSON.stringify(item.schema, null, 2)),
    item.status === 'pending' ? [h('h3', {}, 'Correct and resolve'), form, result] : [h('h3', {}, 'Resolution'), h('pre', {}, JSON.stringify(item.resolution, null, 2))],
  ));
}

export function render(main, params) {
  if (params[0] !== undefined) {
    void renderItem(main, params[0]);
    return undefined;
  }
  const statusSelect = h('select', { id: 'dlq-status-filter' }, h('option', { value: 'pending' }, 'pending'), h('option', { value: 'resolved' }, 'resolved'));
  const box = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  async function load() {
    try {
      const { stats, data } = await api(`dlq?status=${statusSelect.value}`);
      box.replaceChildren(
        h('p', {}, `${stats.pending} pending, ${stats.resolved} resolved`, stats.pending ? `; oldest pending waits ${fmtAge(stats.oldestPendingAgeMs)}` : ''),
        table(
          `${data.length} ${statusSelect.value} items`,
          ['Item', 'Schema', 'Attempts', 'Last error', 'Waiting'],
          data.map((i) => [h('a', { href: `#/dlq/${encodeURIComponent(i.id)}`, 'data-dlq-item': i.id }, i.id), i.schemaName, String(i.attempts), i.errors.at(-1) ?? '', fmtAge(i.ageMs)]),
          { numeric: [2] },
        ),
      );
    } catch (err) {
      box.replaceChildren(isDisabled(err) ? disabledNotice('The dead-letter queue', 'Set dlq.enabled: true in conduit.yaml.') : errorBox(err));
    }
  }
  statusSelect.addEventListener('change', load);
  main.append(h('h2', {}, 'Dead letters'), h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'dlq-status-filter' }, 'Status'), statusSelect)), box);
  void load();
  const timer = setInterval(load, 10_000);
  return () => clearInterval(timer);
}
