/** One model answer judged: parsed and validated, or what was wrong with it. */
import type { FinishReason, Usage } from '../core/usage.js';
import { extractJson } from './json-extraction.js';
import type { OutputSchema, ValidationIssue } from './output-schema.js';

export interface AttemptRecord {
  /** 1-based. */
  attempt: number;
  /** The text (or tool-call arguments) the model produced. */
  raw: string;
  /** Set when no JSON could be parsed out of `raw`. */
  parseError?: string;
  /** Set when the JSON parsed but did not match the schema. */
  issues?: ValidationIssue[];
  /** The parsed JSON (before validation), when it parsed. */
  parsed?: unknown;
  finishReason: FinishReason;
  usage: Usage;
  costUsd?: number;
  provider: string;
  model: string;
}

export type AttemptVerdict<T> = { ok: true; object: T } | { ok: false; parseError: string } | { ok: false; issues: ValidationIssue[]; parsed: unknown };

export function judge<T>(schema: OutputSchema<T>, raw: string): AttemptVerdict<T> {
  const extracted = extractJson(raw);
  if (!extracted.ok) return { ok: false, parseError: extracted.error };
  const validated = schema.validate(extracted.value);
  if (validated.success) return { ok: true, object: validated.data };
  return { ok: false, issues: validated.issues, parsed: extracted.value };
}

/** The parsed object of the failed attempt with the fewest validation issues (the latest on a tie). */
export function bestPartialOf(attempts: readonly AttemptRecord[]): unknown {
  let best: AttemptRecord | undefined;
  for (const a of attempts) {
    if (a.issues === undefined || !('parsed' in a)) continue;
    if (best === undefined || a.issues.length <= best.issues!.length) best = a;
  }
  return best?.parsed;
}
