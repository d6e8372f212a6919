/**
 * A decomposition plan: sub-questions with dependencies, a DAG. `orderSubQuestions` is Kahn's
 * algorithm, stable in plan order among questions that are ready together, so the execution order is
 * deterministic. A plan with a duplicate id or a cycle cannot be executed and is rejected; a
 * dependency on an id the plan does not have is dropped (a model slip that changes nothing runnable).
 */
import { ConduitError } from '../../core/errors.js';

export interface SubQuestion {
  id: string;
  /** May refer to a dependency's answer as `{id}`; it is substituted before the sub-question runs. */
  question: string;
  dependsOn: string[];
}

export interface QueryPlan {
  subQuestions: SubQuestion[];
}

export const MAX_SUB_QUESTIONS = 6;

/** Cleans a plan (unknown and self dependencies dropped) and returns it in execution order. */
export function orderSubQuestions(plan: QueryPlan): SubQuestion[] {
  const ids = new Set<string>();
  for (const sq of plan.subQuestions) {
    if (ids.has(sq.id)) throw new ConduitError('provider_error', `Decomposition plan repeats the sub-question id '${sq.id}'`, { code: 'invalid_decomposition' });
    ids.add(sq.id);
  }
  const cleaned = plan.subQuestions.map((sq) => ({ ...sq, dependsOn: [...new Set(sq.dependsOn.filter((d) => d !== sq.id && ids.has(d)))] }));
  const remaining = new Map(cleaned.map((sq) => [sq.id, new Set(sq.dependsOn)]));
  const order: SubQuestion[] = [];
  while (order.length < cleaned.length) {
    const ready = cleaned.filter((sq) => remaining.get(sq.id)?.size === 0 && !order.includes(sq));
    if (ready.length === 0) {
      const stuck = cleaned.filter((sq) => !order.includes(sq)).map((sq) => sq.id);
      throw new ConduitError('provider_error', `Decomposition plan has a dependency cycle among: ${stuck.join(', ')}`, { code: 'invalid_decomposition' });
    }
    for (const sq of ready) {
      order.push(sq);
      for (const deps of remaining.values()) deps.delete(sq.id);
    }
  }
  return order;
}

/** Replaces `{id}` references with the answers found so far (unknown references are left as written). */
export function substituteFindings(question: string, findings: ReadonlyMap<string, string>): string {
  return question.replace(/\{([\w-]+)\}/g, (match, id: string) => findings.get(id) ?? match);
}
