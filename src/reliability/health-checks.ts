/**
 * Periodic health checks: probe each deployment every `intervalMs`, report each result, and stop
 * cleanly. Timers are unref'd so checks never keep a process alive. A probe that outlives its
 * timeout counts as a failure; a round still running when the next is due is not doubled up.
 */
import { ConduitError } from '../core/errors.js';
import type { LanguageModel } from '../models/language-model.js';
import { openAttemptScope } from './attempt-scope.js';
import { systemClock, type Clock } from './clock.js';
import { normaliseError } from './error-policy.js';
import type { Router } from './router.js';

export interface HealthCheckTarget {
  id: string;
  model: LanguageModel;
}

export interface HealthCheckResult {
  id: string;
  healthy: boolean;
  latencyMs: number;
  checkedAt: number;
  error?: ConduitError;
}

export type HealthProbe = (model: LanguageModel, signal: AbortSignal) => Promise<void>;

export interface HealthCheckOptions {
  deployments: readonly HealthCheckTarget[];
  /** Between the end of one round and the start of the next (default 30 000 ms). */
  intervalMs?: number;
  /** A probe slower than this fails (default 5000 ms). */
  timeoutMs?: number;
  /** Default: a 1-token generate. */
  probe?: HealthProbe;
  onResult?: (result: HealthCheckResult) => void;
  /** Probe once right away (default true); otherwise the first round waits `intervalMs`. */
  runImmediately?: boolean;
  clock?: Clock;
}

export interface HealthChecker {
  /** Runs one round now (or joins the round in progress). */
  checkNow(): Promise<HealthCheckResult[]>;
  /** The latest result per deployment. */
  results(): HealthCheckResult[];
  /** Stops the timer and aborts probes in flight; no result is reported after it. */
  stop(): void;
  readonly stopped: boolean;
}

export const defaultHealthProbe: HealthProbe = async (model, signal) => {
  await model.generate({ messages: [{ role: 'user', content: 'ping' }], maxTokens: 1, temperature: 0 }, { signal, requestId: 'conduit-health-check' });
};

export function startHealthChecks(options: HealthCheckOptions): HealthChecker {
  const intervalMs = options.intervalMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const probe = options.probe ?? defaultHealthProbe;
  const clock = options.clock ?? systemClock;
  const stopController = new AbortController();
  const latest = new Map<string, HealthCheckResult>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let round: Promise<HealthCheckResult[]> | undefined;
  let stopped = false;

  const checkOne = async (target: HealthCheckTarget): Promise<HealthCheckResult> => {
    const started = clock.now();
    const scope = openAttemptScope({ signal: stopController.signal }, { clock, attemptTimeoutMs: timeoutMs });
    try {
      await scope.race(Promise.resolve().then(() => probe(target.model, scope.signal)));
      return { id: target.id, healthy: true, latencyMs: clock.now() - started, checkedAt: clock.now() };
    } catch (err) {
      return { id: target.id, healthy: false, latencyMs: clock.now() - started, checkedAt: clock.now(), error: normaliseError(err) };
    } finally {
      scope.dispose();
    }
  };

  const runRound = (): Promise<HealthCheckResult[]> => {
    if (round) return round;
    round = Promise.all(
      options.deployments.map(async (d) => {
        const result = await checkOne(d);
        if (!stopped) {
          latest.set(d.id, result);
          try {
            options.onResult?.(result);
          } catch {
            // a faulty listener must not stop the checks
          }
        }
        return result;
      }),
    ).finally(() => {
      round = undefined;
    });
    return round;
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runRound().then(() => schedule(intervalMs));
    }, delayMs);
    timer.unref();
  };

  schedule(options.runImmediately === false ? intervalMs : 0);

  return {
    checkNow: runRound,
    results: () => [...latest.values()],
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      stopController.abort(new ConduitError('cancelled', 'health checks stopped'));
    },
    get stopped() {
      return stopped;
    },
  };
}

/** Health checks wired to a router: failing deployments are marked unhealthy and skipped. */
export function startRouterHealthChecks(router: Router, options: Omit<HealthCheckOptions, 'deployments'> = {}): HealthChecker {
  return startHealthChecks({
    ...options,
    deployments: router.deployments,
    onResult(result) {
      router.setHealthy(result.id, result.healthy);
      options.onResult?.(result);
    },
  });
}
