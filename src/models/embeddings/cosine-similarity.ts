import { ConduitError } from '../../core/errors.js';

/**
 * Cosine similarity in [-1, 1]. A zero vector is similar to nothing (0) rather than NaN, so one
 * degenerate embedding cannot poison a ranking. Vectors of different sizes come from different
 * models and cannot be compared: that is a caller error.
 */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) {
    throw new ConduitError('invalid_request', `Cannot compare embeddings of different dimensions (${a.length} and ${b.length})`);
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return 0;
  return dot / Math.sqrt(normA * normB);
}
