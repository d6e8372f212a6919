/** Structured output: generateObject / streamObject with per-provider strategies, a repair loop and a dead-letter queue. */
export { generateObject, type GenerateObjectOptions, type GenerateObjectResult } from './generate-object.js';
export { streamObject, type StreamObjectOptions, type StreamObjectEvent, type DeepPartial } from './stream-object.js';
export { DEFAULT_MAX_ATTEMPTS, type StructuredOutputOptions, type StructuredResult } from './structured-run.js';
export { StructuredOutputError, STRUCTURED_OUTPUT_FAILED, type StructuredOutputErrorDetails } from './structured-output-error.js';
export { type AttemptRecord } from './attempt.js';
export { chooseStrategy, buildRequest, jsonOnlyInstructions, type StructuredStrategy, type StrategyChoice } from './strategy.js';
export { toOutputSchema, jsonSchemaToZod, isStrictCompatible, type SchemaInput, type ObjectOf, type ValidationIssue, type OutputSchema } from './output-schema.js';
export { extractJson, type JsonExtraction } from './json-extraction.js';
export { parsePartialJson } from './partial-json.js';
export { type DeadLetterSink, type NewDeadLetterItem } from './dead-letter-sink.js';
export {
  createDeadLetterQueue,
  DeadLetterCorrectionError,
  DEFAULT_DLQ_THRESHOLDS,
  DLQ_MIGRATIONS,
  DLQ_TABLE,
  type DeadLetterQueue,
  type DeadLetterItem,
  type DeadLetterStatus,
  type DeadLetterStats,
  type DeadLetterAlert,
  type DeadLetterThresholds,
  type DeadLetterQueueOptions,
  type DeadLetterRetryOptions,
} from './dlq.js';
