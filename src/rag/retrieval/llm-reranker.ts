/**
 * A Reranker backed by a LanguageModel acting as a relevance judge. Passages are sent in batches
 * (default 10 per call, each cut to `maxPassageChars`), numbered, and the model returns a 0–10 score
 * per passage through generateObject (schema-validated, repaired on a bad answer). A passage the
 * model left out scores 0: an unjudged passage must not outrank a judged one. Scores are returned in
 * [0, 1]. A cross-encoder is simply another Reranker implementation (the interface takes any).
 */
import { z } from 'zod';
import type { LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import type { Reranker } from '../types.js';

export interface LlmRerankerOptions {
  model: LanguageModel;
  /** Passages per model call (default 10). */
  batchSize?: number;
  /** Characters of each passage shown to the judge (default 1500). */
  maxPassageChars?: number;
  /** Called with the usage of every judging call (to account for spend). */
  onUsage?: (usage: { inputTokens: number; outputTokens: number }) => void;
}

const judgementSchema = z.object({
  scores: z.array(z.object({ passage: z.number().int(), score: z.number().min(0).max(10) })),
});

const SYSTEM = [
  'You judge how relevant passages are to a search query.',
  'Score each passage from 0 to 10: 10 = directly answers the query, 7 = clearly relevant, 4 = tangential, 0 = unrelated.',
  'Judge only what the passage says, not what you know. Return one score for every passage number.',
].join('\n');

export function createLlmReranker(options: LlmRerankerOptions): Reranker {
  const batchSize = Math.max(1, options.batchSize ?? 10);
  const maxChars = options.maxPassageChars ?? 1500;
  return {
    name: `llm-judge:${options.model.modelId}`,
    async score(query: string, passages: readonly string[], signal?: AbortSignal): Promise<number[]> {
      const scores = new Array<number>(passages.length).fill(0);
      for (let start = 0; start < passages.length; start += batchSize) {
        const batch = passages.slice(start, start + batchSize);
        const listing = batch.map((p, i) => `[${i + 1}] ${p.slice(0, maxChars)}`).join('\n\n');
        const result = await generateObject({
          model: options.model,
          schema: judgementSchema,
          schemaName: 'relevance_scores',
          system: SYSTEM,
          prompt: `Query: ${query}\n\nPassages:\n${listing}`,
          settings: { temperature: 0 },
          ...(signal ? { signal } : {}),
        });
        options.onUsage?.({ inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens });
        for (const { passage, score } of result.object.scores) {
          if (passage >= 1 && passage <= batch.length) scores[start + passage - 1] = score / 10;
        }
      }
      return scores;
    },
  };
}
