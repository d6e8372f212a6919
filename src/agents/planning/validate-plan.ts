/**
 * Checks that a plan can run: unique ids, dependencies that exist, and no cycles. A plan that
 * fails any check is not executed; its problems go back to the planner as a replan request.
 */
import type { Plan } from './plan.js';

export type PlanProblem =
  | { type: 'duplicate_id'; stepId: string }
  | { type: 'unknown_dependency'; stepId: string; dependency: string }
  | { type: 'self_dependency'; stepId: string }
  | { type: 'cycle'; path: string[] }
  | { type: 'empty' };

export type PlanValidation = { valid: true; levels: string[][] } | { valid: false; problems: PlanProblem[] };

/**
 * `completedIds` are steps finished under an earlier plan: a replan may depend on them without
 * listing them again. On success, `levels` groups the steps into waves that can run in parallel.
 */
export function validatePlan(plan: Plan, completedIds: ReadonlySet<string> = new Set()): PlanValidation {
  const problems: PlanProblem[] = [];
  if (plan.steps.length === 0) return { valid: false, problems: [{ type: 'empty' }] };
  const ids = new Set<string>();
  for (const step of plan.steps) {
    if (ids.has(step.id) || completedIds.has(step.id)) problems.push({ type: 'duplicate_id', stepId: step.id });
    ids.add(step.id);
  }
  for (const step of plan.steps) {
    for (const dep of step.dependsOn) {
      if (dep === step.id) problems.push({ type: 'self_dependency', stepId: step.id });
      else if (!ids.has(dep) && !completedIds.has(dep)) problems.push({ type: 'unknown_dependency', stepId: step.id, dependency: dep });
    }
  }
  if (problems.length > 0) return { valid: false, problems };
  const cycle = findCycle(plan);
  if (cycle !== undefined) return { valid: false, problems: [{ type: 'cycle', path: cycle }] };
  return { valid: true, levels: levelsOf(plan, completedIds) };
}

export function describeProblem(problem: PlanProblem): string {
  switch (problem.type) {
    case 'duplicate_id':
      return `step id '${problem.stepId}' is used more than once (or by a completed step)`;
    case 'unknown_dependency':
      return `step '${problem.stepId}' depends on '${problem.dependency}', which is not a step of the plan`;
    case 'self_dependency':
      return `step '${problem.stepId}' depends on itself`;
    case 'cycle':
      return `the dependencies form a cycle: ${problem.path.join(' → ')}`;
    case 'empty':
      return 'the plan has no steps';
  }
}

/** Depth-first search with colours; returns the cycle's path (first id repeated at the end). */
function findCycle(plan: Plan): string[] | undefined {
  const deps = new Map(plan.steps.map((s) => [s.id, s.dependsOn.filter((d) => d !== s.id)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue; // a completed step from an earlier plan
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const step of plan.steps) {
    const found = visit(step.id);
    if (found) return found;
  }
  return undefined;
}

function levelsOf(plan: Plan, completed: ReadonlySet<string>): string[][] {
  const levels: string[][] = [];
  const placed = new Set(completed);
  let remaining = plan.steps;
  while (remaining.length > 0) {
    const ready = remaining.filter((s) => s.dependsOn.every((d) => placed.has(d)));
    levels.push(ready.map((s) => s.id));
    for (const s of ready) placed.add(s.id);
    remaining = remaining.filter((s) => !ready.includes(s));
  }
  return levels;
}
