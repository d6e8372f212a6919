/**
 * Rebuilds a run from its events, for debugging: the exact conversation the model saw (the same
 * messages the loop held), and a readable transcript of every step, tool call and decision.
 */
import type { Message, ToolCall, ToolMessage } from '../../core/messages.js';
import type { SettledToolResult } from '../loop/run-state.js';
import { textToolResultsMessage } from '../loop/text-protocol.js';
import type { RunEvent, RunStatus } from './run-event.js';

export interface RunReplay {
  messages: Message[];
  /** One line per event. */
  transcript: string;
  /** The last status the events show (`running` when the run has not ended or paused). */
  status: RunStatus;
  finalText: string | null;
  toolsUsed: string[];
}

export function replayRun(events: readonly RunEvent[]): RunReplay {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const messages: Message[] = [];
  const lines: string[] = [];
  const toolsUsed: string[] = [];
  let toolMode: 'native' | 'text' = 'native';
  let status: RunStatus = 'running';
  let finalText: string | null = null;
  let turnCalls: ToolCall[] = [];
  let turnResults: SettledToolResult[] = [];

  const flushResults = (): void => {
    if (turnResults.length === 0) return;
    const byId = new Map(turnResults.map((r) => [r.callId, r]));
    const inOrder = turnCalls.map((c) => byId.get(c.id)).filter((r): r is SettledToolResult => r !== undefined);
    if (toolMode === 'text') messages.push(textToolResultsMessage(inOrder));
    else {
      for (const r of inOrder) {
        const m: ToolMessage = { role: 'tool', toolCallId: r.callId, content: r.content };
        if (r.isError) m.isError = true;
        messages.push(m);
      }
    }
    turnResults = [];
  };

  for (const e of ordered) {
    const at = `[${e.seq}] ${e.ts}`;
    switch (e.type) {
      case 'run_started':
        toolMode = e.toolMode;
        messages.push(...e.messages);
        lines.push(`${at} run_started agent=${e.agent} model=${e.model} tools=[${e.tools.join(', ')}] (${e.toolMode}) input=${JSON.stringify(e.input)}`);
        break;
      case 'model_call':
        flushResults();
        turnCalls = e.toolCalls;
        if (toolMode === 'native') messages.push({ role: 'assistant', content: e.text === '' ? null : e.text, ...(e.toolCalls.length > 0 ? { toolCalls: e.toolCalls } : {}) });
        else messages.push({ role: 'assistant', content: e.text });
        lines.push(`${at} model_call step=${e.step} ${e.durationMs}ms tokens=${e.usage.inputTokens}+${e.usage.outputTokens}${e.text === '' ? '' : ` text=${JSON.stringify(e.text)}`}${e.toolCalls.length > 0 ? ` calls=${e.toolCalls.map((c) => c.name).join(', ')}` : ''}`);
        break;
      case 'tool_call':
        lines.push(`${at} tool_call ${e.tool}(${e.arguments}) id=${e.callId}`);
        break;
      case 'tool_result':
        turnResults.push({ callId: e.callId, tool: e.tool, content: e.content, isError: e.isError });
        if (e.outcome === 'executed' && !toolsUsed.includes(e.tool)) toolsUsed.push(e.tool);
        lines.push(`${at} tool_result ${e.tool} id=${e.callId} ${e.outcome}${e.isError ? ' ERROR' : ''} ${e.durationMs}ms: ${JSON.stringify(e.content)}`);
        break;
      case 'approval_requested':
        lines.push(`${at} approval_requested ${e.approvalId} ${e.tool}(${JSON.stringify(e.arguments)})`);
        break;
      case 'approval_decided':
        lines.push(`${at} approval_decided ${e.approvalId} ${e.decision} by ${e.by}${e.reason === undefined ? '' : `: ${e.reason}`}`);
        break;
      case 'run_paused':
        status = 'awaiting_approval';
        lines.push(`${at} run_paused waiting for ${e.pendingApprovals.join(', ')}`);
        break;
      case 'run_resumed':
        status = 'running';
        lines.push(`${at} run_resumed`);
        break;
      case 'final_answer':
        flushResults();
        status = 'completed';
        finalText = e.text;
        lines.push(`${at} final_answer ${JSON.stringify(e.text)}`);
        break;
      case 'run_stopped':
        flushResults();
        status = e.status;
        finalText = e.text;
        lines.push(`${at} run_stopped ${e.status}: ${e.reason}`);
        break;
      case 'run_failed':
        flushResults();
        status = 'failed';
        lines.push(`${at} run_failed ${e.error.kind}: ${e.error.message}`);
        break;
    }
  }
  if (status === 'running') flushResults();
  return { messages, transcript: lines.join('\n'), status, finalText, toolsUsed };
}
