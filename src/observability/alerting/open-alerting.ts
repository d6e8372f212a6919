/** Builds the alert engine from the `alerting:` section for `conduit serve`. */
import type { Logger } from 'pino';
import type { AlertingConfig } from '../../config/schema.js';
import type { GatewayMetrics } from '../metrics.js';
import { AlertEngine } from './alert-engine.js';
import { WebhookNotifier } from './alert-notifier.js';
import { defaultAlertRules } from './alert-rules.js';
import type { BudgetReading, ProviderHealthReading } from './alert-rules.js';

export function openAlerting(
  config: AlertingConfig,
  deps: { metrics: GatewayMetrics; logger?: Logger; providerHealth?: () => readonly ProviderHealthReading[]; budgets?: () => Promise<readonly BudgetReading[]> },
): AlertEngine | undefined {
  if (!config.enabled) return undefined;
  return new AlertEngine({
    rules: defaultAlertRules(config.rules),
    registry: deps.metrics.registry,
    notifiers: config.webhooks.map((w) => new WebhookNotifier({ url: w.url, format: w.format, ...(w.headers === undefined ? {} : { headers: w.headers }) }, deps.logger)),
    intervalMs: config.interval_ms,
    repeatIntervalMs: config.repeat_interval_ms,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.providerHealth === undefined ? {} : { providerHealth: deps.providerHealth }),
    ...(deps.budgets === undefined ? {} : { budgets: deps.budgets }),
  });
}
