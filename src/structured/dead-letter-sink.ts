/** What generateObject hands a dead-letter queue when every attempt failed. */
import type { JsonSchema, Message } from '../core/messages.js';
import type { AttemptRecord } from './attempt.js';

export interface NewDeadLetterItem {
  schemaName: string;
  /** The JSON Schema the output had to match (a resolution is validated against it). */
  schema: JsonSchema;
  /** The caller's conversation, before any strategy instructions or repair turns (what a retry re-sends). */
  input: Message[];
  attempts: AttemptRecord[];
  /** One line per failed attempt, e.g. `attempt 2: age: Invalid input: expected number`. */
  errors: string[];
  bestPartial: unknown;
}

/** The one method generateObject needs from a dead-letter queue. */
export interface DeadLetterSink {
  /** Persists the item; resolves to its id. */
  add(item: NewDeadLetterItem): Promise<string>;
}

export function attemptErrorLines(attempts: readonly AttemptRecord[]): string[] {
  return attempts.map((a) => {
    const detail = a.parseError ?? (a.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('; ');
    return `attempt ${a.attempt}: ${detail}`;
  });
}
