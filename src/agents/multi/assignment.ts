/**
 * Which agent gets a subtask. For agent `a` and task `t`:
 *
 *   fit(a, t)   = |required(t) ∩ capabilities(a)| / |required(t)|    (1 when t requires nothing)
 *   load(a)     = activeTasks(a) / capacity(a)                        (0 idle, 1 full, >1 queued)
 *   score(a, t) = fit(a, t) − loadWeight × load(a)                    (loadWeight default 0.5)
 *
 * An agent is eligible when it is not offline and covers at least one required capability (any
 * agent, when nothing is required). The highest score wins; ties go to the higher fit, then the
 * lower load, then the name in alphabetical order, so the choice is deterministic. Within one
 * batch each assignment adds 1 to the chosen agent's active tasks before the next subtask is
 * scored, so a batch spreads over equally able agents instead of piling onto the first.
 *
 * With the default weight, an idle agent covering half the requirements (0.5) ties with a fully
 * loaded one covering all of them (1 − 0.5) and the tie goes to the better fit: capability
 * matters more than load unless the better agent is overloaded (load > 1).
 */
export const DEFAULT_LOAD_WEIGHT = 0.5;

export interface AgentProfile {
  name: string;
  capabilities: readonly string[];
  /** Tasks it works on at once (≥ 1). */
  capacity: number;
  activeTasks: number;
  status: 'available' | 'busy' | 'offline';
}

export interface TaskNeeds {
  id: string;
  requiredCapabilities: readonly string[];
}

export interface AgentScore {
  agent: string;
  fit: number;
  load: number;
  score: number;
}

export interface Assignment {
  taskId: string;
  /** Undefined when no agent is eligible. */
  agent: string | undefined;
  /** Every eligible agent's score at the time of this assignment, best first. */
  candidates: AgentScore[];
}

export function scoreAgent(agent: AgentProfile, task: TaskNeeds, loadWeight = DEFAULT_LOAD_WEIGHT): AgentScore {
  const required = new Set(task.requiredCapabilities);
  const have = new Set(agent.capabilities);
  const matched = [...required].filter((c) => have.has(c)).length;
  const fit = required.size === 0 ? 1 : matched / required.size;
  const load = agent.activeTasks / Math.max(1, agent.capacity);
  return { agent: agent.name, fit, load, score: fit - loadWeight * load };
}

/** Ranks the eligible agents for one task, best first. */
export function rankAgents(agents: readonly AgentProfile[], task: TaskNeeds, loadWeight = DEFAULT_LOAD_WEIGHT): AgentScore[] {
  return agents
    .filter((a) => a.status !== 'offline')
    .map((a) => scoreAgent(a, task, loadWeight))
    .filter((s) => s.fit > 0)
    .sort((x, y) => y.score - x.score || y.fit - x.fit || x.load - y.load || (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : 0));
}

/** Assigns each task in order, counting earlier assignments of the batch as load. Does not modify `agents`. */
export function assignTasks(agents: readonly AgentProfile[], tasks: readonly TaskNeeds[], loadWeight = DEFAULT_LOAD_WEIGHT): Assignment[] {
  const working = agents.map((a) => ({ ...a }));
  return tasks.map((task) => {
    const candidates = rankAgents(working, task, loadWeight);
    const best = candidates[0];
    if (best !== undefined) {
      const chosen = working.find((a) => a.name === best.agent);
      if (chosen !== undefined) chosen.activeTasks += 1;
    }
    return { taskId: task.id, agent: best?.agent, candidates };
  });
}
