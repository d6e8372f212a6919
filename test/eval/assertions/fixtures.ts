/** Builders for assertion tests: an EvalOutput and an AssertionContext with only what a test sets. */
import { emptyUsage } from '../../../src/core/usage.js';
import type { AssertionContext, EvalOutput } from '../../../src/eval/assertions/assertion.js';
import type { AssertionSpec } from '../../../src/eval/assertions/create-assertion.js';
import { assertionSpecSchema, createAssertion } from '../../../src/eval/assertions/create-assertion.js';
import type { EmbeddingModel } from '../../../src/models/language-model.js';

export function out(text: string, extra: Partial<EvalOutput> = {}): EvalOutput {
  return { text, toolCalls: [], latencyMs: 100, usage: emptyUsage(), model: 'gpt-4o-mini', provider: 'openai', ...extra };
}

export function ctx(extra: Partial<AssertionContext> = {}): AssertionContext {
  return { vars: {}, modelName: 'gpt-4o-mini', services: {}, ...extra };
}

/** Validates a raw spec the way a suite does, then builds it. */
export function assertion(raw: Record<string, unknown>) {
  return createAssertion(assertionSpecSchema.parse(raw) as AssertionSpec);
}

/**
 * A deterministic bag-of-words embedder (hashing trick): texts sharing words are similar, texts
 * sharing none are orthogonal. Fast and exact, for checks of the similarity plumbing.
 */
export function hashingEmbedder(dimensions = 256): EmbeddingModel {
  const vector = (text: string): number[] => {
    const v = new Array<number>(dimensions).fill(0);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      let h = 2166136261;
      for (const ch of word) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
      v[(h >>> 0) % dimensions]! += 1;
    }
    return v;
  };
  return {
    provider: 'test',
    modelId: 'hashing',
    dimensions,
    embed: (inputs) => Promise.resolve({ embeddings: inputs.map(vector), usage: { inputTokens: 0 }, model: 'hashing', provider: 'test' }),
  };
}
