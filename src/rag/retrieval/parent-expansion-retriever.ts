/**
 * Parent expansion ("small-to-big"): small child chunks match precisely, their larger parent chunk
 * gives the answerer enough context. Each hit with a `parentId` is replaced by its parent; several
 * children of one parent collapse into one result at the best child's rank and score. Hits without a
 * parent (or whose parent is missing from the index) are kept as they are.
 */
import type { ChunkIndex, RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';
import { validateRetrievalRequest } from './validate-request.js';

export interface ParentExpansionOptions {
  base: Retriever;
  index: ChunkIndex;
  /** Children fetched from the base (default 3 × topK: several children often share a parent). */
  fetchK?: (topK: number) => number;
  name?: string;
}

export function createParentExpansionRetriever(options: ParentExpansionOptions): Retriever {
  const name = options.name ?? 'parent';
  const fetchK = options.fetchK ?? ((topK: number) => 3 * topK);
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const hits = await options.base.retrieve({ ...request, topK: Math.max(request.topK, fetchK(request.topK)) });
      const parentIds = [...new Set(hits.map((h) => h.chunk.parentId).filter((id): id is string => id !== undefined))];
      const parents = new Map((await options.index.getChunks(parentIds)).map((c) => [c.id, c]));
      const seen = new Set<string>();
      const out: RetrievedChunk[] = [];
      for (const hit of hits) {
        const parent = hit.chunk.parentId !== undefined ? parents.get(hit.chunk.parentId) : undefined;
        const chunk = parent ?? hit.chunk;
        if (seen.has(chunk.id)) continue;
        seen.add(chunk.id);
        out.push({ chunk, score: hit.score, via: parent ? `${hit.via}+${name}` : hit.via });
        if (out.length >= request.topK) break;
      }
      return out;
    },
  };
}
