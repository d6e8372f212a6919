/* global URLSearchParams */
// Traces: a searchable list, and one trace as a waterfall (span bars placed on a shared time axis,
// indented by depth), with each span's attributes — inputs and outputs where they were captured.
import { api, disabledNotice, errorBox, fmtMs, fmtTime, fmtUsd, h, isDisabled, table } from '../lib.js';

function depthOf(span, byId) {
  let d = 0;
  let p = span.parentSpanId;
  while (p !== undefined && p !== null && byId.has(p) && d < 50) {
    d++;
    p = byId.get(p).parentSpanId;
  }
  return d;
}

/** Spans in tree order (parents before children, siblings by start time). */
function ordered(spans) {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    if (s.parentSpanId && byId.has(s.parentSpanId)) {
      if (!children.has(s.parentSpanId)) children.set(s.parentSpanId, []);
      children.get(s.parentSpanId).push(s);
    } else roots.push(s);
  }
  const out = [];
  const visit = (s) => {
    out.push(s);
    for (const c of (children.get(s.spanId) ?? []).sort((a, b) => a.startTimeMs - b.startTimeMs)) visit(c);
  };
  for (const r of roots.sort((a, b) => a.startTimeMs - b.startTimeMs)) visit(r);
  return { list: out, byId };
}

function waterfall(spans) {
  const { list, byId } = ordered(spans);
  const t0 = Math.min(...spans.map((s) => s.startTimeMs));
  const t1 = Math.max(...spans.map((s) => s.endTimeMs));
  const total = Math.max(t1 - t0, 0.001);
  return h(
    'div',
    { class: 'waterfall', role: 'list', 'aria-label': 'Spans on a time axis' },
    list.map((s) => {
      const depth = depthOf(s, byId);
      const bar = h('div', { class: s.status === 'error' ? 'wf-bar error' : 'wf-bar' });
      bar.style.left = `${(((s.startTimeMs - t0) / total) * 100).toFixed(2)}%`;
      bar.style.width = `${Math.max(0.3, ((s.endTimeMs - s.startTimeMs) / total) * 100).toFixed(2)}%`;
      const name = h('span', { class: 'wf-name', title: s.name }, s.name);
      name.style.paddingLeft = `${depth * 1}rem`;
      const attrs = Object.entries(s.attributes ?? {});
      return h(
        'div',
        { role: 'listitem', 'data-span': s.spanId },
        h('div', { class: 'wf-row' }, name, h('div', { class: 'wf-track' }, bar, h('span', { class: 'wf-dur' }, fmtMs(s.endTimeMs - s.startTimeMs)))),
        h(
          'details',
          {},
          h('summary', {}, `Details of ${s.name}`),
          h('p', { class: 'muted' }, `${s.kind} · status ${s.status}${s.statusMessage ? ` (${s.statusMessage})` : ''} · started ${fmtTime(s.startTimeMs)}`),
          attrs.length ? h('pre', {}, attrs.map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n')) : null,
          s.events?.length ? h('pre', {}, s.events.map((e) => `${fmtMs(e.timeMs - t0)} ${e.name} ${e.attributes ? JSON.stringify(e.attributes) : ''}`).join('\n')) : null,
        ),
      );
    }),
  );
}

async function renderTrace(main, id) {
  main.append(h('p', {}, h('a', { href: '#/traces' }, '← All traces')), h('h2', {}, `Trace ${id}`));
  try {
    const { spans } = await api(`traces/${encodeURIComponent(id)}`);
    main.append(h('p', { class: 'muted' }, `${spans.length} spans`), waterfall(spans));
  } catch (err) {
    main.append(isDisabled(err) ? disabledNotice('Tracing', 'Configure tracing in conduit.yaml to record traces.') : errorBox(err));
  }
}

export function render(main, params) {
  if (params[0] !== undefined) {
    void renderTrace(main, params[0]);
    return undefined;
  }
  const box = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id }, label), input);
  const form = h(
    'form',
    { class: 'filters', role: 'search', id: 'trace-filters' },
    field('t-key', 'Key id', h('input', { id: 't-key', name: 'key' })),
    field('t-model', 'Model', h('input', { id: 't-model', name: 'model' })),
    field('t-status', 'Status', h('select', { id: 't-status', name: 'status' }, h('option', { value: '' }, 'any'), h('option', { value: 'ok' }, 'ok'), h('option', { value: 'error' }, 'error'))),
    field('t-from', 'From', h('input', { id: 't-from', name: 'from', type: 'datetime-local' })),
    field('t-cost', 'Min cost (USD)', h('input', { id: 't-cost', name: 'min_cost', type: 'number', min: 0, step: 'any', inputmode: 'decimal' })),
    h('button', { type: 'submit', class: 'button primary' }, 'Search'),
  );
  async function load() {
    const q = new URLSearchParams();
    for (const el of form.querySelectorAll('input, select')) {
      if (el.value === '') continue;
      q.set(el.name, el.type === 'datetime-local' ? String(new Date(el.value).getTime()) : el.value);
    }
    try {
      const { data } = await api(`traces?${q}`);
      box.replaceChildren(
        table(
          `${data.length} traces`,
          ['Start', 'Trace', 'Model', 'Key', 'Spans', 'Duration', 'Cost', 'Status'],
          data.map((t) => [fmtTime(t.startTimeMs), h('a', { href: `#/traces/${encodeURIComponent(t.traceId)}`, 'data-trace': t.traceId }, t.name), t.model ?? '—', t.keyId ?? '—', String(t.spanCount), fmtMs(t.durationMs), t.costUsd === undefined || t.costUsd === null ? '—' : fmtUsd(t.costUsd, 6), h('span', { class: t.status === 'error' ? 'badge err' : 'badge ok' }, t.httpStatus ? `${t.status} (${t.httpStatus})` : t.status)]),
          { numeric: [4, 5, 6] },
        ),
      );
    } catch (err) {
      box.replaceChildren(isDisabled(err) ? h('p', { class: 'notice', role: 'status', 'data-tracing': 'disabled' }, 'Tracing not enabled: this gateway records no traces. The Requests page lists model calls from the usage ledger.') : errorBox(err));
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  main.append(h('h2', {}, 'Traces'), form, box);
  void load();
  return undefined;
}
