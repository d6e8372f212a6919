/**
 * The agent loop: call the model, run the tool calls it asks for (concurrently), feed the results
 * back, until it answers without tools or a limit stops it. Durable and safe by default:
 *
 * - Only the tools passed in `tools` can ever run (the allow-list); an unknown tool, invalid JSON
 *   or arguments that fail validation come back to the model as error tool results — a tool never
 *   crashes the run, and a bad call never reaches `execute`.
 * - Limits end the run with a clear status: `max_steps`, `deadline` (active time; waiting for a
 *   human does not count), `budget_exceeded` (tokens or USD), `cancelled` (the caller's signal),
 *   `failed` (the model call failed after the model layer's own retries).
 * - Calls that need approval pause the run (`awaiting_approval`) with its state persisted;
 *   `resumeAgent` continues it with the human decisions, in this process or after a restart.
 * - Every step is an event with a per-run seq, written to the RunStore (when given) and handed to
 *   `onEvent`, so a run can be streamed while it runs and replayed afterwards.
 *
 * Models without native tool calling use the text protocol (text-protocol.ts).
 */
import { randomUUID } from 'node:crypto';
import { ConduitError, toConduitError } from '../../core/errors.js';
import { contentText, type Message, type ToolCall, type ToolMessage } from '../../core/messages.js';
import { addUsage, emptyUsage, totalTokens } from '../../core/usage.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest } from '../../models/language-model.js';
import type { ApprovalDecision, RunEvent, RunEventData, RunStatus } from '../runs/run-event.js';
import type { RunStore } from '../runs/run-store.js';
import { toolDefinition, type AgentTool } from '../tool.js';
import type { ToolReliability } from '../tools/tool-reliability.js';
import { executeTool } from './execute-tool.js';
import { RUN_STATE_VERSION, type PendingApprovalState, type RunState, type SettledToolResult } from './run-state.js';
import { parseTextToolCalls, textProtocolInstructions, textToolResultsMessage } from './text-protocol.js';

export interface RunLimits {
  /** Model calls per run (default 10). */
  maxSteps?: number;
  /** Active wall-clock time per run in ms (default 120 000). */
  deadlineMs?: number;
  /** Input + output tokens over all model calls. */
  maxTokens?: number;
  /** USD over all model calls (calls whose price is unknown count 0). */
  maxCostUsd?: number;
}

export const DEFAULT_RUN_LIMITS = { maxSteps: 10, deadlineMs: 120_000 } as const;
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

/** What `stopWhen` sees after each step whose tool calls ran. */
export interface StepInfo {
  step: number;
  text: string;
  toolCalls: readonly ToolCall[];
  toolResults: readonly SettledToolResult[];
}

export interface AgentLoopOptions {
  model: LanguageModel;
  /** The allow-list: only these tools can run. */
  tools?: readonly AgentTool[];
  /** Name recorded on the run (default `agent`). */
  agent?: string;
  limits?: RunLimits;
  /** Ends the run as `completed` when it returns true (checked after each step's tools ran). */
  stopWhen?: (step: StepInfo) => boolean;
  /** Per-attempt timeout for tools that declare none (default 30 s). */
  toolTimeoutMs?: number;
  /** `auto` (default): native tool calling when the model supports it, else the text protocol. */
  toolMode?: 'auto' | 'native' | 'text';
  /** Tool names whose calls always wait for a human, whatever the tool itself declares. */
  requireApproval?: readonly string[];
  signal?: AbortSignal;
  store?: RunStore;
  onEvent?: (event: RunEvent) => void | Promise<void>;
  /** Where executed calls are recorded (success, latency). */
  reliability?: ToolReliability;
  /** Extra model request settings (temperature, maxTokens per call…). */
  request?: Omit<ModelRequest, 'messages' | 'tools'>;
  /** Extra call options (requestId, headers…); signal and deadline are the loop's. */
  callOptions?: Omit<CallOptions, 'signal' | 'deadlineAt'>;
}

export interface RunAgentOptions extends AgentLoopOptions {
  /** The user's request (appended as the last user message). */
  input?: string;
  /** Earlier conversation (no system message needed: use `system`). */
  messages?: readonly Message[];
  system?: string;
  runId?: string;
}

export interface DecisionInput {
  decision: ApprovalDecision;
  by: string;
  reason?: string;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  /** The final answer; for a run stopped by a limit, the last text the model wrote. */
  text: string;
  messages: Message[];
  steps: number;
  usage: RunState['usage'];
  costUsd: number;
  toolsUsed: string[];
  /** Non-empty when `status` is `awaiting_approval`. */
  pendingApprovals: PendingApprovalState[];
  error?: { kind: string; message: string; code?: string };
  /** The resumable state (what the store keeps). */
  state: RunState;
}

export async function runAgent(options: RunAgentOptions): Promise<RunResult> {
  const tools = options.tools ?? [];
  assertUniqueNames(tools);
  const toolMode = resolveToolMode(options);
  const agent = options.agent ?? 'agent';
  const messages: Message[] = [];
  const systemText = [options.system, toolMode === 'text' && tools.length > 0 ? textProtocolInstructions(tools) : undefined]
    .filter((s): s is string => s !== undefined && s.trim() !== '')
    .join('\n\n');
  if (systemText !== '') messages.push({ role: 'system', content: systemText });
  messages.push(...(options.messages ?? []));
  if (options.input !== undefined) messages.push({ role: 'user', content: options.input });
  if (!messages.some((m) => m.role === 'user')) throw new ConduitError('invalid_request', 'An agent run needs an input or at least one user message', { code: 'missing_input', param: 'input' });
  const input = options.input ?? lastUserText(messages);

  const state: RunState = {
    version: RUN_STATE_VERSION,
    runId: options.runId ?? `run_${randomUUID()}`,
    agent,
    toolMode,
    messages,
    steps: 0,
    usage: emptyUsage(),
    costUsd: 0,
    elapsedMs: 0,
    toolsUsed: [],
    nextSeq: 0,
  };
  const loop = new Loop(options, state);
  await options.store?.createRun({ id: state.runId, agent, input });
  await loop.emit({ type: 'run_started', agent, input, model: `${options.model.provider}/${options.model.modelId}`, toolMode, tools: tools.map((t) => t.name), messages: structuredClone(messages) });
  return loop.drive();
}

/**
 * Continues a run paused for approval, given a decision for every pending approval: approved calls
 * execute, denied ones come back to the model as "denied" tool results, then the loop goes on.
 * `options` must describe the same agent (model and tools) the run started with.
 */
export async function resumeAgent(options: AgentLoopOptions, state: RunState, decisions: ReadonlyMap<string, DecisionInput>): Promise<RunResult> {
  const pending = state.pending;
  if (pending === undefined) throw new ConduitError('invalid_request', `Run ${state.runId} is not waiting for approval`, { code: 'run_not_paused' });
  const missing = pending.approvals.filter((a) => !decisions.has(a.approvalId)).map((a) => a.approvalId);
  if (missing.length > 0) throw new ConduitError('invalid_request', `Run ${state.runId} still waits for approvals: ${missing.join(', ')}`, { code: 'approvals_pending' });
  assertUniqueNames(options.tools ?? []);
  const loop = new Loop(options, structuredClone(state));
  return loop.resume(decisions);
}

class Loop {
  private readonly tools: Map<string, AgentTool>;
  private readonly controller = new AbortController();
  private deadlineHit = false;
  private segmentStart = performance.now();
  private lastText = '';

  constructor(
    private readonly options: AgentLoopOptions,
    private readonly state: RunState,
  ) {
    this.tools = new Map((options.tools ?? []).map((t) => [t.name, t]));
    const lastAssistant = [...state.messages].reverse().find((m) => m.role === 'assistant');
    if (lastAssistant !== undefined) this.lastText = contentText(lastAssistant.content);
  }

  async emit(data: RunEventData): Promise<void> {
    const event = { ...data, runId: this.state.runId, seq: this.state.nextSeq++, ts: new Date().toISOString() } as RunEvent;
    await this.options.store?.appendEvents([event]);
    await this.options.onEvent?.(event);
  }

  async resume(decisions: ReadonlyMap<string, DecisionInput>): Promise<RunResult> {
    const pending = this.state.pending!;
    await this.emit({ type: 'run_resumed' });
    return this.withSignals(async () => {
      type Decided = { result: Promise<SettledToolResult> | SettledToolResult; outcome: 'executed' | 'refused' | 'denied' };
      const decided = new Map<string, Decided>();
      for (const approval of pending.approvals) {
        const d = decisions.get(approval.approvalId)!;
        await this.emit({
          type: 'approval_decided',
          approvalId: approval.approvalId,
          callId: approval.callId,
          tool: approval.tool,
          decision: d.decision,
          by: d.by,
          ...(d.reason === undefined ? {} : { reason: d.reason }),
        });
        const tool = this.tools.get(approval.tool);
        if (d.decision === 'approve' && tool !== undefined) {
          decided.set(approval.callId, { result: this.runTool(tool, approval.args, approval.callId), outcome: 'executed' });
        } else if (d.decision === 'approve') {
          // The agent was redefined without this tool while the run waited: the allow-list still wins.
          decided.set(approval.callId, { result: this.refusal(approval.callId, approval.tool), outcome: 'refused' });
        } else {
          const why = d.reason === undefined || d.reason === '' ? '' : ` Reason: ${d.reason}`;
          const content = `The call to '${approval.tool}' was denied by a human reviewer (${d.by}) and was not executed.${why}`;
          decided.set(approval.callId, { result: { callId: approval.callId, tool: approval.tool, content, isError: true }, outcome: 'denied' });
        }
      }
      const newResults: SettledToolResult[] = [];
      for (const call of pending.calls) {
        const d = decided.get(call.id);
        if (d === undefined) continue;
        const result = await d.result;
        newResults.push(result);
        await this.emitResult(pending.step, result, d.outcome);
      }
      const all = [...pending.settled, ...newResults];
      this.appendResults(pending.calls, all);
      this.state.pending = undefined;
      if (this.stopRequested(pending.step, this.lastText, pending.calls, all)) return this.finish('completed', 'stop condition met');
      return this.loop();
    });
  }

  async drive(): Promise<RunResult> {
    return this.withSignals(() => this.loop());
  }

  /** Links the caller's signal and the deadline to the loop's controller for the duration of `fn`. */
  private async withSignals(fn: () => Promise<RunResult>): Promise<RunResult> {
    this.segmentStart = performance.now();
    const outer = this.options.signal;
    const onAbort = (): void => this.controller.abort(outer?.reason);
    if (outer?.aborted) this.controller.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    const remaining = this.deadlineMs() - this.state.elapsedMs;
    const timer = setTimeout(() => {
      this.deadlineHit = true;
      this.controller.abort(new ConduitError('timeout', 'The run reached its deadline', { code: 'run_deadline' }));
    }, Math.max(0, remaining));
    try {
      return await fn();
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private async loop(): Promise<RunResult> {
    const limits = this.options.limits ?? {};
    const maxSteps = limits.maxSteps ?? DEFAULT_RUN_LIMITS.maxSteps;
    for (;;) {
      if (this.options.signal?.aborted) return this.finish('cancelled', 'the run was cancelled');
      if (this.deadlineHit || this.elapsed() >= this.deadlineMs()) return this.finish('deadline', `the run reached its deadline of ${this.deadlineMs()} ms`);
      if (this.state.steps >= maxSteps) return this.finish('max_steps', `the run reached its limit of ${maxSteps} model calls`);
      if (limits.maxTokens !== undefined && totalTokens(this.state.usage) >= limits.maxTokens) return this.finish('budget_exceeded', `the run used ${totalTokens(this.state.usage)} tokens (limit ${limits.maxTokens})`);
      if (limits.maxCostUsd !== undefined && this.state.costUsd >= limits.maxCostUsd) return this.finish('budget_exceeded', `the run cost $${this.state.costUsd.toFixed(6)} (limit $${limits.maxCostUsd})`);

      const step = this.state.steps + 1;
      let result: GenerateResult;
      const t0 = performance.now();
      try {
        result = await this.options.model.generate(this.request(), {
          ...this.options.callOptions,
          signal: this.controller.signal,
          deadlineAt: Date.now() + Math.max(0, this.deadlineMs() - this.elapsed()),
        });
      } catch (err) {
        if (this.deadlineHit) return this.finish('deadline', `the run reached its deadline of ${this.deadlineMs()} ms`);
        if (this.options.signal?.aborted) return this.finish('cancelled', 'the run was cancelled');
        return this.fail(toConduitError(err));
      }
      this.state.steps = step;
      this.state.usage = addUsage(this.state.usage, result.usage);
      this.state.costUsd += result.costUsd ?? 0;
      const native = this.state.toolMode === 'native';
      const parsed = native ? { calls: result.toolCalls, prose: result.text } : parseTextToolCalls(result.text, step);
      // Calls to tools nobody offered still reach processTurn: they are refused there, visibly.
      const calls = this.tools.size === 0 && !native ? [] : parsed.calls;
      this.lastText = calls.length > 0 ? parsed.prose : result.text;
      await this.emit({
        type: 'model_call',
        step,
        text: result.text,
        toolCalls: calls,
        finishReason: result.finishReason,
        usage: result.usage,
        ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }),
        durationMs: Math.round(performance.now() - t0),
        model: result.model,
      });
      if (native) this.state.messages.push({ role: 'assistant', content: result.text === '' ? null : result.text, ...(calls.length > 0 ? { toolCalls: calls } : {}) });
      else this.state.messages.push({ role: 'assistant', content: result.text });

      if (calls.length === 0) {
        await this.emit({ type: 'final_answer', text: result.text });
        return this.finish('completed');
      }
      const turn = await this.processTurn(step, calls);
      if (turn.approvals.length > 0) return this.pause(step, calls, turn.settled, turn.approvals);
      this.appendResults(calls, turn.settled);
      if (this.stopRequested(step, this.lastText, calls, turn.settled)) return this.finish('completed', 'stop condition met');
    }
  }

  /** Settles every call of a turn except those that must wait for approval; allowed calls run concurrently. */
  private async processTurn(step: number, calls: readonly ToolCall[]): Promise<{ settled: SettledToolResult[]; approvals: PendingApprovalState[] }> {
    type Planned =
      | { kind: 'settled'; result: SettledToolResult; outcome: 'refused' | 'invalid_arguments' }
      | { kind: 'run'; promise: Promise<SettledToolResult> }
      | { kind: 'approval'; approval: PendingApprovalState };
    const plan: Planned[] = [];
    for (const call of calls) {
      await this.emit({ type: 'tool_call', step, callId: call.id, tool: call.name, arguments: call.arguments });
      const tool = this.tools.get(call.name);
      if (tool === undefined) {
        plan.push({ kind: 'settled', result: this.refusal(call.id, call.name), outcome: 'refused' });
        continue;
      }
      const args = parseArguments(tool, call.arguments);
      if (!args.ok) {
        plan.push({ kind: 'settled', result: { callId: call.id, tool: call.name, content: `Invalid arguments for ${call.name}: ${args.error}`, isError: true }, outcome: 'invalid_arguments' });
        continue;
      }
      const risk = tool.riskScore?.(args.args);
      if (this.needsApproval(tool, risk)) {
        plan.push({ kind: 'approval', approval: { approvalId: `apr_${randomUUID()}`, callId: call.id, tool: call.name, args: args.args, ...(risk === undefined ? {} : { riskScore: risk }) } });
        continue;
      }
      plan.push({ kind: 'run', promise: this.runTool(tool, args.args, call.id) });
    }
    const settled: SettledToolResult[] = [];
    const approvals: PendingApprovalState[] = [];
    for (const p of plan) {
      if (p.kind === 'approval') {
        approvals.push(p.approval);
        continue;
      }
      const result = p.kind === 'settled' ? p.result : await p.promise;
      settled.push(result);
      await this.emitResult(step, result, p.kind === 'settled' ? p.outcome : 'executed');
    }
    return { settled, approvals };
  }

  private lastExecution = new Map<string, { durationMs: number; attempts: number; data?: unknown }>();

  private async runTool(tool: AgentTool, args: Record<string, unknown>, callId: string): Promise<SettledToolResult> {
    const execution = await executeTool(tool, args, {
      runId: this.state.runId,
      callId,
      signal: this.controller.signal,
      defaultTimeoutMs: this.options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
    });
    this.options.reliability?.record(tool.name, { ok: execution.output.isError !== true, latencyMs: execution.durationMs, attempts: execution.attempts });
    if (!this.state.toolsUsed.includes(tool.name)) this.state.toolsUsed.push(tool.name);
    this.lastExecution.set(callId, {
      durationMs: Math.round(execution.durationMs),
      attempts: execution.attempts,
      ...(execution.output.data === undefined ? {} : { data: execution.output.data }),
    });
    return { callId, tool: tool.name, content: execution.output.content, isError: execution.output.isError === true };
  }

  private async emitResult(step: number, result: SettledToolResult, outcome: 'executed' | 'refused' | 'invalid_arguments' | 'denied'): Promise<void> {
    const exec = this.lastExecution.get(result.callId);
    await this.emit({
      type: 'tool_result',
      step,
      callId: result.callId,
      tool: result.tool,
      content: result.content,
      isError: result.isError,
      outcome,
      durationMs: exec?.durationMs ?? 0,
      attempts: exec?.attempts ?? 0,
      ...(exec?.data === undefined ? {} : { data: exec.data }),
    });
  }

  private refusal(callId: string, name: string): SettledToolResult {
    const available = [...this.tools.keys()];
    return {
      callId,
      tool: name,
      content: `Tool '${name}' is not available to this agent, so the call was refused. ${available.length > 0 ? `Available tools: ${available.join(', ')}.` : 'No tools are available.'}`,
      isError: true,
    };
  }

  private needsApproval(tool: AgentTool, risk: number | undefined): boolean {
    if (this.options.requireApproval?.includes(tool.name)) return true;
    const rule = tool.requiresApproval;
    if (rule === true) return true;
    // A numeric threshold without a way to score the call: the risk is unknown, so a human decides.
    if (typeof rule === 'number') return risk === undefined || risk >= rule;
    return false;
  }

  private appendResults(calls: readonly ToolCall[], results: readonly SettledToolResult[]): void {
    const byId = new Map(results.map((r) => [r.callId, r]));
    const ordered = calls.map((c) => byId.get(c.id)).filter((r): r is SettledToolResult => r !== undefined);
    if (this.state.toolMode === 'text') {
      this.state.messages.push(textToolResultsMessage(ordered));
      return;
    }
    for (const r of ordered) {
      const message: ToolMessage = { role: 'tool', toolCallId: r.callId, content: r.content };
      if (r.isError) message.isError = true;
      this.state.messages.push(message);
    }
  }

  private stopRequested(step: number, text: string, calls: readonly ToolCall[], results: readonly SettledToolResult[]): boolean {
    return this.options.stopWhen?.({ step, text, toolCalls: calls, toolResults: results }) === true;
  }

  private async pause(step: number, calls: ToolCall[], settled: SettledToolResult[], approvals: PendingApprovalState[]): Promise<RunResult> {
    this.state.pending = { step, calls, settled, approvals };
    await this.options.store?.createApprovals(
      approvals.map((a) => ({ approvalId: a.approvalId, runId: this.state.runId, callId: a.callId, tool: a.tool, args: a.args, ...(a.riskScore === undefined ? {} : { riskScore: a.riskScore }) })),
    );
    for (const a of approvals) {
      await this.emit({ type: 'approval_requested', approvalId: a.approvalId, callId: a.callId, tool: a.tool, arguments: a.args, ...(a.riskScore === undefined ? {} : { riskScore: a.riskScore }) });
    }
    await this.emit({ type: 'run_paused', pendingApprovals: approvals.map((a) => a.approvalId) });
    return this.settle('awaiting_approval', '');
  }

  private async finish(status: Exclude<RunStatus, 'running' | 'awaiting_approval' | 'failed'>, reason = ''): Promise<RunResult> {
    if (status !== 'completed') await this.emit({ type: 'run_stopped', status, reason, text: this.lastText });
    else if (reason !== '') await this.emit({ type: 'final_answer', text: this.lastText });
    return this.settle(status, this.lastText);
  }

  private async fail(error: ConduitError): Promise<RunResult> {
    const info = { kind: error.kind, message: error.message, ...(error.code === undefined ? {} : { code: error.code }) };
    await this.emit({ type: 'run_failed', error: info });
    return this.settle('failed', this.lastText, info);
  }

  private async settle(status: RunStatus, text: string, error?: RunResult['error']): Promise<RunResult> {
    this.state.elapsedMs = this.elapsed();
    await this.options.store?.updateRun(this.state.runId, { status, state: this.state, finalText: status === 'awaiting_approval' ? null : text, error: error ?? null });
    return {
      runId: this.state.runId,
      status,
      text,
      messages: this.state.messages,
      steps: this.state.steps,
      usage: this.state.usage,
      costUsd: this.state.costUsd,
      toolsUsed: this.state.toolsUsed,
      pendingApprovals: this.state.pending?.approvals ?? [],
      ...(error === undefined ? {} : { error }),
      state: this.state,
    };
  }

  private elapsed(): number {
    return this.state.elapsedMs + (performance.now() - this.segmentStart);
  }

  private deadlineMs(): number {
    return this.options.limits?.deadlineMs ?? DEFAULT_RUN_LIMITS.deadlineMs;
  }

  private request(): ModelRequest {
    // A copy: middleware (caches, loggers) may keep the request, and the loop goes on appending.
    const request: ModelRequest = { ...this.options.request, messages: [...this.state.messages] };
    if (this.state.toolMode === 'native' && this.tools.size > 0) request.tools = [...this.tools.values()].map(toolDefinition);
    return request;
  }
}

function parseArguments(tool: AgentTool, raw: string): { ok: true; args: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = raw.trim() === '' ? {} : (JSON.parse(raw) as unknown);
  } catch (err) {
    return { ok: false, error: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'expected a JSON object' };
  if (tool.validate === undefined) return { ok: true, args: value as Record<string, unknown> };
  return tool.validate(value);
}

function resolveToolMode(options: AgentLoopOptions): 'native' | 'text' {
  const mode = options.toolMode ?? 'auto';
  if (mode !== 'auto') return mode;
  return options.model.capabilities.tools ? 'native' : 'text';
}

function assertUniqueNames(tools: readonly AgentTool[]): void {
  const seen = new Set<string>();
  for (const t of tools) {
    if (seen.has(t.name)) throw new ConduitError('invalid_request', `Two tools are named '${t.name}'`, { code: 'duplicate_tool' });
    seen.add(t.name);
  }
}

function lastUserText(messages: readonly Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'user') return contentText(m.content);
  }
  return '';
}
