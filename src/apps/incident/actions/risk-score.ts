/**
 * The risk of running a runbook's action on this incident: its base risk, raised by context that
 * widens the blast radius. Each factor is listed so the approver sees why it was held.
 */
import type { Runbook } from './runbook.js';

export interface RiskFactor {
  factor: string;
  delta: number;
}

export interface RiskAssessment {
  score: number;
  factors: RiskFactor[];
}

export interface RiskContext {
  severity: string;
  labels: readonly Record<string, string>[];
}

const PRODUCTION = /^(prod|production|live)$/i;

export function assessRisk(runbook: Runbook, context: RiskContext): RiskAssessment {
  const factors: RiskFactor[] = [{ factor: `runbook '${runbook.id}' base risk`, delta: runbook.risk }];
  if (context.labels.some((l) => PRODUCTION.test(l.env ?? l.environment ?? ''))) factors.push({ factor: 'production environment', delta: 0.2 });
  const hosts = new Set(context.labels.map((l) => l.host ?? l.pod ?? l.instance).filter((h) => h !== undefined));
  if (hosts.size > 1) factors.push({ factor: `acts on ${hosts.size} hosts`, delta: 0.1 });
  if (context.severity === 'critical') factors.push({ factor: 'critical incident: a wrong action costs more', delta: 0.1 });
  const score = Math.min(1, Math.max(0, factors.reduce((s, f) => s + f.delta, 0)));
  return { score: Math.round(score * 100) / 100, factors };
}
