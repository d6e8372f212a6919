/** What a suite run produced: one result per job (prompt × model × case × repeat) and a summary. */
import type { EvalOutput } from '../assertions/assertion.js';

export interface AssertionOutcome {
  type: string;
  label: string;
  pass: boolean;
  score: number;
  reason: string;
}

export interface JobResult {
  /** Position in the matrix (prompt, model, case, repeat order). */
  index: number;
  prompt: string;
  model: string;
  case: string;
  /** 0-based. */
  repeat: number;
  vars: Record<string, unknown>;
  inputHash: string;
  /** True when the output came from the results cache (no model call). */
  cached: boolean;
  output: EvalOutput;
  assertions: AssertionOutcome[];
  /** Every assertion passed and the call did not fail. */
  pass: boolean;
  /** Mean assertion score. */
  score: number;
  metadata?: Record<string, unknown>;
}

export interface RunSummary {
  /** Jobs. */
  total: number;
  passed: number;
  /** Jobs with a failing assertion (the call itself succeeded). */
  failed: number;
  /** Jobs whose call failed. */
  errors: number;
  cached: number;
  assertions: { total: number; failed: number };
  /** USD spent by the calls made in this run (cached results cost nothing again). */
  costUsd: number;
  passRate: number;
}

export interface SuiteRunResult {
  runId: string;
  suite: string;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  results: JobResult[];
  summary: RunSummary;
}

export function summarize(results: readonly JobResult[]): RunSummary {
  const errors = results.filter((r) => r.output.error !== undefined).length;
  const passed = results.filter((r) => r.pass).length;
  const assertions = results.flatMap((r) => r.assertions);
  return {
    total: results.length,
    passed,
    failed: results.length - passed - errors,
    errors,
    cached: results.filter((r) => r.cached).length,
    assertions: { total: assertions.length, failed: assertions.filter((a) => !a.pass).length },
    costUsd: results.reduce((sum, r) => sum + (r.cached ? 0 : (r.output.costUsd ?? 0)), 0),
    passRate: results.length === 0 ? 0 : passed / results.length,
  };
}
