/**
 * Grounded answers: the retrieved chunks become numbered context blocks, the model is told to answer
 * only from them and to cite every claim as [n], and its answer is checked — citation numbers that
 * point at no passage are removed and reported, and an answer that says the documents do not cover
 * the question is flagged `insufficientContext`.
 *
 * Two paths never reach a model:
 * - no chunk passes the relevance floor (passage-relevance.ts, default 0.15): the answer is the
 *   explicit "The documents do not say…", with no call made — asking a model to answer from
 *   unrelated text invites it to answer from memory instead;
 * - no model, or the offline provider: the extractive answer (extractive-answer.ts), labelled as such.
 */
import { ConduitError } from '../../core/errors.js';
import type { CallOptions, EmbeddingModel, LanguageModel } from '../../models/language-model.js';
import { OFFLINE_PROVIDER } from '../../models/providers/offline/offline-model.js';
import type { RagAnswer, RetrievedChunk } from '../types.js';
import { parseCitations } from './citations.js';
import { buildContextBlocks, DEFAULT_MAX_CONTEXT_CHARS } from './context-blocks.js';
import { extractAnswer } from './extractive-answer.js';
import { INSUFFICIENT_CONTEXT_PREFIX, insufficientContextAnswer, saysInsufficientContext } from './insufficient-context.js';
import { scorePassages } from '../retrieval/passage-relevance.js';

export const DEFAULT_RELEVANCE_FLOOR = 0.15;

export interface AnswerWithContextOptions {
  /** Absent, or the offline provider: the answer is extractive. */
  model?: LanguageModel;
  /** Used for the relevance floor and extractive scoring (semantic match); lexical only without it. */
  embedder?: EmbeddingModel;
  question: string;
  chunks: readonly RetrievedChunk[];
  /** Recorded on the answer (default `custom`). */
  strategy?: string;
  /** Minimum passage relevance in [0, 1] for at least one chunk (default 0.15); 0 disables the gate. */
  relevanceFloor?: number;
  /** Character budget of the context blocks (default 12,000). */
  maxContextChars?: number;
  /** Extra text for the prompt, e.g. the findings of earlier sub-questions (not citable). */
  notes?: string;
  /** Extra instructions appended to the system prompt. */
  instructions?: string;
  maxTokens?: number;
  /** Default 0: a grounded answer should not be creative. */
  temperature?: number;
  /** Extractive path: sentences to quote (default 3). */
  maxSentences?: number;
  signal?: AbortSignal;
  callOptions?: CallOptions;
}

/** A RagAnswer plus the citation numbers the model made up (removed from the text). */
export interface GroundedAnswer extends RagAnswer {
  droppedCitations: number[];
}

export const GROUNDED_ANSWER_SYSTEM_PROMPT = [
  'You answer questions using only the numbered context passages you are given.',
  'Cite the passage supporting every statement with its number in square brackets, for example [1] or [2][3]. Use only numbers that appear in the context.',
  `If the passages do not contain the answer, reply with "${INSUFFICIENT_CONTEXT_PREFIX}" followed by one short sentence on what is missing, and nothing else.`,
  'Do not use outside knowledge. Be concise.',
].join('\n');

export async function answerWithContext(options: AnswerWithContextOptions): Promise<GroundedAnswer> {
  if (typeof options.question !== 'string' || options.question.trim() === '') {
    throw new ConduitError('invalid_request', 'question must be a non-empty string', { code: 'invalid_query', param: 'query' });
  }
  const strategy = options.strategy ?? 'custom';
  const callOptions: CallOptions = { ...options.callOptions, ...(options.signal ? { signal: options.signal } : {}) };
  const { sources, text: context } = buildContextBlocks(options.chunks, options.maxContextChars ?? DEFAULT_MAX_CONTEXT_CHARS);

  if (!options.model || options.model.provider === OFFLINE_PROVIDER) {
    return extractAnswer({
      question: options.question,
      chunks: sources,
      strategy,
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.maxSentences !== undefined ? { maxSentences: options.maxSentences } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  const floor = options.relevanceFloor ?? DEFAULT_RELEVANCE_FLOOR;
  let embeddingTokens = 0;
  if (sources.length === 0 || floor > 0) {
    const texts = sources.map((s) => s.chunk.text);
    // Lexical first: it is free, and when it already clears the floor no passage needs embedding.
    let relevant = (await scorePassages(options.question, texts)).scores.some((s) => s >= floor);
    if (!relevant && options.embedder && sources.length > 0) {
      const semantic = await scorePassages(options.question, texts, options.embedder, callOptions);
      embeddingTokens = semantic.embeddingTokens;
      relevant = semantic.scores.some((s) => s >= floor);
    }
    if (sources.length === 0 || !relevant) {
      return {
        answer: insufficientContextAnswer(options.question, sources.length === 0 ? 'No passages were retrieved.' : 'None of the retrieved passages is relevant to the question.'),
        sources,
        citations: [],
        insufficientContext: true,
        mode: 'generated',
        strategy,
        usage: { inputTokens: 0, outputTokens: 0, embeddingTokens },
        droppedCitations: [],
      };
    }
  }

  const system = options.instructions ? `${GROUNDED_ANSWER_SYSTEM_PROMPT}\n${options.instructions}` : GROUNDED_ANSWER_SYSTEM_PROMPT;
  const notes = options.notes ? `\n\nNotes (background from earlier steps; cite the passages, not these notes):\n${options.notes}` : '';
  const result = await options.model.generate(
    {
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: `Context:\n${context}${notes}\n\nQuestion: ${options.question}` },
      ],
      temperature: options.temperature ?? 0,
      ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
    },
    callOptions,
  );
  const usage = { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, embeddingTokens };
  const raw = result.text.trim();
  if (saysInsufficientContext(raw)) {
    return { answer: raw, sources, citations: [], insufficientContext: true, mode: 'generated', strategy, usage, droppedCitations: parseCitations(raw, sources).dropped };
  }
  const parsed = parseCitations(raw, sources);
  return { answer: parsed.text, sources, citations: parsed.citations, insufficientContext: false, mode: 'generated', strategy, usage, droppedCitations: parsed.dropped };
}
