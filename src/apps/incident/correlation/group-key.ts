/**
 * The key alerts are grouped by: the values of the configured labels. When an alert carries none
 * of them, its name stands in, so unrelated unlabelled alerts never collapse into one incident.
 */
import type { Alert } from '../alert.js';

export function groupKeyOf(alert: Alert, groupBy: readonly string[]): string {
  const parts = groupBy.map((label) => `${label}=${alert.labels[label] ?? ''}`);
  if (groupBy.every((label) => (alert.labels[label] ?? '') === '')) parts.push(`alertname=${alert.name}`);
  return parts.join(',');
}
