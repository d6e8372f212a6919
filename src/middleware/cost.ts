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

    async *wrapStream({ doStream, request, options, model }): AsyncIterable<StreamPart> {
      // Until the stream says otherwise, the wrapped model is what serves it.
      let provider = model.provider;
      let modelId = model.modelId;
      for await (const part of doStream(request, options)) {
        if (part.type === 'start') {
          if (part.provider) provider = part.provider;
          if (part.model) modelId = part.model;
        } else if (part.type === 'finish' && part.costUsd === undefined) {
          const costUsd = prices.cost(provider, modelId, part.usage);
          if (costUsd !== undefined) {
            yield { ...part, costUsd };
            continue;
          }
        }
        yield part;
      }
    },
  };
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
