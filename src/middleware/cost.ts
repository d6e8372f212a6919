/**
 * Puts a USD cost on every response: `costUsd` on GenerateResult and on a stream's `finish` part,
 * priced for the provider and model that actually served the call (after routing or fallback: the
 * result's `provider`/`model`, or the stream's `start` part), not the one that was asked for.
 *
 * An unknown price leaves `costUsd` unset — unknown, never a made-up 0. A cost already set by an
 * inner layer (a provider that reports its own billed cost) is kept: it is more exact than ours.
 */
import type { CallOptions, EmbeddingModel, EmbeddingResult, GenerateResult, StreamPart } from '../models/language-model.js';
import type { PriceTable } from '../models/pricing/price-table.js';
import type { LanguageModelMiddleware } from '../models/wrap-language-model.js';

export function costMiddleware(prices: PriceTable): LanguageModelMiddleware {
  return {
    name: 'cost',

    async wrapGenerate({ doGenerate, request, options }): Promise<GenerateResult> {
      const result = await doGenerate(request, options);
      if (result.costUsd !== undefined) return result;
      const costUsd = prices.cost(result.provider, result.model, result.usage);
      // The result was made for this call alone (providers build a fresh one per call; caches
      // return copies that already carry a cost), so setting the field beats copying seven.
      if (costUsd !== undefined) result.costUsd = costUsd;
      return result;
    },

    wrapStream({ doStream, request, options, model }): AsyncIterable<StreamPart> {
      return new PricedStream(doStream(request, options), prices, model.provider, model.modelId);
    },
  };
}

/**
 * The stream with a cost on its `finish` part. An iterator that maps each step of the inner one,
 * not an async generator: a generator adds its own promises and queue per part on the
 * time-to-first-token path, and this layer only needs to look at two part types.
 */
class PricedStream implements AsyncIterableIterator<StreamPart> {
  private readonly inner: AsyncIterator<StreamPart>;
  private readonly priceStep = (step: IteratorResult<StreamPart>): IteratorResult<StreamPart> => {
    if (step.done === true) return step;
    const part = step.value;
    if (part.type === 'start') {
      // Until the stream says otherwise, the wrapped model is what serves it.
      if (part.provider) this.provider = part.provider;
      if (part.model) this.modelId = part.model;
    } else if (part.type === 'finish' && part.costUsd === undefined) {
      const costUsd = this.prices.cost(this.provider, this.modelId, part.usage);
      if (costUsd !== undefined) return { done: false, value: { ...part, costUsd } };
    }
    return step;
  };

  constructor(
    source: AsyncIterable<StreamPart>,
    private readonly prices: PriceTable,
    private provider: string,
    private modelId: string,
  ) {
    this.inner = source[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamPart> {
    return this;
  }

  next(): Promise<IteratorResult<StreamPart>> {
    return this.inner.next().then(this.priceStep);
  }

  return(value?: unknown): Promise<IteratorResult<StreamPart>> {
    const inner = this.inner;
    return inner.return !== undefined ? inner.return(value) : Promise.resolve({ done: true, value: undefined });
  }

  throw(err?: unknown): Promise<IteratorResult<StreamPart>> {
    const inner = this.inner;
    return inner.throw !== undefined ? inner.throw(err) : Promise.reject(err);
  }
}

/** The same for embeddings: input tokens priced for the model that served them (the embedded model is free: price 0). */
export function withEmbeddingCost(model: EmbeddingModel, prices: PriceTable): EmbeddingModel {
  return {
    provider: model.provider,
    modelId: model.modelId,
    dimensions: model.dimensions,
    async embed(inputs: string[], options?: CallOptions): Promise<EmbeddingResult> {
      const result = await model.embed(inputs, options);
      if (result.costUsd !== undefined) return result;
      const costUsd = prices.cost(result.provider, result.model || model.modelId, {
        inputTokens: result.usage.inputTokens,
        outputTokens: 0,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
      });
      if (costUsd !== undefined) result.costUsd = costUsd;
      return result;
    },
  };
}
