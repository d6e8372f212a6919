// Overview: live numbers (polled every 2 s), budgets, cache, alerts and the emergency stop.
import { api, confirmDialog, errorBox, fmtMs, fmtNumber, fmtPct, fmtTime, fmtUsd, h, svg, table, toast } from '../lib.js';

const POLL_MS = 2000;

function stat(id, label, value, sub) {
  return h('div', { class: 'stat' }, h('p', { class: 'stat-label', id: `${id}-label` }, label), h('p', { class: 'stat-value', 'data-metric': id, 'aria-labelledby': `${id}-label` }, value), sub === undefined ? null : h('p', { class: 'stat-sub' }, sub));
}

function sparkline(series) {
  const w = 300;
  const hgt = 60;
  const el = svg('svg', { class: 'sparkline', viewBox: `0 0 ${w} ${hgt}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Requests per second over the last minute' });
  if (series.length < 2) return el;
  const max = Math.max(1, ...series.map((p) => p.requestsPerSecond));
  const points = series.map((p, i) => `${((i / (series.length - 1)) * w).toFixed(1)},${(hgt - 2 - (p.requestsPerSecond / max) * (hgt - 4)).toFixed(1)}`).join(' ');
  el.append(svg('polyline', { points }));
  return el;
}

function stopPanel(state, refresh) {
  if (state === null) return h('section', { class: 'card stop-panel', 'aria-labelledby': 'stop-title' }, h('h3', { id: 'stop-title' }, 'Emergency stop'), h('p', { class: 'muted' }, 'Not available: the gateway runs without a master key.'));
  const stopButton = h('button', {
    type: 'button',
    class: 'button danger',
    id: 'emergency-stop',
    onclick: async () => {
      const reason = await confirmDialog({ title: 'Stop all model traffic?', text: 'Every model request on every replica is refused with 503 until you resume. Requests in flight finish.', okLabel: 'Stop all traffic', field: { label: 'Reason (for the audit log)', value: 'console emergency stop' } });
      if (reason === null) return;
      try {
        await api('emergency-stop', { method: 'POST', body: { confirm: true, reason } });
        toast('Emergency stop is ON: model traffic is refused.');
      } catch (err) {
        toast(`Stop failed: ${err.message}`);
      }
      refresh();
    },
  }, 'Emergency stop');
  const resumeButton = h('button', {
    type: 'button',
    class: 'button ok',
    id: 'resume',
    onclick: async () => {
      const ok = await confirmDialog({ title: 'Resume model traffic?', text: 'The gateway accepts model requests again.', okLabel: 'Resume traffic' });
      if (ok === null) return;
      try {
        await api('resume', { method: 'POST', body: {} });
        toast('Traffic resumed.');
      } catch (err) {
        toast(`Resume failed: ${err.message}`);
      }
      refresh();
    },
  }, 'Resume traffic');
  return h(
    'section',
    { class: `card stop-panel${state.stopped ? ' stopped' : ''}`, 'aria-labelledby': 'stop-title' },
    h('h3', { id: 'stop-title' }, 'Emergency stop'),
    h('p', { id: 'stop-state', 'data-stopped': String(state.stopped) }, state.stopped ? `ACTIVE since ${fmtTime(state.since)} — ${state.reason ?? ''}` : 'Off: the gateway serves model traffic.'),
    state.stopped ? resumeButton : stopButton,
  );
}

function budgetsTable(budgets) {
  return table(
    'Budgets in their current window (from the usage ledger)',
    ['Budget', 'Scope', 'Window', 'Spent', 'Limit', 'Used'],
    budgets.map((b) => [
      b.name,
      b.scope === 'global' ? 'global' : `${b.scope} ${b.scopeValue ?? ''}`,
      b.window,
      fmtUsd(b.spentUsd),
      fmtUsd(b.limitUsd, 2),
      h('span', {}, h('meter', { min: 0, max: 1, low: 0.7, high: 0.9, optimum: 0, value: Math.min(1, b.used ?? 0), 'aria-label': `${b.name} used` }), ' ', fmtPct(b.used)),
    ]),
    { numeric: [3, 4] },
  );
}

function alertsBlock(alerts, enabled) {
  if (!enabled) return h('p', { class: 'muted', 'data-alerts': 'disabled' }, 'Alerting is not enabled on this gateway.');
  if (alerts === null) return h('p', { class: 'muted' }, 'Alerts could not be read.');
  if (alerts.length === 0) return h('p', { class: 'badge ok', 'data-alerts': '0' }, 'No active alerts');
  return h('ul', { 'data-alerts': String(alerts.length) }, alerts.map((a) => h('li', {}, h('span', { class: a.state === 'firing' ? 'badge err' : 'badge warn' }, `${a.severity} ${a.state}`), ' ', h('strong', {}, a.name), ` — ${a.summary} (since ${fmtTime(a.sinceMs)})`)));
}

export function render(main, _params, { setStopBadge }) {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const updated = h('p', { class: 'muted', 'aria-live': 'off', id: 'updated' });
  main.append(h('h2', {}, 'Overview'), updated, body);
  let timer;
  let stopped = false;

  async function refresh() {
    clearTimeout(timer);
    try {
      const o = await api('overview');
      if (stopped) return;
      setStopBadge(o.emergencyStop);
      const w = o.window;
      const cache = o.cache;
      body.replaceChildren(
        h(
          'div',
          { class: 'cards' },
          stat('requests-per-second', 'Requests/s (1 min)', fmtNumber(w.requestsPerSecond, 2), `${fmtNumber(o.totals.requests)} requests since start`),
          stat('error-rate', 'Error rate (1 min)', fmtPct(w.errorRate), `${fmtNumber(o.totals.errors)} errors since start`),
          stat('latency-p50', 'Latency p50', fmtMs(w.latencyP50Ms)),
          stat('latency-p95', 'Latency p95', fmtMs(w.latencyP95Ms)),
          stat('ttft-p50', 'Time to first token p50', fmtMs(w.ttftP50Ms), `p95 ${fmtMs(w.ttftP95Ms)}`),
          stat('active', 'In flight', fmtNumber(o.totals.active)),
          stat('tokens-per-hour', 'Tokens/hour (rate)', fmtNumber(w.tokensPerHour), o.lastHour ? `${fmtNumber(o.lastHour.tokens)} in the last hour` : undefined),
          stat('cost-per-hour', 'Cost/hour (rate)', fmtUsd(w.costPerHourUsd), o.lastHour ? `${fmtUsd(o.lastHour.costUsd)} in the last hour` : undefined),
          stat('cache-hit-rate', 'Cache hit rate', cache ? fmtPct(cache.hitRate) : '—', cache ? `saved ${fmtUsd(cache.savedUsd)}` : 'no cache configured'),
          stat('dlq-pending', 'Dead letters pending', o.dlq ? fmtNumber(o.dlq.pending) : '—', o.dlq ? undefined : 'queue not enabled'),
        ),
        h(
          'div',
          { class: 'panel-row' },
          h('section', { class: 'card', 'aria-labelledby': 'rps-title' }, h('h3', { id: 'rps-title' }, 'Requests/s, last minute'), sparkline(o.series)),
          stopPanel(o.emergencyStop, refresh),
        ),
        h('h3', {}, 'Active alerts'),
        alertsBlock(o.alerts, o.features.alerts),
        h('h3', {}, 'Budgets'),
        o.budgets.length === 0 ? h('p', { class: 'muted' }, o.features.ledger ? 'No budgets configured (keys may carry their own: see Keys & spend).' : 'The usage ledger is not enabled.') : budgetsTable(o.budgets),
      );
      updated.textContent = `Updated ${fmtTime(o.time)} · refreshes every ${POLL_MS / 1000} s`;
    } catch (err) {
      if (stopped) return;
      body.replaceChildren(errorBox(err));
    }
    if (!stopped) timer = setTimeout(refresh, POLL_MS);
  }
  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
