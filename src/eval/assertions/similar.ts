/**
 * `similar`: cosine similarity between the output's embedding and a reference's is at least
 * `threshold` (default 0.8). The reference is `value`, else the case's `reference`. Embeddings come
 * from the suite's embedding model (by default the embedded one, which needs no network).
 */
import { z } from 'zod';
import { cosineSimilarity } from '../../models/embeddings/cosine-similarity.js';
import { failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';

export const similarSpec = z.strictObject({ type: z.literal('similar'), value: z.string().min(1).optional(), threshold: z.number().min(-1).max(1).default(0.8), ...baseSpecFields });
export type SimilarSpec = z.output<typeof similarSpec>;

export function similarAssertion(spec: SimilarSpec): Assertion {
  return {
    type: 'similar',
    label: spec.label ?? `similar ≥ ${spec.threshold}`,
    async evaluate(output, context) {
      const reference = spec.value ?? context.reference;
      if (reference === undefined) return failed('no reference to compare with: give the assertion a value or the case a reference');
      if (context.services.embeddings === undefined) return failed('no embedding model available for semantic similarity');
      if (output.text.trim() === '') return failed('output is empty');
      const model = await context.services.embeddings();
      const { embeddings } = await model.embed([output.text, reference], context.signal === undefined ? {} : { signal: context.signal });
      const [a, b] = embeddings;
      if (a === undefined || b === undefined) return failed('the embedding model returned no vectors');
      const similarity = cosineSimilarity(a, b);
      const score = Math.max(0, similarity);
      const shown = similarity.toFixed(3);
      return similarity >= spec.threshold ? passed(`similarity ${shown} ≥ ${spec.threshold}`, score) : failed(`similarity ${shown} below ${spec.threshold}`, score);
    },
  };
}
