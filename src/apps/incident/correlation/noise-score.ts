/**
 * Scores how likely an alert is noise (0 = act on it, 1 = certainly noise) and says why, so a
 * muted alert can be reviewed instead of silently dropped. Each signal adds its weight; a
 * critical alert is pulled back, because missing a real page costs more than one extra incident.
 */
import type { Alert } from '../alert.js';
import type { CorrelationSettings } from './correlation-settings.js';

export interface NoiseReason {
  signal: 'muted_by_config' | 'flapping' | 'informational' | 'short_lived' | 'critical';
  weight: number;
  detail: string;
}

export interface NoiseVerdict {
  score: number;
  muted: boolean;
  reasons: NoiseReason[];
}

export interface NoiseContext {
  /** Firings of the same fingerprint that started within the flap window, this one included. */
  recentFirings: number;
}

export function scoreNoise(alert: Alert, context: NoiseContext, settings: CorrelationSettings): NoiseVerdict {
  const reasons: NoiseReason[] = [];
  if (settings.muteAlerts.includes(alert.name)) reasons.push({ signal: 'muted_by_config', weight: 1, detail: `'${alert.name}' is in incident.correlation.mute_alerts` });
  if (context.recentFirings >= settings.flapThreshold) {
    reasons.push({ signal: 'flapping', weight: 0.8, detail: `fired ${context.recentFirings} times within ${Math.round(settings.flapWindowMs / 60_000)} min (threshold ${settings.flapThreshold})` });
  }
  if (alert.severity === 'info') reasons.push({ signal: 'informational', weight: 0.5, detail: 'severity info does not page anyone' });
  if (alert.status === 'resolved' && alert.startsAt !== undefined && alert.endsAt !== undefined) {
    const lived = Date.parse(alert.endsAt) - Date.parse(alert.startsAt);
    if (lived >= 0 && lived < settings.shortLivedMs) reasons.push({ signal: 'short_lived', weight: 0.4, detail: `resolved itself after ${Math.round(lived / 1000)} s` });
  }
  if (alert.severity === 'critical' && reasons.some((r) => r.signal !== 'muted_by_config')) reasons.push({ signal: 'critical', weight: -0.3, detail: 'critical alerts are muted only on strong evidence' });
  const score = Math.min(1, Math.max(0, reasons.reduce((sum, r) => sum + r.weight, 0)));
  return { score: Math.round(score * 100) / 100, muted: score >= settings.noiseThreshold, reasons };
}
