/**
 * Runs an evaluation set against several retrieval strategies and scores them side by side.
 * Retrieval metrics (recall@k, precision@k, MRR, nDCG@10) are computed on documents: chunk hits
 * are mapped to the labelled document they belong to and collapsed to first occurrence. Answer
 * metrics (faithfulness, answer relevance) need a judge model and an `answer` function; without
 * them the result says why they were skipped instead of reporting zeros.
 */
import type { LanguageModel } from '../../models/language-model.js';
import type { RagAnswer, RetrievedChunk } from '../types.js';
import { documentMatches, type EvalItem } from './dataset.js';
import { canJudge, judgeAnswer } from './judge.js';
import { mean, ndcgAtK, precisionAtK, rankedDocuments, recallAtK, reciprocalRank } from './metrics.js';

export const NDCG_CUTOFF = 10;
export const DEFAULT_EVAL_K = 5;

export interface EvalRunOptions {
  items: readonly EvalItem[];
  strategies: readonly string[];
  /** Cut-off for recall and precision (default 5). MRR is over the retrieved list, nDCG at 10. */
  k?: number;
  /** Ranked chunks for a question under a strategy; asked for max(k, 10) results. */
  retrieve(strategy: string, question: string, topK: number, signal?: AbortSignal): Promise<RetrievedChunk[]>;
  /** A full answer under a strategy: needed for the judged metrics. */
  answer?(strategy: string, question: string, signal?: AbortSignal): Promise<RagAnswer>;
  /** Judges faithfulness and relevance; skipped (with a note) when absent or offline. */
  judge?: LanguageModel;
  /** Called after each question and strategy, for progress output. */
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

export interface QuestionScore {
  line: number;
  question: string;
  /** Labelled documents in the order retrieved (unlabelled ones as their own ids). */
  retrieved: string[];
  recall: number;
  precision: number;
  reciprocalRank: number;
  ndcg: number;
  faithfulness?: number;
  answerRelevance?: number;
}

export interface StrategyScores {
  strategy: string;
  /** Questions with labelled documents (the retrieval metrics' denominator). */
  questions: number;
  recallAtK: number;
  precisionAtK: number;
  mrr: number;
  ndcgAt10: number;
  faithfulness?: number;
  answerRelevance?: number;
  /** Median retrieval latency, ms. */
  p50Ms: number;
  perQuestion: QuestionScore[];
}

export interface EvalReport {
  k: number;
  questions: number;
  strategies: StrategyScores[];
  /** Why the judged metrics are missing, when they are. */
  judgeNote?: string;
}

export async function runEvaluation(options: EvalRunOptions): Promise<EvalReport> {
  const k = options.k ?? DEFAULT_EVAL_K;
  const topK = Math.max(k, NDCG_CUTOFF);
  const judging = canJudge(options.judge) && options.answer !== undefined;
  const judgeNote = judging
    ? undefined
    : options.judge === undefined || !canJudge(options.judge)
      ? 'faithfulness and answer relevance skipped: no model configured (offline); configure a model to judge answers'
      : 'faithfulness and answer relevance skipped: no answer function given';
  const total = options.items.length * options.strategies.length;
  let done = 0;
  const strategies: StrategyScores[] = [];
  for (const strategy of options.strategies) {
    const perQuestion: QuestionScore[] = [];
    const latencies: number[] = [];
    for (const item of options.items) {
      options.signal?.throwIfAborted();
      const score = await scoreQuestion(item, strategy, k, topK, options, latencies, judging);
      perQuestion.push(score);
      options.onProgress?.(++done, total);
    }
    const labelled = perQuestion.filter((_, i) => (options.items[i]?.relevantDocumentIds.length ?? 0) > 0);
    const judged = perQuestion.filter((q) => q.faithfulness !== undefined);
    strategies.push({
      strategy,
      questions: labelled.length,
      recallAtK: mean(labelled.map((q) => q.recall)),
      precisionAtK: mean(labelled.map((q) => q.precision)),
      mrr: mean(labelled.map((q) => q.reciprocalRank)),
      ndcgAt10: mean(labelled.map((q) => q.ndcg)),
      ...(judged.length > 0
        ? { faithfulness: mean(judged.map((q) => q.faithfulness ?? 0)), answerRelevance: mean(judged.map((q) => q.answerRelevance ?? 0)) }
        : {}),
      p50Ms: median(latencies),
      perQuestion,
    });
  }
  return { k, questions: options.items.length, strategies, ...(judgeNote !== undefined ? { judgeNote } : {}) };
}

async function scoreQuestion(
  item: EvalItem,
  strategy: string,
  k: number,
  topK: number,
  options: EvalRunOptions,
  latencies: number[],
  judging: boolean,
): Promise<QuestionScore> {
  const t0 = performance.now();
  const hits = await options.retrieve(strategy, item.question, topK, options.signal);
  latencies.push(performance.now() - t0);
  const relevant = new Set(item.relevantDocumentIds);
  // Map every hit to the label it matches, so `docs/api/fs.md` counts as the labelled `fs.md`.
  const retrieved = rankedDocuments(hits.map((h) => item.relevantDocumentIds.find((label) => documentMatches(h.chunk.documentId, label)) ?? h.chunk.documentId));
  const score: QuestionScore = {
    line: item.line,
    question: item.question,
    retrieved,
    recall: recallAtK(retrieved, relevant, k),
    precision: precisionAtK(retrieved, relevant, k),
    reciprocalRank: reciprocalRank(retrieved, relevant),
    ndcg: ndcgAtK(retrieved, relevant, NDCG_CUTOFF),
  };
  if (judging && options.answer !== undefined && options.judge !== undefined) {
    const answer = await options.answer(strategy, item.question, options.signal);
    const judgement = await judgeAnswer(
      options.judge,
      {
        question: item.question,
        answer: answer.answer,
        context: answer.sources.map((s) => s.chunk.text),
        ...(item.expectedAnswer !== undefined ? { reference: item.expectedAnswer } : {}),
      },
      options.signal,
    );
    score.faithfulness = judgement.faithfulness;
    score.answerRelevance = judgement.answerRelevance;
  }
  return score;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}
