/**
 * A plan is a dependency graph of steps. Each step says what to do, which steps it needs first,
 * how to tell it succeeded, and optionally what to do instead if it fails. The zod schema is what
 * the planner model must produce (through structured output), so a plan is validated on arrival.
 */
import { z } from 'zod';

export const planStepSchema = z.object({
  id: z.string().min(1).max(64).describe('Short unique id, e.g. "s1" or "fetch-data"'),
  description: z.string().min(1).describe('What to do in this step, self-contained'),
  dependsOn: z.array(z.string()).describe('Ids of the steps whose results this step needs; [] when none'),
  successCriterion: z.string().min(1).describe('A checkable statement that is true when the step succeeded'),
  contingency: z.string().nullable().optional().describe('What to do instead if the step fails; null when none'),
});

export const planSchema = z.object({
  goal: z.string().describe('The goal, restated'),
  steps: z.array(planStepSchema).min(1).max(50),
});

export type PlanStep = z.infer<typeof planStepSchema>;
export type Plan = z.infer<typeof planSchema>;
