/**
 * Tells the owning team: a Slack incoming webhook (`text` plus Block Kit blocks) and/or a generic
 * webhook that receives the incident as JSON. The team comes from a label (default `team`).
 */
import { postJson } from './http-post.js';

export interface IncidentNotice {
  incidentId: string;
  key: string;
  title: string;
  severity: string;
  services: string[];
  team: string | null;
  summary: string[];
  ticket: string | null;
  url: string | null;
  /** `rules` or `model`: how the summary was made. */
  method: string;
}

export interface Notifier {
  readonly name: string;
  send(notice: IncidentNotice): Promise<void>;
}

const SEVERITY_EMOJI: Record<string, string> = { critical: ':rotating_light:', high: ':red_circle:', warning: ':warning:', low: ':large_blue_circle:', info: ':information_source:' };

/** The Slack incoming-webhook body for a notice (exported for tests and previews). */
export function slackMessage(n: IncidentNotice): Record<string, unknown> {
  const headline = `${SEVERITY_EMOJI[n.severity] ?? ''} [${n.severity.toUpperCase()}] ${n.key}: ${n.title}`.trim();
  const fields = [
    `*Services:* ${n.services.join(', ') || 'unknown'}`,
    `*Team:* ${n.team ?? 'unassigned'}`,
    `*Ticket:* ${n.ticket ?? 'none'}`,
    `*Summary by:* ${n.method === 'rules' ? 'rules (no model)' : 'model'}`,
  ];
  return {
    text: headline,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150) } },
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      { type: 'section', text: { type: 'mrkdwn', text: n.summary.map((s) => `• ${s}`).join('\n').slice(0, 2900) || '_no summary_' } },
      ...(n.url === null ? [] : [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${n.url}|Open incident ${n.key}>` }] }]),
    ],
  };
}

export function slackNotifier(webhookUrl: string): Notifier {
  return { name: 'slack', send: async (n) => void (await postJson(webhookUrl, slackMessage(n), { what: 'Slack webhook' })) };
}

export function webhookNotifier(url: string, headers: Record<string, string> = {}): Notifier {
  return { name: 'webhook', send: async (n) => void (await postJson(url, { type: 'incident.opened', incident: n }, { headers, what: 'Incident webhook' })) };
}
