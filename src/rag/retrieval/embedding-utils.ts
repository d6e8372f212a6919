/**
 * Embedding helpers for retrievers: the index stores unit-normalised Float32Array vectors, models
 * return number[] that may not be normalised, so every query vector goes through `toUnitVector`.
 */
import { ConduitError } from '../../core/errors.js';
import type { CallOptions, EmbeddingModel } from '../../models/language-model.js';

export function toUnitVector(values: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  let norm = 0;
  for (const v of values) norm += v * v;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < values.length; i++) out[i] = (values[i] ?? 0) * scale;
  return out;
}

/** Dot product of two unit vectors (= cosine similarity); vectors of different sizes are a caller error. */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new ConduitError('invalid_request', `Cannot compare embeddings of different dimensions (${a.length} and ${b.length})`, { code: 'embedding_dimension_mismatch' });
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

/** Embeds texts and returns unit vectors in input order. */
export async function embedTexts(embedder: EmbeddingModel, texts: readonly string[], options: CallOptions = {}): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  const result = await embedder.embed([...texts], options);
  if (result.embeddings.length !== texts.length) {
    throw new ConduitError('provider_error', `Embedding model returned ${result.embeddings.length} vectors for ${texts.length} inputs`, { provider: embedder.provider, model: embedder.modelId });
  }
  return result.embeddings.map(toUnitVector);
}

export async function embedQuery(embedder: EmbeddingModel, text: string, options: CallOptions = {}): Promise<Float32Array> {
  const [vector] = await embedTexts(embedder, [text], options);
  if (vector === undefined) throw new ConduitError('provider_error', 'Embedding model returned no vector', { provider: embedder.provider, model: embedder.modelId });
  return vector;
}
