// Incidents opened by the incident agent: the list (status filter) and one incident's timeline,
// alerts, actions and the remediations held for a human. Approve / Deny ask for confirmation and
// an optional reason; the incident service decides, audits and runs an approved remediation once.
// Both views refresh every few seconds, and re-render only when the data changed so focus and
// scroll position survive a refresh.
import { api, confirmDialog, disabledNotice, errorBox, fmtTime, h, isDisabled, table, toast } from '../lib.js';

const REFRESH_MS = 5000;

function severityBadge(severity) {
  const cls = severity === 'critical' ? 'badge err' : severity === 'warning' ? 'badge warn' : 'badge';
  return h('span', { class: cls, 'data-severity': severity }, severity);
}

function statusBadge(status) {
  const cls = status === 'resolved' ? 'badge ok' : status === 'open' ? 'badge err' : 'badge warn';
  return h('span', { class: cls, 'data-status': status }, status);
}

/** One line per timeline event, in words an on-call engineer reads at a glance. */
function describe(e) {
  const d = e.data ?? {};
  switch (e.type) {
    case 'incident_opened':
      return `Incident opened by ${d.firstAlert ?? 'an alert'}${d.severity ? ` (${d.severity})` : ''}`;
    case 'alert':
      return `Alert ${d.name ?? ''}${d.labels?.instance ? ` on ${d.labels.instance}` : ''}${d.severity ? ` (${d.severity})` : ''}`;
    case 'alert_resolved':
      return `Alert ${d.name ?? d.fingerprint ?? ''} resolved`;
    case 'classified':
      return `Classified as ${d.category ?? 'unknown'}, severity ${d.severity ?? '?'}${d.method === 'rules' ? ' (rule-based summary)' : d.model ? ` by ${d.model}` : ''}`;
    case 'finding':
      return `Finding${d.source ? ` (${d.source})` : ''}: ${d.text ?? d.error ?? ''}`;
    case 'ticket_created':
      return `Ticket ${d.key ?? ''} filed${d.system ? ` in ${d.system}` : ''}`;
    case 'notification_sent':
      return `Notified ${d.team ?? 'the owning team'} via ${d.channel ?? '?'}`;
    case 'notification_failed':
      return `Notification failed: ${d.error ?? ''}`;
    case 'remediation_proposed':
      return `Remediation proposed: ${d.title ?? d.runbook ?? ''}${d.action ? ` (action ${d.action})` : ''}, risk ${d.risk ?? '?'}`;
    case 'remediation_blocked':
      return `Remediation ${d.action ?? ''} blocked: ${d.reason ?? ''}`;
    case 'approval_requested':
      return `Approval requested for ${d.action ?? ''} (risk ${d.risk ?? '?'} ≥ threshold ${d.threshold ?? '?'})`;
    case 'approval_decided':
      return `${d.decision === 'approve' ? 'Approved' : 'Denied'} by ${d.by ?? '?'}${d.reason ? `: ${d.reason}` : ''}`;
    case 'remediation_executed':
      return `Remediation ${d.action ?? ''} executed`;
    case 'remediation_failed':
      return `Remediation ${d.action ?? ''} failed: ${d.error ?? ''}`;
    case 'acknowledged':
      return `Acknowledged by ${d.by ?? '?'}`;
    case 'resolved':
      return `Resolved by ${d.by ?? '?'}${d.note ? `: ${d.note}` : ''}`;
    case 'similar_incidents':
      return `${Array.isArray(d.incidents) ? d.incidents.length : 0} similar past incident(s) found`;
    default:
      return e.type;
  }
}

/** Polls `load` while the page is shown; `render` runs only when the answer differs from the last one. */
function poller(load, render, onError) {
  let last;
  let stopped = false;
  async function tick() {
    try {
      const data = await load();
      if (stopped) return;
      const text = JSON.stringify(data);
      if (text !== last) {
        last = text;
        render(data);
      }
    } catch (err) {
      if (stopped) return;
      last = undefined;
      onError(err);
    }
  }
  void tick();
  const timer = setInterval(tick, REFRESH_MS);
  return {
    refresh: tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

function approvalCard(incidentId, approval, action, onDecided) {
  const titleId = `approval-title-${approval.approvalId}`;
  async function decide(decision) {
    const approving = decision === 'approve';
    const reason = await confirmDialog({
      title: approving ? 'Approve remediation?' : 'Deny remediation?',
      text: approving
        ? `Run ${approval.tool} for this incident now? It runs once and is recorded in the audit log.`
        : `Deny ${approval.tool}? It will not run for this incident.`,
      okLabel: approving ? 'Approve and run' : 'Deny',
      field: { label: approving ? 'Reason (optional)' : 'Reason for denying (optional)' },
    });
    if (reason === null) return;
    try {
      const out = await api(`incidents/${encodeURIComponent(incidentId)}/approvals/${encodeURIComponent(approval.approvalId)}`, {
        method: 'POST',
        body: { decision, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      });
      toast(`${approving ? 'Approved' : 'Denied'}: remediation is now ${out.action?.status ?? out.approval?.status}.`);
    } catch (err) {
      toast(`Decision failed: ${err.message}`);
    }
    await onDecided();
  }
  return h(
    'article',
    { class: 'card approval-card', 'data-incident-approval': approval.approvalId, 'aria-labelledby': titleId },
    h('h4', { id: titleId }, `Remediation ${approval.tool}`, action ? h('span', { class: 'muted' }, ` · runbook ${action.name}`) : null),
    h('p', {}, h('span', { class: 'badge warn' }, 'waiting for approval'), ` risk ${approval.riskScore ?? '—'} · requested ${fmtTime(approval.requestedAt)}`),
    h('pre', {}, JSON.stringify(approval.args, null, 2)),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'button ok', 'data-decision': 'approve', onclick: () => decide('approve') }, 'Approve'),
      h('button', { type: 'button', class: 'button danger', 'data-decision': 'deny', onclick: () => decide('deny') }, 'Deny'),
    ),
  );
}

function renderDetail(main, id) {
  const box = h('div', { id: 'incident-detail' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('p', {}, h('a', { href: '#/incidents' }, '← All incidents')), box);
  let poll;
  function show(view) {
    const { incident, alerts, actions, approvals, timeline } = view;
    const pending = approvals.filter((a) => a.status === 'pending');
    const decided = approvals.filter((a) => a.status !== 'pending');
    const actionOf = (a) => actions.find((x) => x.approvalId === a.approvalId);
    const summary = incident.summary;
    // replaceChildren (unlike h) would print a skipped section as the text "null".
    const sections = [
      h('h2', {}, `${incident.key}: ${incident.title}`),
      h(
        'p',
        { class: 'incident-meta' },
        statusBadge(incident.status),
        ' ',
        severityBadge(incident.severity),
        ` · ${incident.services.join(', ') || 'no service'} · opened ${fmtTime(incident.createdAt)} · ${incident.alertCount} alert(s)`,
        incident.category ? ` · ${incident.category}` : '',
      ),
      summary
        ? h(
            'section',
            { class: 'card incident-summary', 'aria-labelledby': 'summary-title' },
            h('h3', { id: 'summary-title' }, 'Summary'),
            summary.method === 'rules' ? h('p', { class: 'muted' }, summary.note ?? 'Rule-based summary (no model configured).') : null,
            summary.symptoms?.length ? h('ul', {}, summary.symptoms.map((s) => h('li', {}, s))) : null,
            h('p', {}, `Suspected cause: ${summary.suspected_cause ?? 'unknown'}`),
            h('p', {}, `Recommended action: ${summary.recommended_action ?? 'see runbooks'}`),
          )
        : null,
      h('h3', { id: 'pending-title' }, `Pending approvals (${pending.length})`),
      h(
        'div',
        { class: 'item-list', 'aria-labelledby': 'pending-title', 'data-pending-approvals': String(pending.length) },
        pending.length === 0 ? h('p', { class: 'muted' }, 'No remediation is waiting for a decision.') : pending.map((a) => approvalCard(incident.id, a, actionOf(a), () => poll.refresh())),
      ),
      decided.length
        ? table(
            'Decided approvals',
            ['Action', 'Decision', 'By', 'Reason', 'At'],
            decided.map((a) => [a.tool, h('span', { class: a.status === 'approved' ? 'badge ok' : 'badge err' }, a.status), a.decidedBy ?? '—', a.reason ?? '—', fmtTime(a.decidedAt)]),
          )
        : null,
      h('h3', { id: 'timeline-title' }, 'Timeline'),
      h(
        'ol',
        { class: 'timeline', 'aria-labelledby': 'timeline-title' },
        timeline.map((e) => h('li', { 'data-event': e.type }, h('time', { datetime: e.at }, fmtTime(e.at)), h('span', { class: 'timeline-text' }, describe(e)))),
      ),
      h('h3', {}, 'Actions'),
      table(
        `${actions.length} actions`,
        ['Kind', 'Name', 'Status', 'Risk', 'Updated'],
        actions.map((a) => [a.kind, a.name, h('span', { class: a.status === 'executed' || a.status === 'done' ? 'badge ok' : a.status === 'failed' || a.status === 'denied' || a.status === 'blocked' ? 'badge err' : 'badge warn', 'data-action-status': a.status }, a.status), a.riskScore === null ? '—' : String(a.riskScore), fmtTime(a.updatedAt)]),
        { numeric: [3] },
      ),
      h('h3', {}, 'Alerts'),
      table(
        `${alerts.length} alerts`,
        ['Alert', 'Instance', 'Severity', 'Status', 'Started', 'Repeats'],
        alerts.map((a) => [a.name, a.labels.instance ?? '—', severityBadge(a.severity), a.muted ? 'muted' : a.status, fmtTime(a.startsAt), String(a.repeats)]),
        { numeric: [5] },
      ),
    ];
    box.replaceChildren(...sections.filter((section) => section !== null));
  }
  poll = poller(
    () => api(`incidents/${encodeURIComponent(id)}`),
    show,
    (err) => box.replaceChildren(isDisabled(err) ? disabledNotice('The incident agent', 'Set incident.http: true in conduit.yaml.') : errorBox(err)),
  );
  return () => poll.stop();
}

export function render(main, params) {
  if (params[0] !== undefined) return renderDetail(main, params[0]);
  const statusSelect = h(
    'select',
    { id: 'incident-status-filter' },
    h('option', { value: '' }, 'all'),
    h('option', { value: 'open' }, 'open'),
    h('option', { value: 'acknowledged' }, 'acknowledged'),
    h('option', { value: 'resolved' }, 'resolved'),
  );
  const box = h('div', { id: 'incident-list' }, h('p', { class: 'muted' }, 'Loading…'));
  function show({ data }) {
    const filter = statusSelect.value;
    box.replaceChildren(
      table(
        `${data.length} ${filter || 'recent'} incident${data.length === 1 ? '' : 's'}`,
        ['Incident', 'Status', 'Severity', 'Service', 'Opened', 'Alerts', 'Pending approvals'],
        data.map((i) => [
          h('a', { href: `#/incidents/${encodeURIComponent(i.id)}`, 'data-incident': i.id }, `${i.key}: ${i.title}`),
          statusBadge(i.status),
          severityBadge(i.severity),
          i.services.join(', ') || '—',
          fmtTime(i.createdAt),
          String(i.alertCount),
          i.pendingApprovals > 0 ? h('span', { class: 'badge warn' }, String(i.pendingApprovals)) : '0',
        ]),
        { numeric: [5, 6] },
      ),
    );
  }
  const poll = poller(
    () => api(`incidents${statusSelect.value ? `?status=${encodeURIComponent(statusSelect.value)}` : ''}`),
    show,
    (err) => box.replaceChildren(isDisabled(err) ? disabledNotice('The incident agent', 'Set incident.http: true in conduit.yaml.') : errorBox(err)),
  );
  statusSelect.addEventListener('change', () => void poll.refresh());
  main.append(
    h('h2', {}, 'Incidents'),
    h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'incident-status-filter' }, 'Status'), statusSelect)),
    box,
  );
  return () => poll.stop();
}
