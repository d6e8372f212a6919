/**
 * The RAG entry point: `createRagPipeline({ index, embedder, model, strategy })` then
 * `pipeline.query({ query, strategy?, topK?, filter?, history? })` → a grounded answer with its
 * sources, citations, usage and a trace of what the strategy did; `pipeline.retrieve(...)` gives the
 * ranked chunks alone (for evaluation). `ragQuery(...)` is the one-shot form.
 *
 * Every strategy builds on the same default hybrid retriever (keyword-heavy weighted fusion, see
 * retrieval/hybrid-retriever.ts), so a transformation or advanced strategy never starts from a
 * weaker ranking than plain hybrid. A conversation `history` always triggers the follow-up rewrite
 * first. Without a model (or with the offline provider) every strategy still runs: answers are
 * extractive and model-driven steps use their model-free fallbacks.
 */
import { ConduitError } from '../../core/errors.js';
import type { EmbeddingModel, LanguageModel } from '../../models/language-model.js';
import { answerWithContext, type GroundedAnswer } from '../answer/answer-with-context.js';
import { reciprocalRankFusion } from '../retrieval/fusion.js';
import { createHybridRetriever, DEFAULT_HYBRID_WEIGHTS, type HybridFusion } from '../retrieval/hybrid-retriever.js';
import { createKeywordRetriever } from '../retrieval/keyword-retriever.js';
import { createLlmReranker } from '../retrieval/llm-reranker.js';
import { createMmrRetriever } from '../retrieval/mmr-retriever.js';
import { createParentExpansionRetriever } from '../retrieval/parent-expansion-retriever.js';
import { createRelevanceReranker } from '../retrieval/relevance-reranker.js';
import { createRerankingRetriever } from '../retrieval/reranking-retriever.js';
import { createVectorRetriever } from '../retrieval/vector-retriever.js';
import { validateRetrievalRequest } from '../retrieval/validate-request.js';
import { rewriteFollowUp, type ConversationTurn, type RewriteResult } from '../transform/conversational-rewrite.js';
import { answerByDecomposition, decomposeQuestion, splitQuestionHeuristically } from '../transform/decomposition.js';
import { createHydeRetriever } from '../transform/hyde.js';
import { canGenerate } from '../transform/model-availability.js';
import { createMultiQueryRetriever } from '../transform/multi-query.js';
import { orderSubQuestions } from '../transform/query-plan.js';
import { RagUsageMeter } from '../transform/rag-usage.js';
import type { ChunkIndex, MetadataFilter, Reranker, RetrievedChunk, Retriever } from '../types.js';
import { correctiveRetrieve, DEFAULT_CORRECTIVE_THRESHOLD, type ChunkGrade } from './corrective-retrieval.js';
import { createMemoryFeedbackLog, type FeedbackLog } from './feedback-log.js';
import { createHierarchicalRetriever, type HierarchyLevels } from './hierarchical-retriever.js';
import { extractQueryFeatures, type QueryFeatures } from './query-features.js';
import { recordQueryFeedback, type RagFeedback } from './query-feedback.js';
import { createLexicalGrader, createModelGrader, type RelevanceGrader } from './relevance-grader.js';
import { selfReflectiveAnswer, type ReflectionRound } from './self-reflective.js';
import { selectStrategy, type SelectableStrategy, type StrategySelection } from './strategy-selector.js';

export const RAG_STRATEGIES = ['vector', 'keyword', 'hybrid', 'mmr', 'rerank', 'multi-query', 'hyde', 'decompose', 'hierarchical', 'corrective', 'self-reflective', 'adaptive'] as const;
export type RagStrategyName = (typeof RAG_STRATEGIES)[number];
export const DEFAULT_RAG_STRATEGY: RagStrategyName = 'hybrid';
export const DEFAULT_RAG_TOP_K = 5;

export function isRagStrategy(name: string): name is RagStrategyName {
  return (RAG_STRATEGIES as readonly string[]).includes(name);
}

/** What a strategy did, for logs, the HTTP response's debug view and tests. */
export interface RagTrace {
  /** The strategy asked for. */
  requested: RagStrategyName;
  /** The strategy that ran (differs from `requested` for `adaptive`). */
  strategy: SelectableStrategy;
  /** The question as retrieved and answered (after follow-up rewriting). */
  question: string;
  rewrite?: RewriteResult;
  selection?: StrategySelection & { features: QueryFeatures };
  /** multi-query: the phrasings retrieved. */
  queries?: string[];
  /** hyde: the hypothetical passage that was embedded. */
  hypothesis?: string;
  /** decompose: the sub-questions in the order they ran. */
  steps?: { id: string; question: string; dependsOn: string[]; finding: string }[];
  /** hierarchical: the documents and sections chosen. */
  levels?: HierarchyLevels;
  /** corrective: every grade, whether anything relevant remained, the rewritten query of a retry. */
  grades?: ChunkGrade[];
  nothingRelevant?: boolean;
  rewrittenQuery?: string;
  /** self-reflective: one entry per round. */
  rounds?: ReflectionRound[];
}

export interface PipelineAnswer extends GroundedAnswer {
  trace: RagTrace;
}

export interface RagPipelineOptions {
  index: ChunkIndex;
  embedder: EmbeddingModel;
  /** Absent or offline: extractive answers and model-free fallbacks. */
  model?: LanguageModel;
  /** Default `hybrid`. */
  strategy?: RagStrategyName;
  /** Default 5. */
  topK?: number;
  hybridWeights?: Readonly<Record<string, number>>;
  hybridFusion?: HybridFusion;
  /** For `rerank` (default: an LLM judge on `model`, or the embedding/lexical relevance reranker offline). */
  reranker?: Reranker;
  mmrLambda?: number;
  /** For `corrective` (default: a model grader on `model`, or the embedding/lexical grader offline). */
  grader?: RelevanceGrader;
  /** Default 0.6. */
  correctiveThreshold?: number;
  maxReflectionRounds?: number;
  relevanceFloor?: number;
  maxContextChars?: number;
  /** Replace child chunks by their parent chunk before answering (default false). */
  expandParents?: boolean;
  /** For `adaptive` (default: an in-memory log). */
  feedback?: FeedbackLog;
}

export interface RagQueryRequest {
  query: string;
  topK?: number;
  filter?: MetadataFilter;
  /** Overrides the pipeline's strategy; unknown names are a 400. */
  strategy?: string;
  history?: readonly ConversationTurn[];
  signal?: AbortSignal;
}

export interface RagRetrieval {
  chunks: RetrievedChunk[];
  trace: RagTrace;
  usage: GroundedAnswer['usage'];
}

export type { RagFeedback } from './query-feedback.js';

export interface RagPipeline {
  readonly feedback: FeedbackLog;
  query(request: RagQueryRequest): Promise<PipelineAnswer>;
  retrieve(request: RagQueryRequest): Promise<RagRetrieval>;
  /** Scores a strategy's outcome for a query (0–1) so `adaptive` can learn from it. */
  recordFeedback(feedback: RagFeedback): Promise<void>;
}

export function createRagPipeline(options: RagPipelineOptions): RagPipeline {
  const defaultStrategy = options.strategy ?? DEFAULT_RAG_STRATEGY;
  if (!isRagStrategy(defaultStrategy)) throw unknownStrategy(defaultStrategy);
  const feedback = options.feedback ?? createMemoryFeedbackLog();

  /** Per-query state: usage meter, counted embedder, trace, and the retrievers built on them. */
  async function prepare(request: RagQueryRequest) {
    const requested = request.strategy ?? defaultStrategy;
    if (!isRagStrategy(requested)) throw unknownStrategy(requested);
    const topK = request.topK ?? options.topK ?? DEFAULT_RAG_TOP_K;
    validateRetrievalRequest({ query: request.query, topK });
    const usage = new RagUsageMeter();
    const embedder = usage.countEmbeddings(options.embedder);
    const history = request.history ?? [];
    let question = request.query;
    let rewrite: RewriteResult | undefined;
    if (history.length > 0) {
      rewrite = await rewriteFollowUp({ model: options.model, question, history, usage, ...(request.signal ? { callOptions: { signal: request.signal } } : {}) });
      question = rewrite.question;
    }
    let strategy: SelectableStrategy;
    let weights = options.hybridWeights ?? DEFAULT_HYBRID_WEIGHTS;
    const trace: RagTrace = { requested, strategy: 'hybrid', question, ...(rewrite ? { rewrite } : {}) };
    if (requested === 'adaptive') {
      const features = extractQueryFeatures(question);
      const selection = await selectStrategy(features, { feedback });
      strategy = selection.strategy;
      if (selection.hybridWeights && !options.hybridWeights) weights = selection.hybridWeights;
      trace.selection = { ...selection, features };
    } else strategy = requested;
    trace.strategy = strategy;
    const keyword = createKeywordRetriever({ index: options.index });
    const vector = createVectorRetriever({ index: options.index, embedder });
    const hybrid = createHybridRetriever({ retrievers: [keyword, vector], weights, ...(options.hybridFusion ? { fusion: options.hybridFusion } : {}) });
    const ctx = { requested, strategy, question, topK, usage, embedder, trace, keyword, vector, hybrid, request };
    return ctx;
  }

  type Context = Awaited<ReturnType<typeof prepare>>;

  function expand(retriever: Retriever): Retriever {
    return options.expandParents ? createParentExpansionRetriever({ base: retriever, index: options.index }) : retriever;
  }

  /** The Retriever for a retrieval-shaped strategy (all but decompose / corrective / self-reflective). */
  function retrieverFor(ctx: Context): Retriever {
    const { strategy, usage, embedder, trace, hybrid } = ctx;
    switch (strategy) {
      case 'vector':
        return ctx.vector;
      case 'keyword':
        return ctx.keyword;
      case 'hybrid':
      case 'decompose':
      case 'corrective':
      case 'self-reflective':
        return hybrid;
      case 'mmr':
        return createMmrRetriever({ base: hybrid, index: options.index, embedder, ...(options.mmrLambda !== undefined ? { lambda: options.mmrLambda } : {}) });
      case 'rerank': {
        const reranker =
          options.reranker ?? (canGenerate(options.model) ? createLlmReranker({ model: options.model, onUsage: (u) => usage.addModel(u) }) : createRelevanceReranker({ embedder }));
        return createRerankingRetriever({ base: hybrid, reranker });
      }
      case 'multi-query':
        return createMultiQueryRetriever({ base: hybrid, model: options.model, usage, onQueries: (q) => (trace.queries = q) });
      case 'hyde': {
        // HyDE's embedding search is fused with keyword search, keyword-weighted like hybrid, so a
        // hypothetical passage can add candidates but not bury an exact identifier match.
        const hyde = createHydeRetriever({ index: options.index, embedder, model: options.model, usage, onHypothesis: (h) => (trace.hypothesis = h) });
        return createHybridRetriever({ retrievers: [ctx.keyword, hyde], weights: { keyword: 1, hyde: 0.5 }, name: 'hyde' });
      }
      case 'hierarchical':
        return createHierarchicalRetriever({ index: options.index, embedder, chunkRetriever: hybrid, onLevels: (levels) => (trace.levels = levels) });
    }
  }

  function graderFor(ctx: Context): RelevanceGrader {
    return options.grader ?? (canGenerate(options.model) ? createModelGrader({ model: options.model, usage: ctx.usage }) : createLexicalGrader({ embedder: ctx.embedder }));
  }

  function retrievalRequest(ctx: Context, query: string) {
    return { query, topK: ctx.topK, ...(ctx.request.filter ? { filter: ctx.request.filter } : {}), ...(ctx.request.signal ? { signal: ctx.request.signal } : {}) };
  }

  async function answer(ctx: Context, chunks: readonly RetrievedChunk[]): Promise<GroundedAnswer> {
    return answerWithContext({
      question: ctx.question,
      chunks,
      strategy: ctx.requested === 'adaptive' ? `adaptive:${ctx.strategy}` : ctx.strategy,
      // The uncounted embedder: the answer reports its own embedding tokens, which finish() adds.
      embedder: options.embedder,
      ...(options.model ? { model: options.model } : {}),
      ...(options.relevanceFloor !== undefined ? { relevanceFloor: options.relevanceFloor } : {}),
      ...(options.maxContextChars !== undefined ? { maxContextChars: options.maxContextChars } : {}),
      ...(ctx.request.signal ? { signal: ctx.request.signal } : {}),
    });
  }

  function finish(ctx: Context, result: GroundedAnswer): PipelineAnswer {
    ctx.usage.add(result.usage);
    const strategyLabel = ctx.requested === 'adaptive' ? `adaptive:${ctx.strategy}` : ctx.strategy;
    return { ...result, strategy: strategyLabel, usage: ctx.usage.snapshot(), trace: ctx.trace };
  }

  return {
    feedback,

    async query(request) {
      const ctx = await prepare(request);
      const { strategy, trace, usage } = ctx;
      if (strategy === 'decompose') {
        const result = await answerByDecomposition({
          question: ctx.question,
          model: options.model,
          retriever: expand(ctx.hybrid),
          embedder: options.embedder,
          topK: ctx.topK,
          usage,
          strategy: ctx.requested === 'adaptive' ? 'adaptive:decompose' : 'decompose',
          ...(request.filter ? { filter: request.filter } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
        trace.steps = result.steps.map((s) => ({ id: s.id, question: s.question, dependsOn: s.dependsOn, finding: s.finding }));
        // answerByDecomposition already folded every call into `usage`.
        return { ...result.answer, strategy: ctx.requested === 'adaptive' ? 'adaptive:decompose' : 'decompose', usage: usage.snapshot(), trace };
      }
      if (strategy === 'self-reflective') {
        const result = await selfReflectiveAnswer({
          question: ctx.question,
          retriever: expand(ctx.hybrid),
          model: options.model,
          embedder: options.embedder,
          topK: ctx.topK,
          usage,
          strategy: ctx.requested === 'adaptive' ? 'adaptive:self-reflective' : 'self-reflective',
          ...(options.maxReflectionRounds !== undefined ? { maxRounds: options.maxReflectionRounds } : {}),
          ...(request.filter ? { filter: request.filter } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
        trace.rounds = result.rounds;
        return { ...result.answer, usage: usage.snapshot(), trace };
      }
      const chunks = await retrieveChunks(ctx);
      return finish(ctx, await answer(ctx, chunks));
    },

    async retrieve(request) {
      const ctx = await prepare(request);
      const chunks = await retrieveChunks(ctx);
      return { chunks, trace: ctx.trace, usage: ctx.usage.snapshot() };
    },

    async recordFeedback(entry) {
      await recordQueryFeedback(feedback, entry);
    },
  };

  /** Ranked chunks for any strategy (decompose: the sub-questions' lists fused; self-reflective: its first round). */
  async function retrieveChunks(ctx: Context): Promise<RetrievedChunk[]> {
    if (ctx.strategy === 'corrective') {
      const result = await correctiveRetrieve({
        retriever: expand(ctx.hybrid),
        grader: graderFor(ctx),
        query: ctx.question,
        topK: ctx.topK,
        threshold: options.correctiveThreshold ?? DEFAULT_CORRECTIVE_THRESHOLD,
        usage: ctx.usage,
        ...(options.model ? { rewriteModel: options.model } : {}),
        ...(ctx.request.filter ? { filter: ctx.request.filter } : {}),
        ...(ctx.request.signal ? { signal: ctx.request.signal } : {}),
      });
      ctx.trace.grades = result.grades;
      ctx.trace.nothingRelevant = result.nothingRelevant;
      if (result.rewrittenQuery !== undefined) ctx.trace.rewrittenQuery = result.rewrittenQuery;
      return result.kept;
    }
    if (ctx.strategy === 'decompose') {
      const plan = canGenerate(options.model)
        ? await decomposeQuestion({ model: options.model, question: ctx.question, usage: ctx.usage })
        : splitQuestionHeuristically(ctx.question);
      const order = orderSubQuestions(plan);
      const lists = await Promise.all(order.map(async (sub) => ({ name: sub.id, hits: await expand(ctx.hybrid).retrieve(retrievalRequest(ctx, sub.question.replace(/\{[\w-]+\}/g, ''))) })));
      ctx.trace.steps = order.map((s) => ({ id: s.id, question: s.question, dependsOn: s.dependsOn, finding: '' }));
      return reciprocalRankFusion(lists, { topK: ctx.topK, via: 'decompose' });
    }
    return expand(retrieverFor(ctx)).retrieve(retrievalRequest(ctx, ctx.question));
  }
}

/** One-shot: builds a pipeline and answers one query. */
export async function ragQuery(options: RagPipelineOptions & RagQueryRequest): Promise<PipelineAnswer> {
  const { query, topK, filter, strategy, history, signal, ...pipelineOptions } = options;
  return createRagPipeline({ ...pipelineOptions, ...(topK !== undefined ? { topK } : {}) }).query({
    query,
    ...(filter ? { filter } : {}),
    ...(strategy ? { strategy } : {}),
    ...(history ? { history } : {}),
    ...(signal ? { signal } : {}),
  });
}

function unknownStrategy(name: string): ConduitError {
  return new ConduitError('invalid_request', `Unknown RAG strategy '${name}'; expected one of: ${RAG_STRATEGIES.join(', ')}`, { code: 'unknown_strategy', param: 'strategy' });
}
