/**
 * An ordered fallback chain across models (typically across providers): the first model serves
 * unless it fails with a retryable error before commit, then the next one is tried, and so on.
 * With `fallbackOnContextLength` (default on), a prompt too long for one model moves on to the
 * next model that is actually different (a larger context window), as LiteLLM's context-window
 * fallbacks do. Every move draws on the request's shared retry budget and respects its deadline.
 */
import type { ConduitError } from '../core/errors.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../models/language-model.js';
import type { AttemptPlan, AttemptTarget, PickContext } from './attempt-plan.js';
import { systemClock, type Clock } from './clock.js';
import { isRetryableError } from './error-policy.js';
import { generateWithFailover } from './generate-failover.js';
import { ensureRetryBudget } from './retry-budget.js';
import { streamWithFailover, type StreamFailoverOptions } from './stream-failover.js';

export interface FallbackOptions {
  /** The chain's modelId (default: the first model's). */
  name?: string;
  /** On 'context_length', move to the next model with a different provider/modelId (default true). */
  fallbackOnContextLength?: boolean;
  /** Overrides which errors move down the chain (default: retryable ones, plus context_length as above). */
  shouldFallback?: (error: ConduitError, from: LanguageModel, to: LanguageModel) => boolean;
  /** Size of the retry budget the chain creates when the request carries none (default: models − 1). */
  retryBudget?: number;
  clock?: Clock;
  attemptTimeoutMs?: number;
  firstChunkTimeoutMs?: number;
  idleTimeoutMs?: number;
  countTokens?: (text: string) => number;
}

export function createFallbackChain(models: LanguageModel[], opts: FallbackOptions = {}): LanguageModel {
  const primary = models[0];
  if (!primary) throw new TypeError('createFallbackChain: at least one model is required');
  const clock = opts.clock ?? systemClock;
  const onContextLength = opts.fallbackOnContextLength ?? true;
  const defaultBudget = opts.retryBudget ?? models.length - 1;
  const targets: AttemptTarget[] = models.map((model) => ({ id: `${model.provider}/${model.modelId}`, model }));
  const streamOptions: StreamFailoverOptions = {};
  if (opts.firstChunkTimeoutMs !== undefined) streamOptions.firstChunkTimeoutMs = opts.firstChunkTimeoutMs;
  if (opts.idleTimeoutMs !== undefined) streamOptions.idleTimeoutMs = opts.idleTimeoutMs;
  if (opts.countTokens !== undefined) streamOptions.countTokens = opts.countTokens;

  /** Index of the model to try after `from` fails with `error`, or -1. */
  const nextIndex = (from: number, error: ConduitError): number => {
    const failed = models[from]!;
    for (let i = from + 1; i < models.length; i++) {
      const candidate = models[i]!;
      if (opts.shouldFallback) {
        if (opts.shouldFallback(error, failed, candidate)) return i;
        continue;
      }
      if (isRetryableError(error)) return i;
      if (error.kind === 'context_length' && onContextLength) {
        // The same model elsewhere has the same context window: skip to one that differs.
        if (!sameModel(failed, candidate)) return i;
        continue;
      }
      return -1;
    }
    return -1;
  };

  const plan = (): AttemptPlan => {
    let position = 0;
    const p: AttemptPlan = {
      layer: 'fallback',
      clock,
      pick({ attempt, lastError, options }: PickContext) {
        if (attempt === 0 || lastError === undefined) return targets[0];
        const next = nextIndex(position, lastError);
        if (next < 0) return undefined;
        if (!options.retryBudget?.tryAcquire()) return undefined;
        position = next;
        return targets[next];
      },
    };
    if (opts.attemptTimeoutMs !== undefined) p.attemptTimeoutMs = opts.attemptTimeoutMs;
    return p;
  };

  return {
    provider: 'fallback',
    modelId: opts.name ?? primary.modelId,
    // The primary's: the chain exists to serve what the primary serves.
    capabilities: primary.capabilities,
    generate(request: ModelRequest, options: CallOptions = {}): Promise<GenerateResult> {
      return generateWithFailover(request, ensureRetryBudget(options, defaultBudget), plan());
    },
    stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<StreamPart> {
      return streamWithFailover(request, ensureRetryBudget(options, defaultBudget), plan(), streamOptions);
    },
  };
}

function sameModel(a: LanguageModel, b: LanguageModel): boolean {
  return a === b || (a.provider === b.provider && a.modelId === b.modelId);
}
