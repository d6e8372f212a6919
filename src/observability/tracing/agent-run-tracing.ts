/**
 * Agent-run spans from the run's own event stream, so the agent loop needs no tracing code: pass
 * the returned handler as (or chain it into) the loop's `onEvent`. A run becomes an
 * `invoke_agent <agent>` span; each model call a `chat <model>` child (timed from the event's
 * duration); each tool call an `execute_tool <tool>` child from `tool_call` to `tool_result`.
 * A paused run's span ends at the pause (status `awaiting_approval`); a resumed run continues in a
 * new span of the same trace when resumed in this process.
 *
 * Model calls are recorded here unless `modelCalls: false` (for agents whose model is already
 * traced through `tracedResolver`).
 */
import type { RunEvent } from '../../agents/runs/run-event.js';
import { ConduitAttr, GenAI } from './genai-attributes.js';
import type { Span } from './span.js';
import type { SpanParent, Tracer } from './tracer.js';

export interface AgentRunTracingOptions {
  /** Parent of run spans (e.g. the gateway request that started the run); else the active span. */
  parent?: SpanParent;
  /** Record the run's input, final answer and tool arguments/results. */
  captureContent?: boolean;
  /**
   * Record model calls from the run's events (default true). Set false when the agent's model is
   * already traced (`tracedResolver`, as `conduit serve` wires agents), so calls are not recorded twice.
   */
  modelCalls?: boolean;
}

const MAX_PAUSED = 10_000;

interface RunTrace {
  agent: string;
  span: Span;
  tools: Map<string, Span>;
}

export function agentRunTracer(tracer: Tracer, options: AgentRunTracingOptions = {}): (event: RunEvent) => void {
  const runs = new Map<string, RunTrace>();
  // Paused runs' trace context, so a run resumed by this handler stays in its trace. Bounded: runs
  // that are never resumed must not grow it forever.
  const pausedRuns = new Map<string, { agent: string; context: Span['context'] }>();
  const capture = options.captureContent === true;
  const startRun = (event: RunEvent, agent: string, parent: SpanParent | undefined): RunTrace => {
    const span = tracer.startSpan(`invoke_agent ${agent}`, {
      ...(parent === undefined ? {} : { parent }),
      startTimeMs: Date.parse(event.ts),
      attributes: { [GenAI.operationName]: 'invoke_agent', [GenAI.agentName]: agent, 'conduit.run_id': event.runId },
    });
    const run: RunTrace = { agent, span, tools: new Map() };
    runs.set(event.runId, run);
    return run;
  };
  const endRun = (run: RunTrace, runId: string, event: RunEvent, status: string): void => {
    const at = Date.parse(event.ts);
    for (const tool of run.tools.values()) tool.end(at);
    run.span.setAttribute('conduit.run.status', status);
    run.span.end(at);
    runs.delete(runId);
  };

  return (event) => {
    const at = Date.parse(event.ts);
    let run = runs.get(event.runId);
    switch (event.type) {
      case 'run_started': {
        run = startRun(event, event.agent, options.parent);
        run.span.setAttributes({ [GenAI.requestModel]: event.model, 'conduit.agent.tool_mode': event.toolMode, 'conduit.agent.tools': event.tools });
        if (capture) run.span.setAttribute('conduit.agent.input', event.input);
        return;
      }
      case 'run_resumed': {
        const previous = pausedRuns.get(event.runId);
        pausedRuns.delete(event.runId);
        startRun(event, previous?.agent ?? 'agent', previous?.context ?? options.parent);
        return;
      }
      default:
        break;
    }
    if (run === undefined) return;
    switch (event.type) {
      case 'model_call': {
        if (options.modelCalls === false) return;
        const span = tracer.startSpan(`chat ${event.model}`, {
          parent: run.span,
          kind: 'client',
          startTimeMs: at - event.durationMs,
          attributes: {
            [GenAI.operationName]: 'chat',
            [GenAI.requestModel]: event.model,
            [GenAI.responseFinishReasons]: [event.finishReason],
            [GenAI.usageInputTokens]: event.usage.inputTokens,
            [GenAI.usageOutputTokens]: event.usage.outputTokens,
            'conduit.agent.step': event.step,
          },
        });
        span.setAttribute(ConduitAttr.costUsd, event.costUsd);
        if (capture) span.setAttribute(GenAI.outputMessages, JSON.stringify([{ role: 'assistant', content: event.text, toolCalls: event.toolCalls }]));
        span.setStatus('ok');
        span.end(at);
        return;
      }
      case 'tool_call': {
        const span = tracer.startSpan(`execute_tool ${event.tool}`, {
          parent: run.span,
          startTimeMs: at,
          attributes: { [GenAI.operationName]: 'execute_tool', [GenAI.toolName]: event.tool, [GenAI.toolCallId]: event.callId, 'conduit.agent.step': event.step },
        });
        if (capture) span.setAttribute('conduit.tool.arguments', event.arguments);
        run.tools.set(event.callId, span);
        return;
      }
      case 'tool_result': {
        // Refused or invalid calls never had a tool_call span: record them as zero-length spans.
        const span =
          run.tools.get(event.callId) ??
          tracer.startSpan(`execute_tool ${event.tool}`, { parent: run.span, startTimeMs: at - event.durationMs, attributes: { [GenAI.operationName]: 'execute_tool', [GenAI.toolName]: event.tool, [GenAI.toolCallId]: event.callId } });
        run.tools.delete(event.callId);
        span.setAttributes({ 'conduit.tool.outcome': event.outcome, 'conduit.tool.attempts': event.attempts });
        if (capture) span.setAttribute('conduit.tool.result', event.content);
        if (event.isError) span.setStatus('error', event.outcome === 'executed' ? event.content.slice(0, 200) : event.outcome);
        else span.setStatus('ok');
        span.end(at);
        return;
      }
      case 'run_paused':
        if (pausedRuns.size >= MAX_PAUSED) pausedRuns.delete(pausedRuns.keys().next().value as string);
        pausedRuns.set(event.runId, { agent: run.agent, context: run.span.context });
        run.span.setAttribute('conduit.run.pending_approvals', event.pendingApprovals);
        endRun(run, event.runId, event, 'awaiting_approval');
        return;
      case 'final_answer':
        if (capture) run.span.setAttribute('conduit.agent.output', event.text);
        run.span.setStatus('ok');
        endRun(run, event.runId, event, 'completed');
        return;
      case 'run_stopped':
        run.span.setAttribute('conduit.run.stop_reason', event.reason);
        endRun(run, event.runId, event, event.status);
        return;
      case 'run_failed':
        run.span.setAttribute('error.type', event.error.kind);
        run.span.setStatus('error', event.error.message);
        endRun(run, event.runId, event, 'failed');
        return;
      default:
        return;
    }
  };
}
