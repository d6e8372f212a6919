/**
 * Corrective RAG (CRAG, Yan et al.; parameters from the guides): every retrieved chunk is graded
 * 0–1 for relevance to the query, chunks below the threshold (default 0.6) are dropped, and when
 * nothing relevant remains the result says so (`nothingRelevant`) instead of passing irrelevant text
 * on to the answerer. Optionally (a model is given) the query is rewritten for search and retrieval
 * retried once before giving up. The guides' web-search fallback is deliberately absent: Conduit
 * answers from the caller's documents only.
 */
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';
import type { LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { canGenerate } from '../transform/model-availability.js';
import type { RagUsageMeter } from '../transform/rag-usage.js';
import type { MetadataFilter, RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';
import type { RelevanceGrader } from './relevance-grader.js';

export const DEFAULT_CORRECTIVE_THRESHOLD = 0.6;

export interface ChunkGrade {
  chunkId: string;
  score: number;
  kept: boolean;
  /** The query the chunk was retrieved (and graded) for. */
  query: string;
}

export interface CorrectiveOptions {
  retriever: Retriever;
  grader: RelevanceGrader;
  query: string;
  topK: number;
  filter?: MetadataFilter;
  /** Default 0.6. */
  threshold?: number;
  /** Given (and able to generate): when nothing passes, the query is rewritten and retrieval retried once. */
  rewriteModel?: LanguageModel;
  usage?: RagUsageMeter;
  signal?: AbortSignal;
}

export interface CorrectiveResult {
  /** Chunks at or above the threshold, best grade first, the grade as their score. */
  kept: RetrievedChunk[];
  grades: ChunkGrade[];
  /** True when no retrieved chunk reached the threshold (after the retry, if any). */
  nothingRelevant: boolean;
  /** The rewritten query, when a retry happened. */
  rewrittenQuery?: string;
}

const rewriteSchema = z.object({ query: z.string().min(1) });

export async function correctiveRetrieve(options: CorrectiveOptions): Promise<CorrectiveResult> {
  const threshold = options.threshold ?? DEFAULT_CORRECTIVE_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new ConduitError('invalid_request', `Corrective threshold must be in [0, 1], got ${threshold}`, { code: 'invalid_threshold', param: 'threshold' });
  }
  const first = await gradeRound(options, options.query, threshold);
  if (first.kept.length > 0 || !canGenerate(options.rewriteModel)) {
    return { kept: first.kept, grades: first.grades, nothingRelevant: first.kept.length === 0 };
  }
  const rewritten = await rewriteForSearch(options.rewriteModel, options.query, options.usage, options.signal);
  if (rewritten.trim().toLowerCase() === options.query.trim().toLowerCase()) {
    return { kept: [], grades: first.grades, nothingRelevant: true, rewrittenQuery: rewritten };
  }
  const second = await gradeRound(options, rewritten, threshold, options.query);
  return { kept: second.kept, grades: [...first.grades, ...second.grades], nothingRelevant: second.kept.length === 0, rewrittenQuery: rewritten };
}

/** A Retriever view of corrective retrieval (graded, filtered chunks; an empty list means nothing relevant). */
export function createCorrectiveRetriever(options: Omit<CorrectiveOptions, 'query' | 'topK' | 'filter' | 'signal'> & { name?: string }): Retriever {
  const name = options.name ?? 'corrective';
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      const result = await correctiveRetrieve({
        ...options,
        query: request.query,
        topK: request.topK,
        ...(request.filter ? { filter: request.filter } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      return result.kept.map((hit) => ({ ...hit, via: name }));
    },
  };
}

async function gradeRound(options: CorrectiveOptions, query: string, threshold: number, gradeAgainst: string = query): Promise<{ kept: RetrievedChunk[]; grades: ChunkGrade[] }> {
  const request: RetrievalRequest = { query, topK: options.topK, ...(options.filter ? { filter: options.filter } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const hits = await options.retriever.retrieve(request);
  if (hits.length === 0) return { kept: [], grades: [] };
  // Chunks found by a rewritten query are still graded against the user's original question.
  const scores = await options.grader.grade(gradeAgainst, hits.map((h) => h.chunk.text), options.signal);
  const grades = hits.map((hit, i) => {
    const score = clamp01(scores[i] ?? 0);
    return { chunkId: hit.chunk.id, score, kept: score >= threshold, query };
  });
  const kept = hits
    .map((hit, i) => ({ hit, grade: grades[i] }))
    .filter((x): x is { hit: RetrievedChunk; grade: ChunkGrade } => x.grade !== undefined && x.grade.kept)
    .sort((a, b) => b.grade.score - a.grade.score)
    .map(({ hit, grade }) => ({ chunk: hit.chunk, score: grade.score, via: hit.via }));
  return { kept, grades };
}

async function rewriteForSearch(model: LanguageModel, query: string, usage: RagUsageMeter | undefined, signal: AbortSignal | undefined): Promise<string> {
  const result = await generateObject({
    model,
    schema: rewriteSchema,
    schemaName: 'search_query',
    system: 'A document search found nothing relevant for the user question. Rewrite it as a better search query: the key technical terms and the words the documentation would likely use. Return only the query.',
    prompt: `Question: ${query}`,
    settings: { temperature: 0 },
    ...(signal ? { signal } : {}),
  });
  usage?.addModel(result.usage);
  return result.object.query.trim();
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
