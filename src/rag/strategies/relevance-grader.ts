/**
 * Graders for corrective RAG: each retrieved passage gets a relevance grade in [0, 1].
 * - The model grader follows the guides' CRAG judge: 1.0 answers directly, 0.7–0.9 relevant,
 *   0.4–0.6 tangential, 0–0.3 off-topic; a passage the model left ungraded gets 0.5 ("unknown",
 *   below the default threshold), as in the guide.
 * - The lexical grader (no model) is passage-relevance.ts: the IDF-weighted share of the query's terms
 *   the passage contains, or its embedding similarity when an embedder is given, whichever is larger.
 */
import { z } from 'zod';
import type { EmbeddingModel, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { scorePassages } from '../retrieval/passage-relevance.js';
import type { RagUsageMeter } from '../transform/rag-usage.js';

export interface RelevanceGrader {
  readonly name: string;
  grade(query: string, passages: readonly string[], signal?: AbortSignal): Promise<number[]>;
}

const gradesSchema = z.object({ grades: z.array(z.object({ passage: z.number().int(), score: z.number().min(0).max(1) })) });

const GRADER_SYSTEM = [
  'You grade whether passages are relevant to a question, for a retrieval system.',
  'Grade each passage from 0.0 to 1.0: 1.0 = answers the question directly; 0.7-0.9 = relevant; 0.4-0.6 = tangential; 0.0-0.3 = off-topic.',
  'Grade every passage number.',
].join('\n');

export interface ModelGraderOptions {
  model: LanguageModel;
  batchSize?: number;
  maxPassageChars?: number;
  usage?: RagUsageMeter;
}

export const UNGRADED_SCORE = 0.5;

export function createModelGrader(options: ModelGraderOptions): RelevanceGrader {
  const batchSize = Math.max(1, options.batchSize ?? 10);
  const maxChars = options.maxPassageChars ?? 1500;
  return {
    name: `model:${options.model.modelId}`,
    async grade(query, passages, signal) {
      const grades = new Array<number>(passages.length).fill(UNGRADED_SCORE);
      for (let start = 0; start < passages.length; start += batchSize) {
        const batch = passages.slice(start, start + batchSize);
        const result = await generateObject({
          model: options.model,
          schema: gradesSchema,
          schemaName: 'relevance_grades',
          system: GRADER_SYSTEM,
          prompt: `Question: ${query}\n\nPassages:\n${batch.map((p, i) => `[${i + 1}] ${p.slice(0, maxChars)}`).join('\n\n')}`,
          settings: { temperature: 0 },
          ...(signal ? { signal } : {}),
        });
        options.usage?.addModel(result.usage);
        for (const { passage, score } of result.object.grades) {
          if (passage >= 1 && passage <= batch.length) grades[start + passage - 1] = score;
        }
      }
      return grades;
    },
  };
}

export function createLexicalGrader(options: { embedder?: EmbeddingModel; usage?: RagUsageMeter } = {}): RelevanceGrader {
  return {
    name: options.embedder ? `relevance:${options.embedder.modelId}` : 'relevance:lexical',
    async grade(query, passages, signal) {
      const relevance = await scorePassages(query, passages, options.embedder, signal ? { signal } : {});
      options.usage?.addEmbedding(relevance.embeddingTokens);
      return relevance.scores;
    },
  };
}
