/**
 * Retries with exponential backoff and full jitter, on retryable errors only, within the request's
 * shared retry budget and deadline. Honours `Retry-After` (`ConduitError.retryAfterMs`): waits at
 * least that long, but when the wait would pass the deadline it fails fast with the original error
 * instead of sleeping into a timeout.
 *
 * Streams are retried only before their first content part (see src/reliability/stream-failover.ts);
 * after that a failure surfaces as StreamInterruptedError.
 */
import type { ConduitError } from '../core/errors.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../models/language-model.js';
import type { AttemptPlan, AttemptTarget, PickContext } from '../reliability/attempt-plan.js';
import { remainingMs } from '../reliability/attempt-scope.js';
import { systemClock, type Clock } from '../reliability/clock.js';
import { backoffDelayMs, isRetryableError } from '../reliability/error-policy.js';
import { generateWithFailover } from '../reliability/generate-failover.js';
import { ensureRetryBudget } from '../reliability/retry-budget.js';
import { streamWithFailover, type StreamFailoverOptions } from '../reliability/stream-failover.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 2), further capped by the request's retry budget. */
  maxRetries?: number;
  /** Backoff ceiling of the first retry (default 250 ms); doubles per retry. */
  baseDelayMs?: number;
  /** Cap of the backoff ceiling (default 8000 ms). */
  maxDelayMs?: number;
  /** `full` (default): uniform in [0, ceiling). `none`: the ceiling itself (deterministic). */
  jitter?: 'full' | 'none';
  /** Timeout of one attempt (generate: the whole call; stream: until the first content part). Default: `CallOptions.attemptTimeoutMs`. */
  attemptTimeoutMs?: number;
  /** A `Retry-After` longer than this fails fast instead of waiting (default 60 000 ms). */
  maxRetryAfterMs?: number;
  /** Streams: longest gap between parts (see StreamFailoverOptions). */
  idleTimeoutMs?: number;
  /** Streams: longest wait for the first content part. */
  firstChunkTimeoutMs?: number;
  countTokens?: (text: string) => number;
  clock?: Clock;
  random?: () => number;
  /** Called before each retry's wait. */
  onRetry?: (info: { retry: number; error: ConduitError; delayMs: number }) => void;
}

export interface RetryingLanguageModel extends LanguageModel {
  readonly retryOptions: Readonly<Required<Pick<RetryOptions, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs' | 'jitter'>>>;
}

export function withRetry(model: LanguageModel, opts: RetryOptions = {}): RetryingLanguageModel {
  const maxRetries = opts.maxRetries ?? 2;
  const settings = {
    maxRetries,
    baseDelayMs: opts.baseDelayMs ?? 250,
    maxDelayMs: opts.maxDelayMs ?? 8000,
    jitter: opts.jitter ?? 'full',
  } as const;
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
  const target: AttemptTarget = { id: model.modelId, model };
  const streamOptions: StreamFailoverOptions = {};
  if (opts.idleTimeoutMs !== undefined) streamOptions.idleTimeoutMs = opts.idleTimeoutMs;
  if (opts.firstChunkTimeoutMs !== undefined) streamOptions.firstChunkTimeoutMs = opts.firstChunkTimeoutMs;
  if (opts.countTokens !== undefined) streamOptions.countTokens = opts.countTokens;

  const buildPlan = (attemptTimeoutMs: number | undefined): AttemptPlan => {
    const p: AttemptPlan = {
      layer: 'retry',
      clock,
      // Not async: the first attempt's target comes back synchronously (see generateWithFailover).
      pick({ attempt, lastError, options }: PickContext): AttemptTarget | undefined | Promise<AttemptTarget | undefined> {
        if (attempt === 0 || lastError === undefined) return target;
        return pickRetry(attempt, lastError, options);
      },
    };
    const pickRetry = async (attempt: number, lastError: ConduitError, options: CallOptions): Promise<AttemptTarget | undefined> => {
      if (attempt > maxRetries || !isRetryableError(lastError)) return undefined;
      const retryIndex = attempt - 1;
      const backoff = backoffDelayMs(retryIndex, settings, random);
      const retryAfter = lastError.retryAfterMs;
      if (retryAfter !== undefined && retryAfter > maxRetryAfterMs) return undefined;
      const delayMs = Math.max(backoff, retryAfter ?? 0);
      // Sleeping into the deadline would only turn the real error into a timeout: fail fast.
      if (delayMs >= remainingMs(options, clock.now())) return undefined;
      if (!options.retryBudget?.tryAcquire()) return undefined;
      opts.onRetry?.({ retry: attempt, error: lastError, delayMs });
      if (delayMs > 0) await clock.sleep(delayMs, options.signal);
      return target;
    };
    if (attemptTimeoutMs !== undefined) p.attemptTimeoutMs = attemptTimeoutMs;
    return p;
  };
  // The plan depends on the request only through its attempt timeout: build the usual one once
  // instead of a fresh object and closure per request.
  const defaultPlan = buildPlan(opts.attemptTimeoutMs);
  const plan = (callOptions: CallOptions): AttemptPlan =>
    opts.attemptTimeoutMs !== undefined || callOptions.attemptTimeoutMs === undefined ? defaultPlan : buildPlan(callOptions.attemptTimeoutMs);

  return {
    provider: model.provider,
    modelId: model.modelId,
    capabilities: model.capabilities,
    retryOptions: settings,
    generate(request: ModelRequest, options: CallOptions = {}): Promise<GenerateResult> {
      const withBudget = ensureRetryBudget(options, maxRetries);
      return generateWithFailover(request, withBudget, plan(withBudget));
    },
    stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<StreamPart> {
      const withBudget = ensureRetryBudget(options, maxRetries);
      return streamWithFailover(request, withBudget, plan(withBudget), streamOptions);
    },
  };
}
