/**
 * Runs a validated plan: each step starts as soon as everything it depends on has succeeded, so
 * independent steps run in parallel (up to `maxConcurrency`). Every output is verified against the
 * step's success criterion; a step that fails (an error, or a failed verification) gets its
 * contingency, verified the same way. If that fails too, no new step starts, the running ones are
 * awaited, and the execution reports the failure (the caller may replan).
 */
import { ConduitError } from '../../core/errors.js';
import type { Plan, PlanStep } from './plan.js';
import type { StepExecutor } from './step-executor.js';
import type { StepVerdict, StepVerifier } from './step-verifier.js';
import { describeProblem, validatePlan } from './validate-plan.js';

export interface StepResult {
  stepId: string;
  status: 'succeeded' | 'failed';
  /** The output that passed (or the last one produced). */
  output: string | undefined;
  /** `contingency` when the step's contingency produced the accepted output. */
  via: 'primary' | 'contingency' | undefined;
  verdicts: StepVerdict[];
  error?: string;
  startedAt: number;
  finishedAt: number;
}

export type PlanEvent =
  | { type: 'step-started'; stepId: string; attempt: 'primary' | 'contingency' }
  | { type: 'step-verified'; stepId: string; attempt: 'primary' | 'contingency'; verdict: StepVerdict }
  | { type: 'step-finished'; result: StepResult };

export interface ExecutePlanOptions {
  goal?: string;
  execute: StepExecutor;
  verify: StepVerifier;
  /** Steps run at once at most (default: unbounded). */
  maxConcurrency?: number;
  /** Outputs of steps completed under an earlier plan (a replan may depend on them). */
  completed?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
  onEvent?: (event: PlanEvent) => void;
  clock?: { now(): number };
}

export interface PlanExecution {
  status: 'succeeded' | 'failed';
  /** Results of the steps that ran, in completion order. */
  results: StepResult[];
  /** The step that failed (after its contingency), when status is failed. */
  failed?: StepResult;
}

export async function executePlan(plan: Plan, options: ExecutePlanOptions): Promise<PlanExecution> {
  const completed = options.completed ?? {};
  const validation = validatePlan(plan, new Set(Object.keys(completed)));
  if (!validation.valid) {
    throw new ConduitError('invalid_request', `The plan cannot run: ${validation.problems.map(describeProblem).join('; ')}`, { code: 'invalid_plan' });
  }
  const clock = options.clock ?? { now: () => Date.now() };
  const maxConcurrency = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
  const outputs = new Map<string, string>(Object.entries(completed));
  const pending = new Map(plan.steps.map((s) => [s.id, s]));
  const results: StepResult[] = [];
  const running = new Map<string, Promise<void>>();
  let failed: StepResult | undefined;
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abort, { once: true });

  try {
    for (;;) {
      if (failed === undefined && !controller.signal.aborted) {
        for (const step of [...pending.values()]) {
          if (running.size >= maxConcurrency) break;
          if (!step.dependsOn.every((d) => outputs.has(d))) continue;
          pending.delete(step.id);
          const run = runStep(step).then((result) => {
            running.delete(step.id);
            results.push(result);
            options.onEvent?.({ type: 'step-finished', result });
            if (result.status === 'succeeded' && result.output !== undefined) outputs.set(step.id, result.output);
            else failed ??= result;
          });
          running.set(step.id, run);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  if (controller.signal.aborted && failed === undefined) throw new ConduitError('cancelled', 'The plan execution was cancelled', { cause: options.signal?.reason });
  return failed === undefined ? { status: 'succeeded', results } : { status: 'failed', results, failed };

  async function runStep(step: PlanStep): Promise<StepResult> {
    const startedAt = clock.now();
    const dependencies: Record<string, string> = {};
    for (const d of step.dependsOn) dependencies[d] = outputs.get(d) ?? '';
    const verdicts: StepVerdict[] = [];
    let lastOutput: string | undefined;
    let lastError: string | undefined;
    const attempts: ('primary' | 'contingency')[] = step.contingency ? ['primary', 'contingency'] : ['primary'];
    for (const attempt of attempts) {
      if (controller.signal.aborted) break;
      options.onEvent?.({ type: 'step-started', stepId: step.id, attempt });
      let verdict: StepVerdict;
      try {
        lastOutput = await options.execute(step, { goal: options.goal ?? plan.goal, dependencies, attempt, signal: controller.signal });
        verdict = await options.verify(step, lastOutput, { signal: controller.signal });
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        verdict = { passed: false, reason: `the step threw: ${lastError}` };
      }
      verdicts.push(verdict);
      options.onEvent?.({ type: 'step-verified', stepId: step.id, attempt, verdict });
      if (verdict.passed) return { stepId: step.id, status: 'succeeded', output: lastOutput, via: attempt, verdicts, startedAt, finishedAt: clock.now() };
    }
    return { stepId: step.id, status: 'failed', output: lastOutput, via: undefined, verdicts, ...(lastError === undefined ? {} : { error: lastError }), startedAt, finishedAt: clock.now() };
  }
}
