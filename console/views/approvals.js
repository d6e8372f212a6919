// Pending approvals: tool calls of agent runs that wait for a human decision.
import { api, disabledNotice, errorBox, fmtTime, h, isDisabled, toast } from '../lib.js';

export function render(main) {
  const box = h('div', { class: 'item-list' }, h('p', { class: 'muted' }, 'Loading…'));

  async function decide(a, decision, reasonInput) {
    try {
      const out = await api(`approvals/${encodeURIComponent(a.runId)}/${encodeURIComponent(a.id)}`, { method: 'POST', body: { decision, ...(reasonInput.value ? { reason: reasonInput.value } : {}) } });
      toast(`${decision === 'approve' ? 'Approved' : 'Denied'}: run is now ${out.runStatus}.`);
    } catch (err) {
      toast(`Decision failed: ${err.message}`);
    }
    await load();
  }

  function card(a) {
    const reasonId = `reason-${a.id}`;
    const reason = h('input', { id: reasonId, type: 'text', maxlength: 1000 });
    return h(
      'article',
      { class: 'card', 'data-approval': a.id, 'aria-labelledby': `title-${a.id}` },
      h('h3', { id: `title-${a.id}` }, `${a.tool}`, h('span', { class: 'muted' }, ` · agent ${a.agent}`)),
      h('p', { class: 'muted' }, `Run ${a.runId} · requested ${fmtTime(a.requestedAt)}`, a.riskScore === null ? '' : ` · risk ${a.riskScore}`),
      h('p', {}, 'Run input: ', h('q', {}, a.runInput)),
      h('p', { class: 'muted' }, 'Arguments'),
      h('pre', {}, JSON.stringify(a.arguments, null, 2)),
      h('div', { class: 'field' }, h('label', { for: reasonId }, 'Reason (optional)'), reason),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button ok', onclick: () => decide(a, 'approve', reason) }, 'Approve'),
        h('button', { type: 'button', class: 'button danger', onclick: () => decide(a, 'deny', reason) }, 'Deny'),
      ),
    );
  }

  async function load() {
    try {
      const { data } = await api('approvals');
      box.replaceChildren(...(data.length === 0 ? [h('p', { class: 'muted', 'data-approvals': '0' }, 'No tool calls are waiting for approval.')] : data.map(card)));
    } catch (err) {
      box.replaceChildren(isDisabled(err) ? disabledNotice('Agent runs', 'Enable agents.http in conduit.yaml.') : errorBox(err));
    }
  }
  main.append(h('h2', {}, 'Pending approvals'), box);
  void load();
  const timer = setInterval(load, 10_000);
  return () => clearInterval(timer);
}
