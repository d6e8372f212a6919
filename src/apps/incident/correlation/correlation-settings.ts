/** How alerts are grouped, deduplicated and muted; the defaults suit a burst from one service. */
export interface CorrelationSettings {
  /** Labels whose values must match for two alerts to share an incident. */
  groupBy: string[];
  /** An open incident takes new alerts of its group for this long after its last alert. */
  windowMs: number;
  /** A fingerprint that fires this many times within `flapWindowMs` is flapping and muted. */
  flapThreshold: number;
  flapWindowMs: number;
  /** Alerts resolved within this long of starting count as short-lived noise. */
  shortLivedMs: number;
  /** Alerts whose noise score reaches this are muted (kept, with their reasons, for review). */
  noiseThreshold: number;
  /** Alert names always muted (known non-actionable alerts). */
  muteAlerts: string[];
}

export const DEFAULT_CORRELATION: CorrelationSettings = {
  groupBy: ['service'],
  windowMs: 30 * 60_000,
  flapThreshold: 4,
  flapWindowMs: 10 * 60_000,
  shortLivedMs: 60_000,
  noiseThreshold: 0.7,
  muteAlerts: [],
};
