/**
 * The one shape every alert source is normalised to (Alertmanager, any JSON source through a
 * field mapping, the CLI). Correlation, storage and the timeline only ever see this.
 */
import { createHash } from 'node:crypto';

export type AlertStatus = 'firing' | 'resolved';

/** Ordered from the most to the least urgent; unknown label values map to `warning`. */
export const SEVERITIES = ['critical', 'high', 'warning', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Alert {
  /** Stable identity of the alert's label set: the same alert re-sent has the same fingerprint. */
  fingerprint: string;
  name: string;
  status: AlertStatus;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When the alert started firing (ISO-8601); undefined when the source does not say. */
  startsAt?: string;
  endsAt?: string;
  /** `alertmanager`, `json`, `cli`. */
  source: string;
  generatorUrl?: string;
}

const SEVERITY_ALIASES: Record<string, Severity> = {
  critical: 'critical',
  crit: 'critical',
  fatal: 'critical',
  page: 'critical',
  p1: 'critical',
  high: 'high',
  error: 'high',
  major: 'high',
  p2: 'high',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  p3: 'warning',
  low: 'low',
  minor: 'low',
  p4: 'low',
  info: 'info',
  informational: 'info',
  none: 'info',
  debug: 'info',
  p5: 'info',
};

export function normaliseSeverity(value: string | undefined): Severity {
  if (value === undefined) return 'warning';
  return SEVERITY_ALIASES[value.trim().toLowerCase()] ?? 'warning';
}

/** Lower is more urgent. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function mostSevere(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

/** sha256 over the sorted label set (what Alertmanager's own fingerprint identifies, in another hash). */
export function fingerprintOf(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k] ?? ''}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Services an alert concerns, from the labels sources commonly use for it. */
export function servicesOf(labels: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const key of ['service', 'app', 'application', 'job', 'component']) {
    const v = labels[key];
    if (v !== undefined && v !== '') {
      out.add(v);
      // `service` is the authoritative label; the others only stand in when it is missing.
      if (key === 'service') break;
    }
  }
  return [...out];
}
