/**
 * The planner: a model turns a goal into a plan (structured output with the plan schema). A plan
 * that does not validate (unknown dependencies, cycles, duplicate ids) is sent back with its
 * problems as a replan request, up to `maxAttempts` plans in all. After a failed execution the
 * same function replans the remaining work, given what is done and what failed.
 */
import { ConduitError } from '../../core/errors.js';
import type { Message } from '../../core/messages.js';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { planSchema, type Plan } from './plan.js';
import { describeProblem, validatePlan, type PlanProblem } from './validate-plan.js';

export const PLANNER_INSTRUCTIONS =
  'You are a planner. Break the goal into a small number of concrete steps forming a dependency graph: a step lists in dependsOn ' +
  'the ids of the steps whose results it needs, and steps that do not need each other have no dependency so they can run in parallel. ' +
  'Give every step a checkable successCriterion and, when sensible, a contingency (what to do instead if it fails).';

export interface ReplanContext {
  /** The plan that failed. */
  previous: Plan;
  /** Steps already done (under any earlier plan), with their outputs: they must not be planned again. */
  completed: Readonly<Record<string, string>>;
  failedStepId: string;
  reason: string;
}

export interface CreatePlanOptions {
  model: LanguageModel;
  goal: string;
  /** Extra context for the planner (constraints, available tools…). */
  context?: string;
  /** Set when replanning after a failure. */
  replan?: ReplanContext;
  /** Plans asked for in all when they fail validation (default 3). */
  maxAttempts?: number;
  callOptions?: CallOptions;
}

export interface CreatedPlan {
  plan: Plan;
  /** Parallel waves of step ids (dependencies first). */
  levels: string[][];
  /** Every plan the model proposed that failed validation, with why. */
  rejected: { plan: Plan; problems: PlanProblem[] }[];
}

export async function createPlan(options: CreatePlanOptions): Promise<CreatedPlan> {
  const maxAttempts = options.maxAttempts ?? 3;
  const completedIds = new Set(Object.keys(options.replan?.completed ?? {}));
  const messages: Message[] = [{ role: 'user', content: plannerPrompt(options) }];
  const rejected: CreatedPlan['rejected'] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const { object: plan } = await generateObject({
      model: options.model,
      schema: planSchema,
      schemaName: 'plan',
      system: PLANNER_INSTRUCTIONS,
      messages,
      ...(options.callOptions === undefined ? {} : { callOptions: options.callOptions }),
    });
    const validation = validatePlan(plan, completedIds);
    if (validation.valid) return { plan, levels: validation.levels, rejected };
    rejected.push({ plan, problems: validation.problems });
    messages.push(
      { role: 'assistant', content: JSON.stringify(plan) },
      { role: 'user', content: `That plan cannot run:\n${validation.problems.map((p) => `- ${describeProblem(p)}`).join('\n')}\nProduce a corrected plan.` },
    );
  }
  throw new ConduitError('provider_error', `The planner produced no valid plan in ${maxAttempts} attempts: ${rejected.at(-1)?.problems.map(describeProblem).join('; ') ?? ''}`, {
    code: 'invalid_plan',
    retryable: false,
  });
}

function plannerPrompt(options: CreatePlanOptions): string {
  const parts = [`Goal: ${options.goal}`];
  if (options.context) parts.push(`Context:\n${options.context}`);
  const replan = options.replan;
  if (replan !== undefined) {
    const done = Object.entries(replan.completed).map(([id, out]) => `- ${id}: ${out.length > 300 ? `${out.slice(0, 300)}…` : out}`);
    parts.push(
      `A previous plan failed at step '${replan.failedStepId}': ${replan.reason}`,
      `Previous plan:\n${JSON.stringify(replan.previous)}`,
      done.length > 0 ? `Completed steps (do not repeat them; new steps may depend on their ids):\n${done.join('\n')}` : 'No step has completed yet.',
      'Plan only the remaining work, avoiding what failed.',
    );
  }
  return parts.join('\n\n');
}
