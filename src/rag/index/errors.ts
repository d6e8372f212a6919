/** The typed errors every ChunkIndex / CollectionStore adapter throws, so callers see one contract. */
import { ConduitError } from '../../core/errors.js';

export function unknownCollection(name: string): ConduitError {
  return new ConduitError('not_found', `Unknown RAG collection '${name}'`, { code: 'unknown_collection', param: 'collection' });
}

export function collectionExists(name: string): ConduitError {
  return new ConduitError('invalid_request', `RAG collection '${name}' already exists`, { code: 'collection_exists', param: 'collection' });
}

export function dimensionMismatch(collection: string, expected: number, got: number, param = 'embedding'): ConduitError {
  return new ConduitError(
    'invalid_request',
    `Collection '${collection}' holds ${expected}-dimensional embeddings, got ${got} dimensions (was the embedding model changed?)`,
    { code: 'dimension_mismatch', param },
  );
}

export function invalidIndexInput(message: string, param: string, code = 'invalid_index_input'): ConduitError {
  return new ConduitError('invalid_request', message, { code, param });
}
