/**
 * A request's cost on a deployment, estimated before the call: its prompt counted with that
 * model's tokenizer (exact for OpenAI models, the documented estimate for others — see
 * src/models/tokenizer), plus the output it may produce (`maxTokens` when the caller capped it, else
 * a configured expectation), priced with the price table. Prompts are counted once per distinct
 * tokenizer, not once per deployment.
 */
import type { ModelRequest } from '../../models/language-model.js';
import { computeCost, type ModelPrice } from '../../models/pricing/compute-cost.js';
import type { PriceTable } from '../../models/pricing/price-table.js';
import { countMessageTokens, tokenizerFor } from '../../models/tokenizer/index.js';
import { emptyUsage } from '../../core/usage.js';

export interface CostEstimate {
  inputTokens: number;
  outputTokens: number;
  /** Undefined when the price table has no price for the model. */
  costUsd: number | undefined;
  price: ModelPrice | undefined;
}

export interface CostEstimator {
  estimate(provider: string, modelId: string): CostEstimate;
}

/** Default expected output when the request sets no `maxTokens` (the guides' typical reply is ~400 tokens). */
export const DEFAULT_EXPECTED_OUTPUT_TOKENS = 500;

/** An estimator for one request; cheap to create, memoises token counts per tokenizer. */
export function requestCostEstimator(request: ModelRequest, priceTable: PriceTable, expectedOutputTokens = DEFAULT_EXPECTED_OUTPUT_TOKENS): CostEstimator {
  const countsByTokenizer = new Map<string, number>();
  const outputTokens = request.maxTokens ?? expectedOutputTokens;
  return {
    estimate(provider, modelId) {
      const tokenizer = tokenizerFor(provider, modelId).name;
      let inputTokens = countsByTokenizer.get(tokenizer);
      if (inputTokens === undefined) {
        inputTokens = countMessageTokens(provider, modelId, request.messages, request.tools);
        countsByTokenizer.set(tokenizer, inputTokens);
      }
      const price = priceTable.lookup(provider, modelId);
      const usage = emptyUsage();
      usage.inputTokens = inputTokens;
      usage.outputTokens = outputTokens;
      return { inputTokens, outputTokens, price, costUsd: price === undefined ? undefined : computeCost(usage, price) };
    },
  };
}
