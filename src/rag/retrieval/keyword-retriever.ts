/** Sparse retrieval: the index's BM25-style keyword search. */
import type { Chunk, ChunkIndex, RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';
import { validateRetrievalRequest } from './validate-request.js';

export interface KeywordRetrieverOptions {
  index: ChunkIndex;
  kinds?: readonly NonNullable<Chunk['kind']>[];
  name?: string;
}

export function createKeywordRetriever(options: KeywordRetrieverOptions): Retriever {
  const name = options.name ?? 'keyword';
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const hits = await options.index.keywordSearch({
        text: request.query,
        topK: request.topK,
        ...(request.filter ? { filter: request.filter } : {}),
        ...(options.kinds ? { kinds: options.kinds } : {}),
      });
      return hits.map((hit) => ({ ...hit, via: name }));
    },
  };
}
