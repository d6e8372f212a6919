/**
 * Verification of a step's output against its success criterion: a predicate (deterministic
 * checks, tests) or a model acting as judge (structured output: passed + reason).
 */
import { z } from 'zod';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import type { PlanStep } from './plan.js';

export interface StepVerdict {
  passed: boolean;
  reason: string;
}

export type StepVerifier = (step: PlanStep, output: string, options: { signal?: AbortSignal }) => Promise<StepVerdict>;

/** Wraps a synchronous check; a thrown error counts as not passed, with its message as the reason. */
export function predicateVerifier(check: (step: PlanStep, output: string) => boolean | StepVerdict): StepVerifier {
  return async (step, output) => {
    try {
      const result = check(step, output);
      return typeof result === 'boolean' ? { passed: result, reason: result ? 'the check passed' : `the check failed for: ${step.successCriterion}` } : result;
    } catch (err) {
      return { passed: false, reason: err instanceof Error ? err.message : String(err) };
    }
  };
}

const verdictSchema = z.object({
  passed: z.boolean(),
  reason: z.string(),
});

export const JUDGE_INSTRUCTIONS =
  'You verify one step of a plan. Decide strictly whether the output meets the success criterion. ' +
  'Answer passed=false when it does not, or when you cannot tell from the output.';

export function createModelJudge(model: LanguageModel, callOptions?: CallOptions): StepVerifier {
  return async (step, output, { signal }) => {
    const { object } = await generateObject({
      model,
      schema: verdictSchema,
      schemaName: 'step_verdict',
      system: JUDGE_INSTRUCTIONS,
      prompt: `Step: ${step.description}\nSuccess criterion: ${step.successCriterion}\n\nOutput:\n${output}`,
      settings: { temperature: 0 },
      ...(signal === undefined ? {} : { signal }),
      ...(callOptions === undefined ? {} : { callOptions }),
    });
    return object;
  };
}
