/** The one shape every model turn of `conduit solve` must have (the guide's `ReasoningStep`). */
import { z } from 'zod';

export const STEP_TYPES = ['analyze', 'calculate', 'verify', 'final_answer'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const reasoningStepSchema = z.object({
  step_type: z.enum(STEP_TYPES),
  thought: z.string(),
  action: z.string(),
  result: z.string(),
  next_step_needed: z.boolean(),
});

export type ReasoningStep = z.infer<typeof reasoningStepSchema>;

export const STEP_ICONS: Record<StepType, string> = {
  analyze: '🔍',
  calculate: '🧮',
  verify: '✅',
  final_answer: '🎯',
};

/** The guide's termination rule: a final answer, or the model saying no further step is needed. */
export function endsTheRun(step: ReasoningStep): boolean {
  return step.step_type === 'final_answer' || !step.next_step_needed;
}
