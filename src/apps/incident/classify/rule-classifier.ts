/**
 * The classification used when no model is configured (or the model fails): severity is the
 * worst alert's, services come from labels, the category from keywords in alert names and
 * annotations. It marks itself `method: 'rules'` so nobody mistakes it for a model's reading.
 */
import { mostSevere, servicesOf, type Severity } from '../alert.js';
import type { IncidentCategory, IncidentSummary } from './incident-summary.js';

export interface AlertFacts {
  name: string;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: 'firing' | 'resolved';
}

const CATEGORY_RULES: { category: IncidentCategory; pattern: RegExp }[] = [
  { category: 'security', pattern: /cert|tls|ssl|auth(n|z|entication)?fail|intrusion|vulnerab/i },
  { category: 'availability', pattern: /down|unreachable|unavailable|instance.?down|\bup\b|crashloop|restart|oom.?kill|target.?missing/i },
  { category: 'resource_saturation', pattern: /cpu|memory|mem\b|load|throttl|saturat|swap/i },
  { category: 'capacity', pattern: /disk|storage|volume|quota|inode|filesystem|full/i },
  { category: 'latency', pattern: /latency|slow|p9[59]|duration|timeout/i },
  { category: 'application_errors', pattern: /error|5xx|exception|fail/i },
  { category: 'deployment', pattern: /deploy|rollout|release|version/i },
  { category: 'data', pattern: /replication|lag|backup|database|queue/i },
];

export const RULES_NOTE = 'Rule-based summary: no language model was used (none configured, or it failed). Severity, services and category are derived from alert labels and keywords.';

export function classifyByRules(alerts: readonly AlertFacts[], note = RULES_NOTE): IncidentSummary {
  const severity = alerts.reduce<Severity>((s, a) => mostSevere(s, a.severity), 'info');
  const services = [...new Set(alerts.flatMap((a) => servicesOf(a.labels)))];
  const names = [...new Set(alerts.map((a) => a.name))];
  const text = alerts.map((a) => [a.name, a.annotations.summary ?? '', a.annotations.description ?? ''].join(' ')).join(' ');
  const category = CATEGORY_RULES.find((r) => r.pattern.test(text))?.category ?? 'other';
  const hosts = [...new Set(alerts.map((a) => a.labels.host ?? a.labels.pod ?? a.labels.instance).filter((h): h is string => h !== undefined))];
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const symptoms = names.map((n) => {
    const ofName = alerts.filter((a) => a.name === n);
    const summary = ofName.find((a) => a.annotations.summary !== undefined)?.annotations.summary;
    return `${n}: ${ofName.length} alert${ofName.length === 1 ? '' : 's'}${summary === undefined ? '' : ` — ${summary}`}`;
  });
  if (hosts.length > 0) symptoms.push(`Scope: ${hosts.length} host${hosts.length === 1 ? '' : 's'} (${hosts.slice(0, 5).join(', ')}${hosts.length > 5 ? ', …' : ''})`);
  const where = services.length === 0 ? '' : ` on ${services.join(', ')}`;
  return {
    method: 'rules',
    note,
    severity,
    services,
    category,
    title: `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}${where}`.slice(0, 200),
    symptoms: [`${firing} of ${alerts.length} alerts firing`, ...symptoms].slice(0, 10),
    suspected_cause: null,
    recommended_action: null,
  };
}
