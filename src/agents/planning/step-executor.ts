/** How a step is carried out: any async function; the model executor asks a model to do it with its dependencies' results. */
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import type { PlanStep } from './plan.js';

export interface StepContext {
  goal: string;
  /** Outputs of the steps this one depends on, by id. */
  dependencies: Readonly<Record<string, string>>;
  /** `primary` for the step itself, `contingency` when its contingency is being carried out. */
  attempt: 'primary' | 'contingency';
  signal: AbortSignal;
}

/** Returns the step's output; a thrown error is a failed step (its contingency or a replan follows). */
export type StepExecutor = (step: PlanStep, context: StepContext) => Promise<string>;

export function createModelStepExecutor(model: LanguageModel, callOptions: CallOptions = {}): StepExecutor {
  return async (step, context) => {
    const deps = Object.entries(context.dependencies).map(([id, out]) => `Result of step ${id}:\n${out}`);
    const task = context.attempt === 'contingency' ? `${step.contingency ?? step.description} (the fallback for: ${step.description})` : step.description;
    const result = await model.generate(
      {
        messages: [
          { role: 'system', content: `You carry out one step of a plan towards this goal: ${context.goal}\nAnswer with the step's result only.` },
          { role: 'user', content: [...deps, `Step: ${task}`, `It succeeds when: ${step.successCriterion}`].join('\n\n') },
        ],
      },
      { ...callOptions, signal: context.signal },
    );
    return result.text;
  };
}
