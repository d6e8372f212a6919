// Keys, their budgets and this month's spend; creating and revoking keys; spend by group.
import { api, confirmDialog, disabledNotice, errorBox, fmtTime, fmtUsd, h, isDisabled, table, toast } from '../lib.js';

function keyStatus(k) {
  if (k.revokedAt) return h('span', { class: 'badge err' }, 'revoked');
  if (k.expiresAt && Date.parse(k.expiresAt) < Date.now()) return h('span', { class: 'badge warn' }, 'expired');
  return h('span', { class: 'badge ok' }, 'active');
}

function budgetsText(k) {
  if (!k.budgets || k.budgets.length === 0) return '—';
  return k.budgets.map((b) => `${fmtUsd(b.limitUsd, 2)}/${b.window}`).join(', ');
}

export function render(main) {
  const keysBox = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const created = h('div', { role: 'status', 'aria-live': 'polite' });
  const spendBox = h('div');
  const groupSelect = h('select', { id: 'spend-group' }, ['key', 'model', 'team', 'user', 'provider', 'day'].map((g) => h('option', { value: g }, g)));

  const form = h(
    'form',
    { class: 'filters', id: 'create-key' },
    h('div', { class: 'field' }, h('label', { for: 'key-name' }, 'Name'), h('input', { id: 'key-name', required: true, maxlength: 200 })),
    h('div', { class: 'field' }, h('label', { for: 'key-team' }, 'Team'), h('input', { id: 'key-team' })),
    h('div', { class: 'field' }, h('label', { for: 'key-models' }, 'Allowed models (comma-separated, empty = all)'), h('input', { id: 'key-models' })),
    h('div', { class: 'field' }, h('label', { for: 'key-budget' }, 'Monthly budget (USD)'), h('input', { id: 'key-budget', type: 'number', min: 0, step: '0.01', inputmode: 'decimal' })),
    h('button', { type: 'submit', class: 'button primary' }, 'Create key'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = form.querySelector('#key-name').value.trim();
    const team = form.querySelector('#key-team').value.trim();
    const models = form.querySelector('#key-models').value.split(',').map((s) => s.trim()).filter(Boolean);
    const budget = form.querySelector('#key-budget').value;
    const input = { name, ...(team ? { team } : {}), ...(models.length ? { allowedModels: models } : {}), ...(budget !== '' ? { budgets: [{ window: 'month', limitUsd: Number(budget) }] } : {}) };
    try {
      const key = await api('keys', { method: 'POST', body: input });
      created.replaceChildren(h('div', { class: 'notice' }, h('p', {}, `Key "${key.name}" created. Copy the secret now: it is shown only once.`), h('pre', { id: 'new-key-secret' }, key.key)));
      form.reset();
      await loadKeys();
    } catch (err) {
      created.replaceChildren(errorBox(err));
    }
  });

  async function revoke(k) {
    const ok = await confirmDialog({ title: `Revoke key "${k.name}"?`, text: 'Requests with this key are refused from now on (other replicas within their key cache time).', okLabel: 'Revoke' });
    if (ok === null) return;
    try {
      await api(`keys/${encodeURIComponent(k.id)}/revoke`, { method: 'POST', body: {} });
      toast(`Key ${k.name} revoked.`);
    } catch (err) {
      toast(`Revoke failed: ${err.message}`);
    }
    await loadKeys();
  }

  async function loadKeys() {
    try {
      const { data } = await api('keys?include_revoked=true');
      keysBox.replaceChildren(
        table(
          `${data.length} keys`,
          ['Name', 'Id', 'Team', 'Models', 'Budgets', 'Spend this month', 'Last used', 'Status', ''],
          data.map((k) => [k.name, h('code', {}, k.id), k.team ?? '—', k.allowedModels.length ? k.allowedModels.join(', ') : 'all', budgetsText(k), fmtUsd(k.monthSpendUsd), fmtTime(k.lastUsedAt), keyStatus(k), k.revokedAt ? '' : h('button', { type: 'button', class: 'button secondary small', onclick: () => revoke(k), 'aria-label': `Revoke ${k.name}` }, 'Revoke')]),
          { numeric: [5] },
        ),
      );
    } catch (err) {
      keysBox.replaceChildren(isDisabled(err) ? disabledNotice('Virtual API keys', 'Set a master key.') : errorBox(err));
    }
  }

  async function loadSpend() {
    try {
      const s = await api(`spend?group_by=${encodeURIComponent(groupSelect.value)}`);
      spendBox.replaceChildren(
        h('p', {}, `Total ${fmtUsd(s.total.costUsd)} over ${s.total.requests} requests since ${fmtTime(s.from)}`, s.total.unpricedRequests ? ` (${s.total.unpricedRequests} of unknown price)` : ''),
        table(`Spend by ${s.groupBy}`, [s.groupBy, 'Requests', 'Input tokens', 'Output tokens', 'Cost'], s.data.map((r) => [r.group ?? '(none)', String(r.requests), String(r.inputTokens), String(r.outputTokens), fmtUsd(r.costUsd)]), { numeric: [1, 2, 3, 4] }),
      );
    } catch (err) {
      spendBox.replaceChildren(isDisabled(err) ? disabledNotice('The usage ledger') : errorBox(err));
    }
  }
  groupSelect.addEventListener('change', loadSpend);

  main.append(
    h('h2', {}, 'Keys & spend'),
    h('h3', {}, 'Create a key'),
    form,
    created,
    h('h3', {}, 'Keys'),
    keysBox,
    h('h3', {}, 'Spend this month'),
    h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'spend-group' }, 'Group by'), groupSelect)),
    spendBox,
  );
  void loadKeys();
  void loadSpend();
}
