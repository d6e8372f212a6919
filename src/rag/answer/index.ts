/** RAG answers: grounded, cited answers from a model, or extractive answers offline. */
export {
  answerWithContext,
  DEFAULT_RELEVANCE_FLOOR,
  GROUNDED_ANSWER_SYSTEM_PROMPT,
  type AnswerWithContextOptions,
  type GroundedAnswer,
} from './answer-with-context.js';
export {
  extractAnswer,
  EXTRACTED_ANSWER_LABEL,
  DEFAULT_MAX_SENTENCES,
  DEFAULT_MIN_SENTENCE_SCORE,
  type ExtractiveAnswerOptions,
  type ExtractiveAnswer,
} from './extractive-answer.js';
export { parseCitations, type ParsedCitations } from './citations.js';
export { buildContextBlocks, DEFAULT_MAX_CONTEXT_CHARS, type ContextBlocks } from './context-blocks.js';
export { INSUFFICIENT_CONTEXT_PREFIX, insufficientContextAnswer, saysInsufficientContext } from './insufficient-context.js';
export { splitSentences } from './sentences.js';
