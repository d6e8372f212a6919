/**
 * The error a stream ends with when it dies after content was already delivered: failover is no
 * longer transparent then, so the caller must be told explicitly (never a silent end). It carries
 * what had been streamed, so cost and metrics count what the caller actually received.
 */
import { ConduitError } from '../core/errors.js';
import type { Usage } from '../core/usage.js';

/** What reached the caller before the stream died. */
export interface StreamProgress {
  /** Content parts delivered (text, reasoning, tool-call start/delta). */
  contentParts: number;
  textChars: number;
  reasoningChars: number;
  toolArgumentChars: number;
}

export interface StreamInterruptedErrorOptions {
  cause: unknown;
  /** The deployment id or model label that served the stream. */
  servedBy: string;
  provider: string;
  model?: string;
  progress: StreamProgress;
  /**
   * Usage for what was streamed: output tokens counted from the delivered text, input tokens from
   * the prompt. Counted with the tokenizer the caller supplied, else estimated (≈4 chars/token).
   */
  partialUsage: Usage;
  usageEstimated: boolean;
}

export class StreamInterruptedError extends ConduitError {
  readonly servedBy: string;
  readonly progress: StreamProgress;
  readonly partialUsage: Usage;
  readonly usageEstimated: boolean;

  constructor(message: string, options: StreamInterruptedErrorOptions) {
    super('stream_interrupted', message, { cause: options.cause, provider: options.provider, model: options.model, retryable: false });
    this.servedBy = options.servedBy;
    this.progress = options.progress;
    this.partialUsage = options.partialUsage;
    this.usageEstimated = options.usageEstimated;
  }
}

export function isStreamInterruptedError(err: unknown): err is StreamInterruptedError {
  return err instanceof StreamInterruptedError;
}
