import type { AlertSeverity } from './alert-rules.js';

export type AlertState = 'pending' | 'firing';

/** One alert instance (rule + labels) that is pending or firing now. */
export interface ActiveAlert {
  name: string;
  /** Rule name and labels, stable across evaluations: the de-duplication key. */
  fingerprint: string;
  labels: Record<string, string>;
  severity: AlertSeverity;
  state: AlertState;
  value: number;
  threshold: number;
  summary: string;
  description: string;
  /** When the condition started holding. */
  activeSinceMs: number;
  firingSinceMs: number | undefined;
}

export interface AlertNotification {
  status: 'firing' | 'resolved';
  alert: ActiveAlert;
  timeMs: number;
  /** A reminder for an alert still firing after the repeat interval. */
  repeat: boolean;
}
