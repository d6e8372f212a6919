/** JSON shapes of the RAG HTTP API: snake_case like the OpenAI surface, `object` naming the kind. */
import type { CollectionInfo, RagAnswer } from '../types.js';
import type { EngineIngestSummary } from './rag-engine.js';

export function collectionBody(info: CollectionInfo) {
  return {
    object: 'rag.collection',
    name: info.name,
    description: info.description ?? null,
    dimensions: info.dimensions ?? null,
    documents: info.documents,
    chunks: info.chunks,
    created_at: info.createdAt,
  };
}

export function ingestionBody(collection: string, summary: EngineIngestSummary) {
  return {
    object: 'rag.ingestion',
    collection,
    documents: summary.perDocument.map((d) => ({ id: d.id, chunks: d.chunks, status: d.status })),
    summary: { documents: summary.documents, chunks: summary.chunks, embedded: summary.embedded, unchanged: summary.unchanged, seconds: summary.seconds },
  };
}

export function answerBody(collection: string, answer: RagAnswer) {
  const inputTokens = answer.usage.inputTokens;
  const outputTokens = answer.usage.outputTokens;
  return {
    object: 'rag.answer',
    collection,
    answer: answer.answer,
    mode: answer.mode,
    strategy: answer.strategy,
    insufficient_context: answer.insufficientContext,
    citations: answer.citations.map((c) => ({ number: c.number, chunk_id: c.chunkId, document_id: c.documentId })),
    sources: answer.sources.map((s, i) => ({
      number: i + 1,
      id: s.chunk.id,
      document_id: s.chunk.documentId,
      text: s.chunk.text,
      score: s.score,
      metadata: s.chunk.metadata,
    })),
    usage: {
      prompt_tokens: inputTokens,
      completion_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
      ...(answer.usage.embeddingTokens !== undefined ? { embedding_tokens: answer.usage.embeddingTokens } : {}),
    },
  };
}
