/**
 * The coordinator: breaks a goal into subtasks (a model plans them, or the caller gives them),
 * assigns each to the agent that fits best (see assignment.ts for the score), sends task requests
 * and collects the responses, and runs consensus rounds (see consensus.ts for the rule).
 *
 * Directory: agents given up front plus every agent that sent a status update. An agent's active
 * tasks are the larger of what it last reported and what this coordinator has outstanding with it
 * (a report can lag behind assignments just sent).
 *
 * Execution: subtasks run in dependency order; all subtasks whose dependencies completed run at
 * once. A subtask gets `{ goal, dependencies: { <id>: result } }` merged with its own input. A
 * declined task goes to the next best agent that has not declined it; a failed or timed-out one
 * stays failed, and the subtasks depending on it are skipped. The workflow is `completed` when
 * every subtask completed, `failed` when more than half failed or were skipped, else `partial`.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';
import type { LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { DEFAULT_LOAD_WEIGHT, rankAgents, type AgentProfile, type AgentScore } from './assignment.js';
import { decideConsensus, type CastVote, type ConsensusDecision, type TieBreaker } from './consensus.js';
import { assertAgentName, createMessage, type AgentMessage, type MessageOf } from './messages.js';
import type { AgentSubscription, AgentTransport } from './transport.js';

export interface Subtask {
  id: string;
  description: string;
  requiredCapabilities: string[];
  /** Ids of subtasks whose results this one needs. */
  dependsOn?: string[];
  input?: Record<string, unknown>;
}

export interface KnownAgent {
  name: string;
  capabilities: readonly string[];
  capacity?: number;
}

export interface CoordinatorOptions {
  transport: AgentTransport;
  /** Its mailbox name (default `coordinator`); workers send status updates here. */
  name?: string;
  agents?: readonly KnownAgent[];
  /** Plans subtasks in `plan()` / `run({ goal })` when no subtasks are given. */
  model?: LanguageModel;
  loadWeight?: number;
  /** How long one subtask may take before it counts as failed (default 60 s). */
  taskTimeoutMs?: number;
  /** How long a consensus round waits for votes (default 30 s). */
  consensusTimeoutMs?: number;
  /** Messages the coordinator receives that it does not consume (information shares, help requests). */
  onMessage?: (message: AgentMessage) => void;
}

export interface TaskAttempt {
  agent: string;
  status: 'completed' | 'failed' | 'declined' | 'timeout';
  error?: string;
}

export interface SubtaskOutcome extends Subtask {
  status: 'completed' | 'failed' | 'skipped';
  /** The agent that completed it (or last tried it). */
  agent?: string;
  /** Its score when it was chosen. */
  score?: AgentScore;
  attempts: TaskAttempt[];
  result?: unknown;
  error?: string;
}

export interface WorkflowResult {
  goal: string;
  conversationId: string;
  status: 'completed' | 'partial' | 'failed';
  subtasks: SubtaskOutcome[];
}

export interface ConsensusRequest {
  topic: string;
  options: string[];
  /** Default: every agent in the directory that is not offline. */
  participants?: string[];
  timeoutMs?: number;
  /** The coordinator's choice among options tied on votes and confidence (default: the first listed). */
  tieBreaker?: TieBreaker;
}

export interface ConsensusResult extends ConsensusDecision {
  proposalId: string;
  topic: string;
  options: string[];
  participants: string[];
}

export interface Coordinator {
  readonly name: string;
  /** A snapshot of the directory with current loads. */
  directory(): AgentProfile[];
  /** Resolves when every named agent has announced itself (a status update) and is not offline. */
  waitForAgents(names: readonly string[], timeoutMs?: number): Promise<void>;
  plan(goal: string, signal?: AbortSignal): Promise<Subtask[]>;
  run(input: { goal: string; subtasks?: Subtask[]; signal?: AbortSignal }): Promise<WorkflowResult>;
  consensus(request: ConsensusRequest): Promise<ConsensusResult>;
  close(): Promise<void>;
}

interface DirectoryEntry {
  name: string;
  capabilities: string[];
  capacity: number;
  status: AgentProfile['status'];
  reportedActive: number;
  outstanding: number;
}

const planSchema = z.object({
  subtasks: z
    .array(
      z.object({
        id: z.string().min(1),
        description: z.string().min(1),
        requiredCapabilities: z.array(z.string()),
        dependsOn: z.array(z.string()).default([]),
      }),
    )
    .min(1),
});

export async function createCoordinator(options: CoordinatorOptions): Promise<Coordinator> {
  const name = options.name ?? 'coordinator';
  assertAgentName(name);
  const transport = options.transport;
  const loadWeight = options.loadWeight ?? DEFAULT_LOAD_WEIGHT;
  const entries = new Map<string, DirectoryEntry>();
  for (const agent of options.agents ?? []) {
    assertAgentName(agent.name);
    entries.set(agent.name, { name: agent.name, capabilities: [...agent.capabilities], capacity: agent.capacity ?? 1, status: 'available', reportedActive: 0, outstanding: 0 });
  }
  const pendingReplies = new Map<string, (message: MessageOf<'task_response'>) => void>();
  const voteCollectors = new Map<string, (vote: CastVote) => void>();
  const directoryWatchers = new Set<() => void>();

  const profile = (e: DirectoryEntry): AgentProfile => ({
    name: e.name,
    capabilities: e.capabilities,
    capacity: e.capacity,
    status: e.status,
    activeTasks: Math.max(e.reportedActive, e.outstanding),
  });
  const directory = (): AgentProfile[] => [...entries.values()].map(profile).sort((a, b) => (a.name < b.name ? -1 : 1));

  const onStatus = (message: MessageOf<'status_update'>): void => {
    const p = message.payload;
    const existing = entries.get(message.sender);
    entries.set(message.sender, {
      name: message.sender,
      capabilities: [...p.capabilities],
      capacity: p.capacity,
      status: p.status,
      reportedActive: p.activeTasks,
      outstanding: existing?.outstanding ?? 0,
    });
    for (const watcher of directoryWatchers) watcher();
  };

  const subscription: AgentSubscription = await transport.subscribe(name, (message) => {
    switch (message.type) {
      case 'status_update':
        onStatus(message);
        return;
      case 'task_response':
        if (message.correlationId !== undefined) pendingReplies.get(message.correlationId)?.(message);
        return;
      case 'consensus_vote': {
        const { proposalId, ...vote } = message.payload;
        voteCollectors.get(proposalId)?.({ agent: message.sender, ...vote });
        return;
      }
      default:
        options.onMessage?.(message);
    }
  });

  const waitForAgents = (names: readonly string[], timeoutMs = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const ready = (): boolean => names.every((n) => {
        const e = entries.get(n);
        return e !== undefined && e.status !== 'offline';
      });
      if (ready()) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        directoryWatchers.delete(check);
        const missing = names.filter((n) => entries.get(n) === undefined || entries.get(n)?.status === 'offline');
        reject(new ConduitError('timeout', `Agents did not announce themselves within ${timeoutMs} ms: ${missing.join(', ')}`, { code: 'agents_not_ready' }));
      }, timeoutMs);
      const check = (): void => {
        if (!ready()) return;
        clearTimeout(timer);
        directoryWatchers.delete(check);
        resolve();
      };
      directoryWatchers.add(check);
    });

  const plan = async (goal: string, signal?: AbortSignal): Promise<Subtask[]> => {
    if (options.model === undefined) throw new ConduitError('invalid_request', 'Planning a goal needs a model; pass `model` to the coordinator or give the subtasks', { code: 'no_planner_model' });
    const agentLines = directory().map((a) => `- ${a.name}: ${a.capabilities.join(', ')}`);
    const { object } = await generateObject({
      model: options.model,
      schema: planSchema,
      schemaName: 'workflow_plan',
      system:
        'You are a coordinator of specialised agents. Break the goal into a few concrete subtasks. ' +
        'For each subtask give a short id, a description an agent can act on, the capabilities it needs (use the agents\' capability names), ' +
        'and the ids of subtasks whose results it needs (dependsOn).',
      prompt: `Goal: ${goal}\n\nAgents and their capabilities:\n${agentLines.join('\n') || '- (none announced yet)'}`,
      ...(signal === undefined ? {} : { signal }),
    });
    const subtasks = object.subtasks.map((s) => ({ id: s.id, description: s.description, requiredCapabilities: s.requiredCapabilities, dependsOn: s.dependsOn }));
    validateSubtasks(subtasks);
    return subtasks;
  };

  /** Picks the best agent not in `exclude` and counts the task against it at once (before any await). */
  const reserveAgent = (task: Subtask, exclude: ReadonlySet<string>): AgentScore | undefined => {
    const candidates = rankAgents(
      directory().filter((a) => !exclude.has(a.name)),
      { id: task.id, requiredCapabilities: task.requiredCapabilities },
      loadWeight,
    );
    const best = candidates[0];
    if (best !== undefined) {
      const entry = entries.get(best.agent);
      if (entry !== undefined) entry.outstanding++;
    }
    return best;
  };

  const release = (agent: string): void => {
    const entry = entries.get(agent);
    if (entry !== undefined && entry.outstanding > 0) entry.outstanding--;
  };

  const dispatch = async (task: Subtask, agent: string, input: Record<string, unknown>, conversationId: string): Promise<TaskAttempt & { result?: unknown }> => {
    const request = createMessage('task_request', {
      sender: name,
      recipient: agent,
      conversationId,
      payload: { taskId: task.id, description: task.description, requiredCapabilities: task.requiredCapabilities, input },
    });
    const timeoutMs = options.taskTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<MessageOf<'task_response'> | undefined>((resolve) => {
      pendingReplies.set(request.id, resolve);
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      await transport.send(request);
      const response = await reply;
      if (response === undefined) return { agent, status: 'timeout', error: `no response within ${timeoutMs} ms` };
      const { status, result, error } = response.payload;
      return { agent, status, ...(error === undefined ? {} : { error }), ...(status === 'completed' ? { result } : {}) };
    } finally {
      clearTimeout(timer);
      pendingReplies.delete(request.id);
      release(agent);
    }
  };

  const runSubtask = async (task: Subtask, first: AgentScore | undefined, input: Record<string, unknown>, conversationId: string): Promise<SubtaskOutcome> => {
    const attempts: TaskAttempt[] = [];
    const tried = new Set<string>();
    let choice = first;
    while (choice !== undefined) {
      tried.add(choice.agent);
      const { result, ...attempt } = await dispatch(task, choice.agent, input, conversationId);
      attempts.push(attempt);
      if (attempt.status === 'completed') return { ...task, status: 'completed', agent: choice.agent, score: choice, attempts, result };
      if (attempt.status !== 'declined') return { ...task, status: 'failed', agent: choice.agent, score: choice, attempts, error: attempt.error ?? attempt.status };
      choice = reserveAgent(task, tried);
    }
    const error = attempts.length === 0 ? `no agent has any of the capabilities ${task.requiredCapabilities.join(', ')}` : 'every capable agent declined';
    return { ...task, status: 'failed', attempts, error };
  };

  const run = async (input: { goal: string; subtasks?: Subtask[]; signal?: AbortSignal }): Promise<WorkflowResult> => {
    const subtasks = input.subtasks ?? (await plan(input.goal, input.signal));
    validateSubtasks(subtasks);
    const conversationId = randomUUID();
    const outcomes = new Map<string, SubtaskOutcome>();
    let remaining = [...subtasks];
    while (remaining.length > 0) {
      if (input.signal?.aborted === true) throw new ConduitError('cancelled', 'The workflow was cancelled', { cause: input.signal.reason });
      const blocked = remaining.filter((t) => (t.dependsOn ?? []).some((d) => outcomes.has(d) && outcomes.get(d)?.status !== 'completed'));
      for (const t of blocked) {
        const failedDeps = (t.dependsOn ?? []).filter((d) => outcomes.get(d)?.status !== 'completed');
        outcomes.set(t.id, { ...t, status: 'skipped', attempts: [], error: `dependency not completed: ${failedDeps.join(', ')}` });
      }
      const ready = remaining.filter((t) => !outcomes.has(t.id) && (t.dependsOn ?? []).every((d) => outcomes.get(d)?.status === 'completed'));
      remaining = remaining.filter((t) => !outcomes.has(t.id) && !ready.includes(t));
      // Reserve for the whole wave first, synchronously, so each choice sees the load of the ones before it.
      const wave = ready.map((t) => ({ task: t, first: reserveAgent(t, new Set()) }));
      const results = await Promise.all(
        wave.map(({ task, first }) => {
          const dependencies = Object.fromEntries((task.dependsOn ?? []).map((d) => [d, outcomes.get(d)?.result]));
          return runSubtask(task, first, { goal: input.goal, dependencies, ...task.input }, conversationId);
        }),
      );
      for (const outcome of results) outcomes.set(outcome.id, outcome);
      if (ready.length === 0 && blocked.length === 0) break; // unreachable after validation; guards against a loop
    }
    const ordered = subtasks.map((t) => outcomes.get(t.id) as SubtaskOutcome);
    const notDone = ordered.filter((o) => o.status !== 'completed').length;
    const status = notDone === 0 ? 'completed' : notDone > ordered.length / 2 ? 'failed' : 'partial';
    return { goal: input.goal, conversationId, status, subtasks: ordered };
  };

  const consensus = async (request: ConsensusRequest): Promise<ConsensusResult> => {
    const participants = request.participants ?? directory().filter((a) => a.status !== 'offline').map((a) => a.name);
    if (participants.length === 0) throw new ConduitError('invalid_request', 'A consensus round needs at least one participant', { code: 'no_participants' });
    const proposalId = randomUUID();
    const timeoutMs = request.timeoutMs ?? options.consensusTimeoutMs ?? 30_000;
    const deadline = new Date(Date.now() + timeoutMs).toISOString();
    const cast: CastVote[] = [];
    const conversationId = randomUUID();
    const allIn = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      voteCollectors.set(proposalId, (vote) => {
        cast.push(vote);
        const voters = new Set(cast.map((v) => v.agent));
        if (participants.every((p) => voters.has(p))) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      for (const participant of participants) {
        await transport.send(
          createMessage('consensus_proposal', {
            sender: name,
            recipient: participant,
            conversationId,
            payload: { proposalId, topic: request.topic, options: request.options, deadline },
          }),
        );
      }
      await allIn;
    } finally {
      voteCollectors.delete(proposalId);
    }
    const decision = decideConsensus(request.options, participants, cast, request.tieBreaker);
    return { proposalId, topic: request.topic, options: request.options, participants, ...decision };
  };

  return {
    name,
    directory,
    waitForAgents,
    plan,
    run,
    consensus,
    async close() {
      await subscription.close();
    },
  };
}

/** Unique ids, known dependencies, no cycles: a plan the scheduler can finish. */
export function validateSubtasks(subtasks: readonly Subtask[]): void {
  const fail = (message: string): never => {
    throw new ConduitError('invalid_request', `Invalid plan: ${message}`, { code: 'invalid_plan' });
  };
  if (subtasks.length === 0) fail('no subtasks');
  const ids = new Set<string>();
  for (const t of subtasks) {
    if (ids.has(t.id)) fail(`subtask id '${t.id}' appears twice`);
    ids.add(t.id);
  }
  for (const t of subtasks) for (const d of t.dependsOn ?? []) if (!ids.has(d)) fail(`subtask '${t.id}' depends on unknown subtask '${d}'`);
  const byId = new Map(subtasks.map((t) => [t.id, t]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') fail(`dependency cycle: ${[...path, id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const d of byId.get(id)?.dependsOn ?? []) visit(d, [...path, id]);
    state.set(id, 'done');
  };
  for (const t of subtasks) visit(t.id, []);
}
