/**
 * The RagEngine on Conduit's own parts: chunker + ingestion pipeline (src/rag/chunkers,
 * src/rag/ingest) and the RAG pipeline (src/rag/strategies: every retrieval strategy, grounded
 * answers with citations, extractive on the offline model). One pipeline per open index, sharing
 * one feedback log so `adaptive` learns across queries. `hybrid` options override the retrieval
 * layer's default fusion (the quality benchmark measures weights through them). Ingestion writes a
 * summary chunk per document by default (model-written when `model` can generate, else
 * extractive) so the `hierarchical` strategy has documents to choose from.
 */
import type { EmbeddingModel, LanguageModel } from '../../models/language-model.js';
import { createChunker, type ChunkerConfig } from '../chunkers/index.js';
import type { SummaryOptions } from '../ingest/index.js';
import type { HybridFusion } from '../retrieval/index.js';
import { createMemoryFeedbackLog, createRagPipeline, recordQueryFeedback, type FeedbackLog, DEFAULT_RAG_STRATEGY, RAG_STRATEGIES, type RagPipeline } from '../strategies/index.js';
import type { ChunkIndex } from '../types.js';
import { ingestWithChunker } from './engine-ingest.js';
import type { EngineQuery, RagEngine } from './rag-engine.js';
import type { Tracer } from '../../observability/tracing/tracer.js';
import { GenAI } from '../../observability/tracing/genai-attributes.js';

/** The pipeline's strategies, its default first (the service's fallback default). */
export const ENGINE_STRATEGIES: readonly string[] = [DEFAULT_RAG_STRATEGY, ...RAG_STRATEGIES.filter((s) => s !== DEFAULT_RAG_STRATEGY)];

export interface DefaultRagEngineOptions {
  embedder: EmbeddingModel;
  /** Absent or offline: answers are extractive. */
  model?: LanguageModel;
  chunking?: Omit<ChunkerConfig, 'embedder'>;
  hybrid?: { weights?: Readonly<Record<string, number>>; fusion?: HybridFusion };
  /** Document summaries at ingestion (default true: written by `model`, extractive without one). */
  summaries?: boolean | SummaryOptions;
  /** Where `adaptive` keeps its scores (default: in memory, lost with the process). */
  feedback?: FeedbackLog;
  /** With tracing on: every retrieval and every answer is a span in the request's trace. */
  tracer?: Tracer;
}

export function createDefaultRagEngine(options: DefaultRagEngineOptions): RagEngine {
  const chunker = createChunker({ ...options.chunking, embedder: options.embedder });
  const feedback = options.feedback ?? createMemoryFeedbackLog();
  const summaries = options.summaries === false ? undefined : options.summaries === undefined || options.summaries === true ? (options.model ? { model: options.model } : {}) : options.summaries;
  const pipelines = new WeakMap<ChunkIndex, RagPipeline>();
  const pipelineFor = (index: ChunkIndex): RagPipeline => {
    let pipeline = pipelines.get(index);
    if (pipeline === undefined) {
      pipeline = createRagPipeline({
        index,
        embedder: options.embedder,
        ...(options.model ? { model: options.model } : {}),
        feedback,
        ...(options.hybrid?.weights ? { hybridWeights: options.hybrid.weights } : {}),
        ...(options.hybrid?.fusion ? { hybridFusion: options.hybrid.fusion } : {}),
      });
      pipelines.set(index, pipeline);
    }
    return pipeline;
  };
  const request = (query: EngineQuery) => ({
    query: query.query,
    strategy: query.strategy,
    topK: query.topK,
    ...(query.filter ? { filter: query.filter } : {}),
    ...(query.signal ? { signal: query.signal } : {}),
  });
  const tracer = options.tracer;
  const traced = <T>(operation: 'retrieval' | 'answer', index: ChunkIndex, query: EngineQuery, run: () => Promise<T>, hits: (result: T) => number): Promise<T> =>
    tracer === undefined
      ? run()
      : tracer.withSpan(
          `${operation === 'retrieval' ? 'retrieval' : 'rag.answer'} ${query.strategy}`,
          {
            kind: 'internal',
            attributes: {
              [GenAI.operationName]: operation === 'retrieval' ? 'retrieval' : 'rag_answer',
              [GenAI.dataSourceId]: index.collection,
              'conduit.retrieval.strategy': query.strategy,
              'conduit.retrieval.top_k': query.topK,
            },
          },
          async (span) => {
            const result = await run();
            span.setAttributes({ 'conduit.retrieval.hits': hits(result) });
            return result;
          },
        );
  return {
    strategies: ENGINE_STRATEGIES,
    ingest: (index, documents, ingestOptions) => ingestWithChunker({ index, documents, chunker, embedder: options.embedder, ...(summaries ? { summaries } : {}), ...ingestOptions }),
    retrieve: (index, query) =>
      traced('retrieval', index, query, async () => (await pipelineFor(index).retrieve(request(query))).chunks, (chunks) => chunks.length),
    answer: (index, query) => traced('answer', index, query, () => pipelineFor(index).query(request(query)), (answer) => answer.sources.length),
    recordFeedback: (entry) => recordQueryFeedback(feedback, entry),
  };
}
