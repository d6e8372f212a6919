/**
 * Retrieval spans without touching the retrievers: `tracedRetriever` wraps any Retriever so each
 * `retrieve` is a `retrieval <name>` span (query size, top-k, hits, best score) — a child of the
 * active span (an agent run, a gateway route running inside `tracer.withSpan`). The query text is
 * recorded only when `captureContent` is set, like prompts.
 */
import type { Retriever, RetrievedChunk } from '../../rag/types.js';
import { GenAI } from './genai-attributes.js';
import type { Tracer } from './tracer.js';

export interface RetrievalTracingOptions {
  /** Collection or data source id (`gen_ai.data_source.id`). */
  dataSource?: string;
  captureContent?: boolean;
}

export function tracedRetriever(tracer: Tracer, retriever: Retriever, options: RetrievalTracingOptions = {}): Retriever {
  return {
    name: retriever.name,
    retrieve(request) {
      return tracer.withSpan(
        `retrieval ${retriever.name}`,
        {
          kind: 'internal',
          attributes: {
            [GenAI.operationName]: 'retrieval',
            'conduit.retrieval.retriever': retriever.name,
            'conduit.retrieval.top_k': request.topK,
            'conduit.retrieval.query_chars': request.query.length,
            ...(options.dataSource === undefined ? {} : { [GenAI.dataSourceId]: options.dataSource }),
            ...(options.captureContent === true ? { 'conduit.retrieval.query': request.query } : {}),
          },
        },
        async (span) => {
          const hits: RetrievedChunk[] = await retriever.retrieve(request);
          span.setAttributes({ 'conduit.retrieval.hits': hits.length, 'conduit.retrieval.top_score': hits[0]?.score });
          return hits;
        },
      );
    },
  };
}
