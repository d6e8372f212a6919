/**
 * The durable side of agents: named agent definitions, runs persisted in a RunStore, and human
 * approvals that resume paused runs — in the same process or in a new one after a restart, since
 * everything needed (the state, the pending calls) is read back from the store. Every decision is
 * written to the audit log before it takes effect.
 */
import type { AuditLog } from '../../audit/index.js';
import { ConduitError } from '../../core/errors.js';
import type { Message } from '../../core/messages.js';
import { resumeAgent, runAgent, type AgentLoopOptions, type DecisionInput, type RunResult } from '../loop/run-agent.js';
import { auditApprovalDecision, approvalOutcome } from '../approvals/approval-audit.js';
import { ToolReliability } from '../tools/tool-reliability.js';
import type { AgentDefinition } from './agent-definition.js';
import { replayRun, type RunReplay } from './replay.js';
import type { ApprovalDecision, RunEvent } from './run-event.js';
import type { ApprovalRecord, ListRunsQuery, RunRecord, RunStore } from './run-store.js';

export interface AgentRuntimeOptions {
  store: RunStore;
  /** Where approval decisions are recorded (required: a decision nobody can audit is not allowed). */
  audit: AuditLog;
  agents?: Iterable<AgentDefinition>;
  /** Shared by every run (default: a new tracker). */
  reliability?: ToolReliability;
  /** Sees every event of every run, before the run's own `onEvent` (tracing: src/observability/tracing/agent-run-tracing.ts). */
  observeEvent?: (event: RunEvent) => void;
}

export interface StartRunOptions {
  input?: string;
  messages?: readonly Message[];
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void | Promise<void>;
  runId?: string;
  /** Override the agent's tool list for this run (must be a subset of the agent's allow-list). */
  toolNames?: readonly string[];
}

export interface DecideApprovalInput {
  decision: ApprovalDecision;
  /** Who decided (a user id, key id or `admin`); recorded as the audit actor. */
  by: string;
  reason?: string;
}

export interface ApprovalOutcome {
  approval: ApprovalRecord;
  /** The run after the decision: resumed and finished, or still waiting for other approvals. */
  run: RunRecord;
  /** Present when this decision resumed the run. */
  result?: RunResult;
}

export interface AgentRuntime {
  readonly store: RunStore;
  readonly reliability: ToolReliability;
  register(agent: AgentDefinition): void;
  getAgent(name: string): AgentDefinition;
  listAgents(): AgentDefinition[];
  startRun(agent: string, options: StartRunOptions): Promise<RunResult>;
  decideApproval(runId: string, approvalId: string, decision: DecideApprovalInput, options?: { onEvent?: StartRunOptions['onEvent']; signal?: AbortSignal }): Promise<ApprovalOutcome>;
  getRun(runId: string): Promise<RunRecord>;
  listRuns(query?: ListRunsQuery): Promise<RunRecord[]>;
  listEvents(runId: string, afterSeq?: number): Promise<RunEvent[]>;
  listApprovals(runId: string): Promise<ApprovalRecord[]>;
  replay(runId: string): Promise<RunReplay>;
}

export function createAgentRuntime(options: AgentRuntimeOptions): AgentRuntime {
  const { store, audit } = options;
  const reliability = options.reliability ?? new ToolReliability();
  const agents = new Map<string, AgentDefinition>();
  for (const a of options.agents ?? []) agents.set(a.name, a);

  const getAgent = (name: string): AgentDefinition => {
    const agent = agents.get(name);
    if (agent === undefined) throw new ConduitError('not_found', `No agent named '${name}'`, { code: 'agent_not_found' });
    return agent;
  };

  const loopOptions = (agent: AgentDefinition, extra: { signal?: AbortSignal | undefined; onEvent?: StartRunOptions['onEvent'] | undefined; tools?: AgentDefinition['tools'] }): AgentLoopOptions => ({
    model: agent.model,
    tools: extra.tools ?? agent.tools,
    agent: agent.name,
    store,
    reliability,
    ...(agent.limits === undefined ? {} : { limits: agent.limits }),
    ...(agent.toolTimeoutMs === undefined ? {} : { toolTimeoutMs: agent.toolTimeoutMs }),
    ...(agent.toolMode === undefined ? {} : { toolMode: agent.toolMode }),
    ...(agent.requireApproval === undefined ? {} : { requireApproval: agent.requireApproval }),
    ...(agent.request === undefined ? {} : { request: agent.request }),
    ...(extra.signal === undefined ? {} : { signal: extra.signal }),
    ...withObserver(extra.onEvent, options.observeEvent),
  });

  const getRun = async (runId: string): Promise<RunRecord> => {
    const run = await store.getRun(runId);
    if (run === undefined) throw new ConduitError('not_found', `No run '${runId}'`, { code: 'run_not_found' });
    return run;
  };

  /** Resumes the run when none of its pending approvals is left undecided and nobody else has claimed it. */
  const resumeIfReady = async (runId: string, extra: { onEvent?: StartRunOptions['onEvent']; signal?: AbortSignal }): Promise<RunResult | undefined> => {
    const state = await store.loadState(runId);
    const pending = state?.pending;
    if (state === undefined || pending === undefined) return undefined;
    const approvals = new Map((await store.listApprovals(runId)).map((a) => [a.approvalId, a]));
    const decisions = new Map<string, DecisionInput>();
    for (const p of pending.approvals) {
      const a = approvals.get(p.approvalId);
      if (a === undefined || a.status === 'pending') return undefined;
      decisions.set(p.approvalId, { decision: a.status === 'approved' ? 'approve' : 'deny', by: a.decidedBy ?? 'unknown', ...(a.reason === null ? {} : { reason: a.reason }) });
    }
    if (!(await store.claimForResume(runId))) return undefined;
    const agent = agents.get(state.agent);
    if (agent === undefined) {
      // The agent was removed from the configuration while its run waited: nothing may run for it.
      await store.updateRun(runId, { status: 'failed', state, finalText: null, error: { kind: 'not_found', message: `Agent '${state.agent}' is no longer defined`, code: 'agent_not_found' } });
      return undefined;
    }
    return resumeAgent(loopOptions(agent, extra), state, decisions);
  };

  return {
    store,
    reliability,
    register(agent) {
      agents.set(agent.name, agent);
    },
    getAgent,
    listAgents: () => [...agents.values()],

    async startRun(name, runOptions) {
      const agent = getAgent(name);
      let tools = agent.tools;
      if (runOptions.toolNames !== undefined) {
        const wanted = new Set(runOptions.toolNames);
        const unknown = [...wanted].filter((n) => !agent.tools.some((t) => t.name === n));
        if (unknown.length > 0) throw new ConduitError('permission', `Agent '${name}' is not allowed to use: ${unknown.join(', ')}`, { code: 'tool_not_allowed' });
        tools = agent.tools.filter((t) => wanted.has(t.name));
      }
      return runAgent({
        ...loopOptions(agent, { signal: runOptions.signal, onEvent: runOptions.onEvent, tools }),
        ...(agent.system === undefined ? {} : { system: agent.system }),
        ...(runOptions.input === undefined ? {} : { input: runOptions.input }),
        ...(runOptions.messages === undefined ? {} : { messages: runOptions.messages }),
        ...(runOptions.runId === undefined ? {} : { runId: runOptions.runId }),
      });
    },

    async decideApproval(runId, approvalId, input, extra = {}) {
      if (input.decision !== 'approve' && input.decision !== 'deny') throw new ConduitError('invalid_request', "decision must be 'approve' or 'deny'", { code: 'invalid_decision', param: 'decision' });
      if (typeof input.by !== 'string' || input.by === '') throw new ConduitError('invalid_request', 'A decision needs the name of who made it', { code: 'missing_decider' });
      const run = await getRun(runId);
      const approval = await store.getApproval(runId, approvalId);
      if (approval === undefined) throw new ConduitError('not_found', `Run '${runId}' has no approval '${approvalId}'`, { code: 'approval_not_found' });
      const wanted = approvalOutcome(input.decision);
      if (approval.status !== 'pending' && approval.status !== wanted) throw conflict(approvalId, approval.status);

      const entry = await auditApprovalDecision(audit, {
        runId,
        approvalId,
        agent: run.agent,
        tool: approval.tool,
        callId: approval.callId,
        decision: input.decision,
        by: input.by,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
      });
      if (entry.outcome !== wanted) throw conflict(approvalId, entry.outcome);
      const stored = await store.decideApproval(runId, approvalId, input);
      if (stored.status !== wanted) throw conflict(approvalId, stored.status);

      // Also reached on a retried decision: finishes a resume a crash interrupted before the claim.
      const result = await resumeIfReady(runId, extra);
      return { approval: stored, run: await getRun(runId), ...(result === undefined ? {} : { result }) };
    },

    getRun,
    listRuns: (query) => store.listRuns(query),
    async listEvents(runId, afterSeq) {
      await getRun(runId);
      return store.listEvents(runId, afterSeq === undefined ? {} : { afterSeq });
    },
    async listApprovals(runId) {
      await getRun(runId);
      return store.listApprovals(runId);
    },
    async replay(runId) {
      await getRun(runId);
      return replayRun(await store.listEvents(runId));
    },
  };
}

function conflict(approvalId: string, status: string): ConduitError {
  return new ConduitError('invalid_request', `Approval '${approvalId}' was already decided: ${status}`, { code: 'approval_already_decided', status: 409 });
}

/** The runtime-wide observer chained in front of a run's own handler (as loop options). */
function withObserver(onEvent: StartRunOptions['onEvent'], observe: ((event: RunEvent) => void) | undefined): Pick<AgentLoopOptions, 'onEvent'> {
  if (observe === undefined) return onEvent === undefined ? {} : { onEvent };
  return {
    onEvent: (event) => {
      observe(event);
      return onEvent?.(event);
    },
  };
}
