/**
 * Evaluates alert rules inside Conduit on a timer: reads the gateway metrics, keeps an hour of
 * readings for the rules' windows, moves each alert instance through pending → firing → resolved
 * (Prometheus semantics: the condition must hold for the rule's `for` duration), and notifies only
 * on those transitions — one `firing` message, one `resolved` message, and a reminder after the
 * repeat interval while it keeps firing. The clock is injectable so tests need not wait minutes.
 */
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { AlertRule, AlertRuleContext, BudgetReading, ProviderHealthReading } from './alert-rules.js';
import type { ActiveAlert, AlertNotification } from './alert-types.js';
import type { AlertNotifier } from './alert-notifier.js';
import type { MetricSnapshot } from './metric-snapshot.js';
import { readMetricSnapshot } from './metric-snapshot.js';

export interface AlertEngineOptions {
  rules: readonly AlertRule[];
  /** Where readings come from: a gateway's registry, or a custom reader (tests). */
  registry?: Registry;
  readSnapshot?: (timeMs: number) => Promise<MetricSnapshot>;
  notifiers: readonly AlertNotifier[];
  budgets?: () => Promise<readonly BudgetReading[]>;
  providerHealth?: () => readonly ProviderHealthReading[];
  /** Evaluation period for start(); default 15 s. */
  intervalMs?: number;
  /** Re-send a still-firing alert after this long; default 4 h; 0 = never. */
  repeatIntervalMs?: number;
  clock?: () => number;
  logger?: Logger;
}

interface Instance {
  alert: ActiveAlert;
  lastNotifiedMs: number | undefined;
}

/** Readings older than the longest rule window (1 h) plus slack are dropped. */
const HISTORY_MS = 65 * 60_000;
const RECENT_LIMIT = 200;

export class AlertEngine {
  private readonly history: MetricSnapshot[] = [];
  private readonly instances = new Map<string, Instance>();
  private readonly recent: AlertNotification[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<AlertNotification[]> | undefined;
  private readonly clock: () => number;
  private readonly readSnapshot: (timeMs: number) => Promise<MetricSnapshot>;

  constructor(private readonly options: AlertEngineOptions) {
    this.clock = options.clock ?? Date.now;
    const registry = options.registry;
    if (options.readSnapshot !== undefined) this.readSnapshot = options.readSnapshot;
    else if (registry !== undefined) this.readSnapshot = (t) => readMetricSnapshot(registry, t);
    else throw new TypeError('AlertEngine needs a registry or a readSnapshot function');
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.evaluate().catch((err: unknown) => this.options.logger?.error({ err }, 'alert evaluation failed')), this.options.intervalMs ?? 15_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Alerts pending or firing now, firing first. */
  activeAlerts(): ActiveAlert[] {
    return [...this.instances.values()].map((i) => ({ ...i.alert, labels: { ...i.alert.labels } })).sort((a, b) => (a.state === b.state ? a.activeSinceMs - b.activeSinceMs : a.state === 'firing' ? -1 : 1));
  }

  /** The latest notifications sent (firing, resolved, reminders), newest first. */
  recentNotifications(limit = 50): AlertNotification[] {
    return this.recent.slice(-limit).reverse();
  }

  /** One evaluation: read metrics, judge every rule, notify transitions. Returns what was sent. */
  evaluate(): Promise<AlertNotification[]> {
    // Overlapping ticks (a slow budget query) would double-notify; the second waits for the first.
    const run = (this.running ?? Promise.resolve([])).catch(() => []).then(() => this.evaluateOnce());
    this.running = run;
    return run;
  }

  private async evaluateOnce(): Promise<AlertNotification[]> {
    const now = this.clock();
    const latest = await this.readSnapshot(now);
    this.history.push(latest);
    while (this.history.length > 2 && this.history[1]!.timeMs <= now - HISTORY_MS) this.history.shift();
    const [budgets, providerHealth] = await Promise.all([
      this.options.budgets?.().catch((err: unknown) => {
        this.options.logger?.warn({ err }, 'alerting could not read budgets');
        return [];
      }) ?? [],
      Promise.resolve(this.options.providerHealth?.() ?? []),
    ]);
    const history = this.history;
    const ctx: AlertRuleContext = {
      now,
      latest,
      budgets,
      providerHealth,
      at(windowMs) {
        const cutoff = now - windowMs;
        let found = history[0]!;
        for (const s of history) {
          if (s.timeMs > cutoff) break;
          found = s;
        }
        return found;
      },
    };
    const out: AlertNotification[] = [];
    const seen = new Set<string>();
    for (const rule of this.options.rules) {
      for (const obs of rule.observe(ctx)) {
        const fingerprint = fingerprintOf(rule.name, obs.labels);
        seen.add(fingerprint);
        const existing = this.instances.get(fingerprint);
        if (!obs.active) {
          if (existing !== undefined) this.clear(fingerprint, existing, now, out);
          continue;
        }
        const instance: Instance = existing ?? {
          alert: {
            name: rule.name,
            fingerprint,
            labels: obs.labels,
            severity: rule.severity,
            state: 'pending',
            value: obs.value,
            threshold: rule.threshold,
            summary: rule.summary,
            description: obs.description,
            activeSinceMs: now,
            firingSinceMs: undefined,
          },
          lastNotifiedMs: undefined,
        };
        this.instances.set(fingerprint, instance);
        const a = instance.alert;
        a.value = obs.value;
        a.description = obs.description;
        if (a.state === 'pending' && now - a.activeSinceMs >= rule.forMs) {
          a.state = 'firing';
          a.firingSinceMs = now;
          instance.lastNotifiedMs = now;
          out.push({ status: 'firing', alert: { ...a }, timeMs: now, repeat: false });
        } else if (a.state === 'firing') {
          const repeat = this.options.repeatIntervalMs ?? 4 * 3600_000;
          if (repeat > 0 && instance.lastNotifiedMs !== undefined && now - instance.lastNotifiedMs >= repeat) {
            instance.lastNotifiedMs = now;
            out.push({ status: 'firing', alert: { ...a }, timeMs: now, repeat: true });
          }
        }
      }
    }
    // Instances whose rule no longer reports them at all (a budget removed, a provider gone) resolve too.
    for (const [fingerprint, instance] of this.instances) if (!seen.has(fingerprint)) this.clear(fingerprint, instance, now, out);
    for (const n of out) {
      this.recent.push(n);
      if (this.recent.length > RECENT_LIMIT) this.recent.shift();
      this.options.logger?.warn({ alert: n.alert.name, status: n.status, labels: n.alert.labels, value: n.alert.value }, 'alert');
    }
    await Promise.all(out.flatMap((n) => this.options.notifiers.map((notifier) => notifier.notify(n))));
    return out;
  }

  private clear(fingerprint: string, instance: Instance, now: number, out: AlertNotification[]): void {
    this.instances.delete(fingerprint);
    // A pending alert that never fired ends silently: nobody was told it started.
    if (instance.alert.state === 'firing') out.push({ status: 'resolved', alert: { ...instance.alert }, timeMs: now, repeat: false });
  }
}

function fingerprintOf(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? name : `${name}{${keys.map((k) => `${k}="${labels[k]}"`).join(',')}}`;
}
