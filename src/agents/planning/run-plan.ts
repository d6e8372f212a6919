/**
 * Plan, execute, and replan on failure: the whole planning loop. A failed step (after its
 * contingency) leads to a new plan for the remaining work, which keeps the completed steps'
 * results; at most `maxReplans` times, then the run reports the failure.
 */
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import { createPlan, type CreatedPlan } from './create-plan.js';
import { executePlan, type PlanEvent, type PlanExecution, type StepResult } from './execute-plan.js';
import type { StepExecutor } from './step-executor.js';
import { createModelStepExecutor } from './step-executor.js';
import { createModelJudge, type StepVerifier } from './step-verifier.js';

export interface RunPlanOptions {
  /** The planner (also the default executor and judge). */
  model: LanguageModel;
  goal: string;
  context?: string;
  /** Default: the model carries out each step. */
  execute?: StepExecutor;
  /** Default: the model judges each output against the step's success criterion. */
  verify?: StepVerifier;
  /** New plans after a failed execution (default 2). */
  maxReplans?: number;
  maxConcurrency?: number;
  /** Planner attempts per plan when a plan fails validation (default 3). */
  maxPlanAttempts?: number;
  signal?: AbortSignal;
  callOptions?: CallOptions;
  onEvent?: (event: PlanEvent | { type: 'planned'; plan: CreatedPlan; replan: number }) => void;
}

export interface PlanRun {
  status: 'succeeded' | 'failed';
  goal: string;
  /** Every plan used, the first one and each replan. */
  plans: CreatedPlan[];
  executions: PlanExecution[];
  replans: number;
  /** Output of every step that succeeded, by id (across plans). */
  outputs: Record<string, string>;
  /** The last failed step, when status is failed. */
  failed?: StepResult;
}

export async function runPlan(options: RunPlanOptions): Promise<PlanRun> {
  const maxReplans = options.maxReplans ?? 2;
  const callOptions: CallOptions = { ...options.callOptions, ...(options.signal === undefined ? {} : { signal: options.signal }) };
  const execute = options.execute ?? createModelStepExecutor(options.model, callOptions);
  const verify = options.verify ?? createModelJudge(options.model, callOptions);
  const plans: CreatedPlan[] = [];
  const executions: PlanExecution[] = [];
  const outputs: Record<string, string> = {};
  let replanContext: Parameters<typeof createPlan>[0]['replan'];

  for (let replans = 0; ; replans++) {
    const created = await createPlan({
      model: options.model,
      goal: options.goal,
      callOptions,
      ...(options.context === undefined ? {} : { context: options.context }),
      ...(replanContext === undefined ? {} : { replan: replanContext }),
      ...(options.maxPlanAttempts === undefined ? {} : { maxAttempts: options.maxPlanAttempts }),
    });
    plans.push(created);
    options.onEvent?.({ type: 'planned', plan: created, replan: replans });
    const execution = await executePlan(created.plan, {
      goal: options.goal,
      execute,
      verify,
      completed: { ...outputs },
      ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    });
    executions.push(execution);
    for (const r of execution.results) if (r.status === 'succeeded' && r.output !== undefined) outputs[r.stepId] = r.output;
    if (execution.status === 'succeeded') return { status: 'succeeded', goal: options.goal, plans, executions, replans, outputs };
    const failed = execution.failed;
    if (failed === undefined || replans >= maxReplans) {
      return { status: 'failed', goal: options.goal, plans, executions, replans, outputs, ...(failed === undefined ? {} : { failed }) };
    }
    replanContext = {
      previous: created.plan,
      completed: { ...outputs },
      failedStepId: failed.stepId,
      reason: failed.verdicts.map((v) => v.reason).join('; ') || failed.error || 'unknown',
    };
  }
}
