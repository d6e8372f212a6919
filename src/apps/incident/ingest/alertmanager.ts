/**
 * Alertmanager's webhook payload, version 4
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), validated and
 * turned into Alerts. Alertmanager's own fingerprint is kept: it is stable across re-sends.
 */
import { z } from 'zod';
import { ConduitError } from '../../../core/errors.js';
import { fingerprintOf, normaliseSeverity, type Alert } from '../alert.js';

const stringMap = z.record(z.string(), z.string());

const alertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertmanagerAlertSchema),
});

export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;

// Alertmanager writes the zero time for "not ended yet".
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function parseAlertmanagerPayload(body: unknown): Alert[] {
  const parsed = alertmanagerPayloadSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at '${issue.path.join('.')}': ${issue.message}`;
    throw new ConduitError('invalid_request', `Not an Alertmanager webhook payload (version 4)${where}`, { code: 'invalid_alertmanager_payload' });
  }
  return parsed.data.alerts.map((a) => {
    const endsAt = a.endsAt === undefined || a.endsAt.startsWith(ZERO_TIME.slice(0, 10)) ? undefined : a.endsAt;
    return {
      fingerprint: a.fingerprint !== undefined && a.fingerprint !== '' ? a.fingerprint : fingerprintOf(a.labels),
      name: a.labels.alertname ?? 'unnamed',
      status: a.status,
      severity: normaliseSeverity(a.labels.severity),
      labels: a.labels,
      annotations: a.annotations,
      ...(a.startsAt === undefined ? {} : { startsAt: a.startsAt }),
      ...(endsAt === undefined ? {} : { endsAt }),
      source: 'alertmanager',
      ...(a.generatorURL === undefined || a.generatorURL === '' ? {} : { generatorUrl: a.generatorURL }),
    };
  });
}
