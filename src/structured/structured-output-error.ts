/**
 * The model could not produce a valid object within the attempts allowed. It is the model's
 * failure, not the caller's, hence `provider_error` (502); not retryable, because the repair loop
 * already spent the retries that could help.
 */
import { ConduitError } from '../core/errors.js';
import type { AttemptRecord } from './attempt.js';
import type { ValidationIssue } from './output-schema.js';
import type { StructuredStrategy } from './strategy.js';

export const STRUCTURED_OUTPUT_FAILED = 'structured_output_failed';

export interface StructuredOutputErrorDetails {
  schemaName: string;
  strategy: StructuredStrategy;
  attempts: AttemptRecord[];
  bestPartial: unknown;
  provider?: string;
  model?: string;
  /** The dead-letter item the failure was stored as, when a queue was given and the write succeeded. */
  deadLetterId?: string;
  /** Why storing it in the dead-letter queue failed, when it did. */
  deadLetterError?: unknown;
}

export class StructuredOutputError extends ConduitError {
  readonly schemaName: string;
  readonly strategy: StructuredStrategy;
  readonly attempts: AttemptRecord[];
  /** The parsed output of the attempt with the fewest validation issues; undefined if none parsed. */
  readonly bestPartial: unknown;
  readonly deadLetterId: string | undefined;
  readonly deadLetterError: unknown;

  constructor(details: StructuredOutputErrorDetails) {
    const last = details.attempts.at(-1);
    const summary = last === undefined ? 'no attempts' : (last.parseError ?? (last.issues ?? []).slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; '));
    super('provider_error', `Could not get a valid ${details.schemaName} object after ${details.attempts.length} attempt(s): ${summary}`, {
      code: STRUCTURED_OUTPUT_FAILED,
      retryable: false,
      ...(details.provider !== undefined ? { provider: details.provider } : {}),
      ...(details.model !== undefined ? { model: details.model } : {}),
    });
    this.name = 'StructuredOutputError';
    this.schemaName = details.schemaName;
    this.strategy = details.strategy;
    this.attempts = details.attempts;
    this.bestPartial = details.bestPartial;
    this.deadLetterId = details.deadLetterId;
    this.deadLetterError = details.deadLetterError;
  }

  /** Every attempt's errors, flattened: parse errors as a root-level issue. */
  get issues(): ValidationIssue[] {
    return this.attempts.flatMap((a) => (a.parseError !== undefined ? [{ path: '(root)', message: a.parseError }] : (a.issues ?? [])));
  }
}
