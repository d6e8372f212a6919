/* global URLSearchParams */
// Requests: the usage ledger's rows, searchable by key, model, status, time and cost; a row with a
// trace id links to its waterfall.
import { api, disabledNotice, errorBox, fmtMs, fmtNumber, fmtTime, fmtUsd, h, isDisabled, table } from '../lib.js';

export function render(main) {
  const box = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id }, label), input);
  const form = h(
    'form',
    { class: 'filters', id: 'request-filters', role: 'search' },
    field('f-key', 'Key id', h('input', { id: 'f-key', name: 'key' })),
    field('f-model', 'Model', h('input', { id: 'f-model', name: 'model' })),
    field('f-status', 'Status', h('select', { id: 'f-status', name: 'status' }, h('option', { value: '' }, 'any'), ['ok', 'error', 'interrupted'].map((s) => h('option', { value: s }, s)))),
    field('f-from', 'From', h('input', { id: 'f-from', name: 'from', type: 'datetime-local' })),
    field('f-cost', 'Min cost (USD)', h('input', { id: 'f-cost', name: 'min_cost', type: 'number', min: 0, step: 'any', inputmode: 'decimal' })),
    h('button', { type: 'submit', class: 'button primary' }, 'Search'),
  );

  async function load() {
    const q = new URLSearchParams();
    for (const el of form.querySelectorAll('input, select')) {
      if (el.value === '') continue;
      q.set(el.name, el.type === 'datetime-local' ? new Date(el.value).toISOString() : el.value);
    }
    try {
      const { data } = await api(`requests?${q}`);
      box.replaceChildren(
        table(
          `${data.length} most recent matching requests`,
          ['Time', 'Key', 'Model', 'Served by', 'Status', 'Tokens in/out', 'Cost', 'Latency', 'Trace'],
          data.map((r) => [
            fmtTime(r.ts),
            r.keyId ?? '—',
            r.model,
            `${r.provider}/${r.servedModel}`,
            h('span', { class: r.status === 'ok' ? 'badge ok' : 'badge err' }, r.status),
            `${fmtNumber(r.inputTokens)} / ${fmtNumber(r.outputTokens)}`,
            fmtUsd(r.costUsd, 6),
            fmtMs(r.latencyMs),
            r.traceId ? h('a', { href: `#/traces/${encodeURIComponent(r.traceId)}` }, 'open') : '—',
          ]),
          { numeric: [5, 6, 7] },
        ),
      );
    } catch (err) {
      box.replaceChildren(isDisabled(err) ? disabledNotice('The request log (usage ledger)', 'Set a master key or budgets so the ledger is kept.') : errorBox(err));
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  main.append(h('h2', {}, 'Requests'), form, box);
  void load();
  return undefined;
}
