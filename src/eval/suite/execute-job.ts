/**
 * Runs one job — one model call, or one agent run for cases with `agent:` — and records what the
 * assertions look at. A failed call is not thrown: it becomes `output.error`, so one bad case is a
 * failing test, not a crashed suite.
 */
import { runAgent } from '../../agents/loop/run-agent.js';
import type { AgentTool } from '../../agents/tool.js';
import { toConduitError } from '../../core/errors.js';
import type { Message, ToolCall } from '../../core/messages.js';
import { emptyUsage } from '../../core/usage.js';
import type { LanguageModel, ModelRequest } from '../../models/language-model.js';
import type { EvalOutput } from '../assertions/assertion.js';
import type { JobInput } from './input-hash.js';
import type { SuiteCallOptions } from './suite-schema.js';

export interface ExecuteJobOptions {
  model: LanguageModel;
  input: JobInput;
  /** The agent's runnable tools (agent jobs only). */
  agentTools?: readonly AgentTool[];
  signal?: AbortSignal;
  now?: () => number;
}

export async function executeJob(options: ExecuteJobOptions): Promise<EvalOutput> {
  const now = options.now ?? (() => performance.now());
  const { model, input } = options;
  const started = now();
  try {
    if (input.agent !== undefined) return await runAgentJob(options, started, now);
    const request: ModelRequest = { messages: input.messages, ...samplingOf(input.options), ...(input.tools === undefined ? {} : { tools: input.tools }) };
    const result = await model.generate(request, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(input.options.timeout_ms === undefined ? {} : { attemptTimeoutMs: input.options.timeout_ms }),
    });
    return {
      text: result.text,
      toolCalls: result.toolCalls,
      latencyMs: now() - started,
      ...(result.costUsd === undefined ? {} : { costUsd: result.costUsd }),
      usage: result.usage,
      model: result.model,
      provider: result.provider,
    };
  } catch (err) {
    const error = toConduitError(err);
    return { text: '', toolCalls: [], latencyMs: now() - started, usage: emptyUsage(), model: model.modelId, provider: model.provider, error: `${error.kind}: ${error.message}` };
  }
}

async function runAgentJob(options: ExecuteJobOptions, started: number, now: () => number): Promise<EvalOutput> {
  const { model, input } = options;
  const agent = input.agent;
  if (agent === undefined) throw new Error('runAgentJob without agent settings');
  const system = [agent.system, ...input.messages.filter((m) => m.role === 'system').map((m) => (typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('')))]
    .filter((s): s is string => s !== undefined && s.trim() !== '')
    .join('\n\n');
  const result = await runAgent({
    model,
    tools: options.agentTools ?? [],
    agent: 'eval',
    limits: { maxSteps: agent.max_steps },
    messages: input.messages.filter((m) => m.role !== 'system'),
    ...(system === '' ? {} : { system }),
    request: samplingOf(input.options),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return {
    text: result.text,
    toolCalls: toolCallsOf(result.messages),
    latencyMs: now() - started,
    costUsd: result.costUsd,
    usage: result.usage,
    model: model.modelId,
    provider: model.provider,
    agent: { steps: result.steps, status: result.status },
    ...(result.error === undefined || result.status !== 'failed' ? {} : { error: `${result.error.kind}: ${result.error.message}` }),
  };
}

function samplingOf(options: SuiteCallOptions): Omit<ModelRequest, 'messages'> {
  return {
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.max_tokens === undefined ? {} : { maxTokens: options.max_tokens }),
    ...(options.top_p === undefined ? {} : { topP: options.top_p }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.stop === undefined ? {} : { stop: options.stop }),
  };
}

/** Every tool call of the run's assistant turns, in order. */
function toolCallsOf(messages: readonly Message[]): ToolCall[] {
  return messages.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []) : []));
}
