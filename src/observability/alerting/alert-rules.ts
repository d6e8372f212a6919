/**
 * The built-in alert rules, evaluated over readings of the gateway's metrics. Defaults follow the
 * guides' Prometheus rules (error rate > 10 % for 2 min, p95 > 10 s for 5 min, cost increase > $50
 * per hour); the rest (TTFT, budgets, dead letters, providers) are Conduit's own choices, stated
 * with each rule. ops/prometheus/conduit-rules.yml carries the same rules in PromQL.
 */
import type { MetricSnapshot } from './metric-snapshot.js';
import { quantileBetween } from './metric-snapshot.js';

export type AlertSeverity = 'info' | 'warning' | 'critical';

/** A budget's spend against its limit (from the budget store). */
export interface BudgetReading {
  /** e.g. `key:abc/daily`, `team:search/monthly`. */
  scope: string;
  usedUsd: number;
  limitUsd: number;
}

/** A provider or deployment health signal (router health checks, circuit breakers). */
export interface ProviderHealthReading {
  provider: string;
  healthy: boolean;
  reason?: string;
}

export interface AlertRuleContext {
  now: number;
  latest: MetricSnapshot;
  /** The reading closest to `now − windowMs` (at or before it), else the oldest kept. */
  at(windowMs: number): MetricSnapshot;
  budgets: readonly BudgetReading[];
  providerHealth: readonly ProviderHealthReading[];
}

export interface AlertObservation {
  /** Distinguishes instances of one rule (a provider, a budget); none for gateway-wide rules. */
  labels: Record<string, string>;
  value: number;
  active: boolean;
  description: string;
}

export interface AlertRule {
  /** Also the Prometheus alert name. */
  name: string;
  /** The config key under `alerting.rules`. */
  key: AlertRuleKey;
  severity: AlertSeverity;
  threshold: number;
  /** How long the condition must hold before the alert fires (0 = at once). */
  forMs: number;
  summary: string;
  observe(ctx: AlertRuleContext): AlertObservation[];
}

export const ALERT_RULE_KEYS = ['error_rate', 'p95_latency', 'ttft_p95', 'cost_burn', 'budget_use', 'dlq_size', 'dlq_age', 'provider_health'] as const;
export type AlertRuleKey = (typeof ALERT_RULE_KEYS)[number];

export interface AlertRuleOverride {
  enabled?: boolean;
  threshold?: number;
  for_ms?: number;
  severity?: AlertSeverity;
}

const MINUTE = 60_000;

/** Rate windows (how far back a rule looks), fixed per rule like the `[…]` range in PromQL. */
const ERROR_RATE_WINDOW_MS = 1 * MINUTE;
const LATENCY_WINDOW_MS = 5 * MINUTE;
const COST_WINDOW_MS = 60 * MINUTE;
const PROVIDER_WINDOW_MS = 2 * MINUTE;
/** A provider needs this many requests in its window before its error ratio means anything. */
const PROVIDER_MIN_REQUESTS = 5;

const DEFAULTS: Record<AlertRuleKey, { threshold: number; forMs: number; severity: AlertSeverity }> = {
  error_rate: { threshold: 0.1, forMs: 2 * MINUTE, severity: 'warning' },
  p95_latency: { threshold: 10, forMs: 5 * MINUTE, severity: 'warning' },
  // Not in the guides: 5 s before the first token is where a chat UI feels broken.
  ttft_p95: { threshold: 5, forMs: 5 * MINUTE, severity: 'warning' },
  cost_burn: { threshold: 50, forMs: 0, severity: 'warning' },
  // Not in the guides: warn at 90 % of any budget, before requests start being refused.
  budget_use: { threshold: 0.9, forMs: 0, severity: 'warning' },
  dlq_size: { threshold: 100, forMs: 5 * MINUTE, severity: 'warning' },
  // One hour unreviewed: structured-output failures are meant to be looked at the same day.
  dlq_age: { threshold: 3600, forMs: 0, severity: 'warning' },
  // Half of a provider's requests failing for a minute, or its health check / circuit down.
  provider_health: { threshold: 0.5, forMs: 1 * MINUTE, severity: 'critical' },
};

export function defaultAlertRules(overrides: Partial<Record<AlertRuleKey, AlertRuleOverride>> = {}): AlertRule[] {
  const rules: AlertRule[] = [];
  for (const key of ALERT_RULE_KEYS) {
    const o = overrides[key] ?? {};
    if (o.enabled === false) continue;
    const d = DEFAULTS[key];
    rules.push(BUILDERS[key](o.threshold ?? d.threshold, o.for_ms ?? d.forMs, o.severity ?? d.severity));
  }
  return rules;
}

type Builder = (threshold: number, forMs: number, severity: AlertSeverity) => AlertRule;

const one = (value: number, active: boolean, description: string): AlertObservation[] => [{ labels: {}, value, active, description }];
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

const BUILDERS: Record<AlertRuleKey, Builder> = {
  error_rate: (threshold, forMs, severity) => ({
    name: 'ConduitHighErrorRate',
    key: 'error_rate',
    severity,
    threshold,
    forMs,
    summary: `More than ${pct(threshold)} of model requests failed with a 5xx over the last minute`,
    observe(ctx) {
      const old = ctx.at(ERROR_RATE_WINDOW_MS);
      const requests = ctx.latest.requests - old.requests;
      if (requests <= 0) return one(0, false, 'no requests in the last minute');
      const rate = (ctx.latest.serverErrors - old.serverErrors) / requests;
      return one(rate, rate > threshold, `error rate ${pct(rate)} over ${requests} requests (threshold ${pct(threshold)})`);
    },
  }),
  p95_latency: (threshold, forMs, severity) => ({
    name: 'ConduitHighLatencyP95',
    key: 'p95_latency',
    severity,
    threshold,
    forMs,
    summary: `p95 request duration above ${threshold} s over 5 minutes`,
    observe(ctx) {
      const p95 = quantileBetween(0.95, ctx.at(LATENCY_WINDOW_MS).duration, ctx.latest.duration);
      if (p95 === undefined) return one(0, false, 'no requests in the last 5 minutes');
      return one(p95, p95 > threshold, `p95 duration ${p95.toFixed(2)} s (threshold ${threshold} s)`);
    },
  }),
  ttft_p95: (threshold, forMs, severity) => ({
    name: 'ConduitSlowTimeToFirstToken',
    key: 'ttft_p95',
    severity,
    threshold,
    forMs,
    summary: `p95 time to first token above ${threshold} s over 5 minutes`,
    observe(ctx) {
      const p95 = quantileBetween(0.95, ctx.at(LATENCY_WINDOW_MS).ttft, ctx.latest.ttft);
      if (p95 === undefined) return one(0, false, 'no streamed requests in the last 5 minutes');
      return one(p95, p95 > threshold, `p95 time to first token ${p95.toFixed(2)} s (threshold ${threshold} s)`);
    },
  }),
  cost_burn: (threshold, forMs, severity) => ({
    name: 'ConduitHighCostBurn',
    key: 'cost_burn',
    severity,
    threshold,
    forMs,
    summary: `Model spend rose by more than $${threshold} within an hour`,
    observe(ctx) {
      // The actual increase over the last hour (no extrapolation: a burst in a young process is not an hour's spend).
      const increase = ctx.latest.costUsd - ctx.at(COST_WINDOW_MS).costUsd;
      return one(increase, increase > threshold, `$${increase.toFixed(2)} spent in the last hour (threshold $${threshold})`);
    },
  }),
  budget_use: (threshold, forMs, severity) => ({
    name: 'ConduitBudgetNearLimit',
    key: 'budget_use',
    severity,
    threshold,
    forMs,
    summary: `A budget is above ${pct(threshold)} of its limit`,
    observe(ctx) {
      return ctx.budgets
        .filter((b) => b.limitUsd > 0)
        .map((b) => {
          const use = b.usedUsd / b.limitUsd;
          return { labels: { budget: b.scope }, value: use, active: use >= threshold, description: `${b.scope}: $${b.usedUsd.toFixed(2)} of $${b.limitUsd.toFixed(2)} (${pct(use)})` };
        });
    },
  }),
  dlq_size: (threshold, forMs, severity) => ({
    name: 'ConduitDeadLetterBacklog',
    key: 'dlq_size',
    severity,
    threshold,
    forMs,
    summary: `More than ${threshold} dead-letter items wait for review`,
    observe(ctx) {
      const size = ctx.latest.dlqSize;
      return size === undefined ? [] : one(size, size > threshold, `${size} pending dead-letter items (threshold ${threshold})`);
    },
  }),
  dlq_age: (threshold, forMs, severity) => ({
    name: 'ConduitDeadLetterStale',
    key: 'dlq_age',
    severity,
    threshold,
    forMs,
    summary: `A dead-letter item has waited more than ${Math.round(threshold / 60)} minutes for review`,
    observe(ctx) {
      const age = ctx.latest.dlqOldestAgeSeconds;
      return age === undefined ? [] : one(age, age > threshold, `oldest pending item is ${Math.round(age / 60)} minutes old`);
    },
  }),
  provider_health: (threshold, forMs, severity) => ({
    name: 'ConduitProviderUnhealthy',
    key: 'provider_health',
    severity,
    threshold,
    forMs,
    summary: `A provider is failing (more than ${pct(threshold)} of its requests, or its health check)`,
    observe(ctx) {
      const out = new Map<string, AlertObservation>();
      const old = ctx.at(PROVIDER_WINDOW_MS);
      for (const [provider, now] of ctx.latest.providers) {
        if (provider === 'none') continue;
        const before = old.providers.get(provider) ?? { requests: 0, errors: 0 };
        const requests = now.requests - before.requests;
        const ratio = requests > 0 ? (now.errors - before.errors) / requests : 0;
        out.set(provider, {
          labels: { provider },
          value: ratio,
          active: requests >= PROVIDER_MIN_REQUESTS && ratio > threshold,
          description: `${provider}: ${pct(ratio)} of ${requests} requests failed in the last 2 minutes`,
        });
      }
      for (const h of ctx.providerHealth) {
        if (h.healthy) continue;
        out.set(h.provider, { labels: { provider: h.provider }, value: 1, active: true, description: `${h.provider}: ${h.reason ?? 'health check failing'}` });
      }
      return [...out.values()];
    },
  }),
};
