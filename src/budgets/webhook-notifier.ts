/**
 * Delivers budget alerts to a webhook: POST of the alert as JSON, with a timeout, and one retry
 * after a short pause when the first attempt fails (network error, timeout or non-2xx). The
 * manager does not await it (fire-and-forget), so a slow webhook never delays a request; a second
 * failure is reported through the manager's onError. Injected as `onAlert`, so tests swap it.
 */
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { ConduitError } from '../core/errors.js';
import type { BudgetAlert } from './budget-alert.js';

export interface WebhookNotifierOptions {
  url: string;
  /** Per attempt (default 5000 ms). */
  timeoutMs?: number;
  /** Pause before the single retry (default 1000 ms). */
  retryDelayMs?: number;
  /** Extra headers, e.g. an Authorization for the receiving service. */
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
}

export function createWebhookNotifier(options: WebhookNotifierOptions): (alert: BudgetAlert) => Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const retryDelayMs = options.retryDelayMs ?? 1000;

  async function attempt(body: string): Promise<void> {
    const res = await request(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'conduit-budget-alerts', ...options.headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`webhook answered HTTP ${res.statusCode}`);
  }

  return async (alert: BudgetAlert) => {
    const body = JSON.stringify(alert);
    try {
      await attempt(body);
    } catch {
      await new Promise((r) => setTimeout(r, retryDelayMs));
      try {
        await attempt(body);
      } catch (err) {
        throw new ConduitError('provider_unavailable', `budget alert webhook failed twice for ${alert.budget} (${alert.level}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
  };
}
