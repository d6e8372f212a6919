/** The built-in `rag_search` tool: searches one collection through a Retriever and returns numbered passages. */
import { z } from 'zod';
import type { Retriever } from '../../rag/types.js';
import type { AgentTool } from '../tool.js';
import { defineTool } from './define-tool.js';

export interface RagSearchToolOptions {
  retriever: Retriever;
  /** Collection name, used in the description so the model knows what it searches. */
  collection: string;
  /** Default `rag_search`; give one per collection when an agent searches several. */
  name?: string;
  description?: string;
  /** Default 5, capped at 20. */
  defaultTopK?: number;
  /** Characters of each passage sent to the model (default 1500). */
  maxPassageChars?: number;
}

export const RAG_SEARCH_TOOL_NAME = 'rag_search';

export function createRagSearchTool(options: RagSearchToolOptions): AgentTool {
  const maxChars = options.maxPassageChars ?? 1500;
  return defineTool({
    name: options.name ?? RAG_SEARCH_TOOL_NAME,
    description: options.description ?? `Searches the '${options.collection}' knowledge collection and returns the most relevant passages with their sources.`,
    schema: z.object({
      query: z.string().min(1).max(2000),
      top_k: z.number().int().min(1).max(20).optional(),
    }),
    async execute({ query, top_k }, context) {
      const hits = await options.retriever.retrieve({ query, topK: top_k ?? options.defaultTopK ?? 5, signal: context.signal });
      if (hits.length === 0) return { content: `No passages in '${options.collection}' match the query.`, data: { hits: [] } };
      const content = hits
        .map((hit, i) => {
          const source = typeof hit.chunk.metadata.source === 'string' ? hit.chunk.metadata.source : hit.chunk.documentId;
          const text = hit.chunk.text.length > maxChars ? `${hit.chunk.text.slice(0, maxChars)}…` : hit.chunk.text;
          return `[${i + 1}] (${source}, score ${hit.score.toFixed(3)})\n${text}`;
        })
        .join('\n\n');
      return { content, data: { hits: hits.map((h) => ({ chunkId: h.chunk.id, documentId: h.chunk.documentId, score: h.score })) } };
    },
  });
}
