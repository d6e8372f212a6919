import { ConduitError } from '../../core/errors.js';

/**
 * The embedding scaled to unit length, so the index can rank by dot product. A zero or non-finite
 * vector has no direction: storing it would make the chunk unfindable (or poison rankings), so it is
 * an error of the embedding model.
 */
export function unitVector(values: readonly number[] | Float32Array, model: { provider: string; modelId: string }): Float32Array {
  let norm = 0;
  for (const v of values) norm += v * v;
  norm = Math.sqrt(norm);
  if (!Number.isFinite(norm) || norm === 0) {
    throw new ConduitError('provider_error', `The embedding model ${model.provider}/${model.modelId} returned a zero or non-finite vector`, {
      code: 'invalid_embedding',
      provider: model.provider,
      model: model.modelId,
      retryable: false,
    });
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] ?? 0) / norm;
  return out;
}
