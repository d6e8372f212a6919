/**
 * Delivers alert notifications to webhooks: Slack incoming-webhook JSON (a coloured attachment
 * with Severity and Timestamp fields, as in the guides' SlackAlerter) or a generic JSON body
 * shaped like Alertmanager's (status, labels, annotations, startsAt/endsAt, fingerprint).
 */
import type { Logger } from 'pino';
import type { AlertNotification } from './alert-types.js';

export type WebhookFormat = 'slack' | 'generic';

export interface WebhookTarget {
  url: string;
  format: WebhookFormat;
  headers?: Record<string, string>;
}

export interface AlertNotifier {
  notify(notification: AlertNotification): Promise<void>;
}

const SLACK_COLORS = { info: '#36a64f', warning: '#ffaa00', critical: '#ff0000', resolved: '#36a64f' } as const;
const TIMEOUT_MS = 10_000;

export function slackPayload(n: AlertNotification): Record<string, unknown> {
  const a = n.alert;
  const resolved = n.status === 'resolved';
  const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  return {
    username: 'Conduit',
    text: `${resolved ? '[RESOLVED]' : '[FIRING]'} ${a.name}${labels === '' ? '' : ` (${labels})`}: ${a.summary}`,
    attachments: [
      {
        color: resolved ? SLACK_COLORS.resolved : SLACK_COLORS[a.severity],
        title: `${resolved ? 'Resolved' : 'Firing'}: ${a.name}`,
        text: a.description,
        fields: [
          { title: 'Severity', value: a.severity.toUpperCase(), short: true },
          { title: 'Timestamp', value: formatTimestamp(n.timeMs), short: true },
          ...(labels === '' ? [] : [{ title: 'Labels', value: labels, short: false }]),
        ],
        footer: `fingerprint ${a.fingerprint}`,
        ts: Math.floor(n.timeMs / 1000),
      },
    ],
  };
}

export function genericPayload(n: AlertNotification): Record<string, unknown> {
  const a = n.alert;
  return {
    status: n.status,
    fingerprint: a.fingerprint,
    labels: { alertname: a.name, severity: a.severity, ...a.labels },
    annotations: { summary: a.summary, description: a.description },
    value: a.value,
    threshold: a.threshold,
    startsAt: new Date(a.firingSinceMs ?? n.timeMs).toISOString(),
    ...(n.status === 'resolved' ? { endsAt: new Date(n.timeMs).toISOString() } : {}),
    repeat: n.repeat,
  };
}

/** `YYYY-MM-DD HH:MM:SS` UTC, the guides' SlackAlerter format. */
function formatTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export class WebhookNotifier implements AlertNotifier {
  constructor(
    private readonly target: WebhookTarget,
    private readonly logger?: Logger,
  ) {}

  /** Two tries; a failure is logged, never thrown into the evaluation loop. */
  async notify(notification: AlertNotification): Promise<void> {
    const body = JSON.stringify(this.target.format === 'slack' ? slackPayload(notification) : genericPayload(notification));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const res = await fetch(this.target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.target.headers },
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        this.logger?.warn({ status: res.status, alert: notification.alert.name, webhook: redact(this.target.url) }, 'alert webhook answered with an error');
      } catch (err) {
        this.logger?.warn({ err, alert: notification.alert.name, webhook: redact(this.target.url) }, 'alert webhook delivery failed');
      }
    }
  }
}

/** Webhook URLs carry their secret in the path (Slack); log only the origin. */
function redact(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}
