import { ConduitError } from '../../core/errors.js';
import type { RetrievalRequest } from '../types.js';

/** Bad input gets a typed 400 before any work is done (and before any model or index is called). */
export function validateRetrievalRequest(request: RetrievalRequest): void {
  if (typeof request.query !== 'string' || request.query.trim() === '') {
    throw new ConduitError('invalid_request', 'query must be a non-empty string', { code: 'invalid_query', param: 'query' });
  }
  if (!Number.isInteger(request.topK) || request.topK < 1) {
    throw new ConduitError('invalid_request', `topK must be a positive integer, got ${String(request.topK)}`, { code: 'invalid_top_k', param: 'top_k' });
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ConduitError('cancelled', 'Retrieval was cancelled', { cause: signal.reason });
}
