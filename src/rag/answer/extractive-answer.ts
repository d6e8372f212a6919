/**
 * The offline answer: no model, so no generation — the best matching sentences of the retrieved
 * chunks, quoted verbatim with their citation numbers, under a label that says plainly they were
 * extracted. Sentences are scored against the question with passage-relevance.ts (IDF-weighted
 * term coverage, and embedding similarity when an embedder is given), plus a small bonus for the
 * chunk's retrieval rank as a tie-breaker. With no sentence above `minSentenceScore` the answer is the
 * explicit "The documents do not say…".
 */
import type { EmbeddingModel } from '../../models/language-model.js';
import type { Citation, RagAnswer, RetrievedChunk } from '../types.js';
import { buildContextBlocks, DEFAULT_MAX_CONTEXT_CHARS } from './context-blocks.js';
import { insufficientContextAnswer } from './insufficient-context.js';
import { scorePassages } from '../retrieval/passage-relevance.js';
import { splitSentences } from './sentences.js';

export const EXTRACTED_ANSWER_LABEL = 'Extracted from the documents (no model configured):';
export const DEFAULT_MAX_SENTENCES = 3;
export const DEFAULT_MIN_SENTENCE_SCORE = 0.25;

export interface ExtractiveAnswerOptions {
  question: string;
  chunks: readonly RetrievedChunk[];
  embedder?: EmbeddingModel;
  /** Default 3. */
  maxSentences?: number;
  /** Default 0.25 (on the [0, 1] relevance scale). */
  minSentenceScore?: number;
  maxContextChars?: number;
  strategy?: string;
  signal?: AbortSignal;
}

export interface ExtractiveAnswer extends RagAnswer {
  mode: 'extracted';
  /** The sentences chosen, with their scores and source numbers (best first). */
  extracts: { sentence: string; number: number; score: number }[];
  droppedCitations: number[];
}

export async function extractAnswer(options: ExtractiveAnswerOptions): Promise<ExtractiveAnswer> {
  const maxSentences = options.maxSentences ?? DEFAULT_MAX_SENTENCES;
  const minScore = options.minSentenceScore ?? DEFAULT_MIN_SENTENCE_SCORE;
  const { sources } = buildContextBlocks(options.chunks, options.maxContextChars ?? DEFAULT_MAX_CONTEXT_CHARS);
  const candidates = sources.flatMap((hit, i) => splitSentences(hit.chunk.text).map((sentence) => ({ sentence, number: i + 1 })));
  const relevance = await scorePassages(options.question, candidates.map((c) => c.sentence), options.embedder, options.signal ? { signal: options.signal } : {});
  const rankBonus = (n: number) => 0.02 * (1 - (n - 1) / Math.max(1, sources.length));
  const scored = candidates
    .map((c, i) => ({ ...c, relevance: relevance.scores[i] ?? 0, score: (relevance.scores[i] ?? 0) + rankBonus(c.number) }))
    .filter((c) => c.relevance >= minScore)
    .sort((a, b) => b.score - a.score);
  const chosen: typeof scored = [];
  for (const candidate of scored) {
    if (chosen.length >= maxSentences) break;
    if (chosen.some((c) => c.sentence === candidate.sentence)) continue;
    chosen.push(candidate);
  }
  const usage = { inputTokens: 0, outputTokens: 0, embeddingTokens: relevance.embeddingTokens };
  const strategy = options.strategy ?? 'custom';
  if (chosen.length === 0) {
    return {
      answer: `${EXTRACTED_ANSWER_LABEL}\n${insufficientContextAnswer(options.question, 'No passage of the retrieved documents matches the question.')}`,
      sources,
      citations: [],
      insufficientContext: true,
      mode: 'extracted',
      strategy,
      usage,
      extracts: [],
      droppedCitations: [],
    };
  }
  const citations: Citation[] = [];
  for (const c of chosen) {
    const source = sources[c.number - 1];
    if (source && !citations.some((x) => x.number === c.number)) citations.push({ number: c.number, chunkId: source.chunk.id, documentId: source.chunk.documentId });
  }
  const lines = chosen.map((c) => `- "${c.sentence}" [${c.number}]`);
  return {
    answer: `${EXTRACTED_ANSWER_LABEL}\n${lines.join('\n')}`,
    sources,
    citations,
    insufficientContext: false,
    mode: 'extracted',
    strategy,
    usage,
    extracts: chosen.map((c) => ({ sentence: c.sentence, number: c.number, score: c.relevance })),
    droppedCitations: [],
  };
}
