/** Dense retrieval: embeds the query and asks the index for its nearest chunks (cosine similarity). */
import type { EmbeddingModel } from '../../models/language-model.js';
import type { Chunk, ChunkIndex, RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';
import { embedQuery } from './embedding-utils.js';
import { validateRetrievalRequest } from './validate-request.js';

export interface VectorRetrieverOptions {
  index: ChunkIndex;
  embedder: EmbeddingModel;
  /** Chunk kinds searched (default: the index's default, leaf chunks). */
  kinds?: readonly NonNullable<Chunk['kind']>[];
  name?: string;
}

export function createVectorRetriever(options: VectorRetrieverOptions): Retriever {
  const name = options.name ?? 'vector';
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const embedding = await embedQuery(options.embedder, request.query, request.signal ? { signal: request.signal } : {});
      const hits = await options.index.vectorSearch({
        embedding,
        topK: request.topK,
        ...(request.filter ? { filter: request.filter } : {}),
        ...(options.kinds ? { kinds: options.kinds } : {}),
      });
      return hits.map((hit) => ({ ...hit, via: name }));
    },
  };
}
