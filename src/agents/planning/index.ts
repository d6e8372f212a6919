/** Planning: a model's plan as a dependency graph, validated, run in dependency order with parallel waves, verified, replanned on failure. */
export { planSchema, planStepSchema, type Plan, type PlanStep } from './plan.js';
export { validatePlan, describeProblem, type PlanProblem, type PlanValidation } from './validate-plan.js';
export { createPlan, PLANNER_INSTRUCTIONS, type CreatePlanOptions, type CreatedPlan, type ReplanContext } from './create-plan.js';
export { executePlan, type ExecutePlanOptions, type PlanExecution, type PlanEvent, type StepResult } from './execute-plan.js';
export { runPlan, type RunPlanOptions, type PlanRun } from './run-plan.js';
export { createModelStepExecutor, type StepExecutor, type StepContext } from './step-executor.js';
export { createModelJudge, predicateVerifier, JUDGE_INSTRUCTIONS, type StepVerifier, type StepVerdict } from './step-verifier.js';
