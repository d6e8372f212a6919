/**
 * Pure mapping of a `chat.completion` response body → GenerateResult, plus the usage, finish
 * reason and logprobs mappings the stream assembler shares. Parses from `unknown`: a body that is
 * not a chat completion is a provider_error, never a crash.
 */
import { ConduitError } from '../../../core/errors.js';
import type { ToolCall } from '../../../core/messages.js';
import { emptyUsage, type FinishReason, type Usage } from '../../../core/usage.js';
import type { GenerateResult, TokenLogprob } from '../../language-model.js';
import { errorInfoFrom, mapInBandError } from './errors.js';

export function parseChatCompletion(body: unknown, provider: string, requestedModel: string): GenerateResult {
  if (!isRecord(body)) throw malformed(provider, requestedModel, 'the response is not a JSON object');
  const inBand = body.error !== undefined && body.error !== null ? errorInfoFrom(body) : undefined;
  if (inBand) throw mapInBandError(inBand, provider, requestedModel);
  const choices = body.choices;
  if (!Array.isArray(choices)) throw malformed(provider, requestedModel, 'the response has no choices');
  const choice: unknown = choices.find((c) => isRecord(c) && (c.index === undefined || c.index === 0)) ?? choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) throw malformed(provider, requestedModel, 'the first choice has no message');
  const message = choice.message;

  const toolCalls: ToolCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const raw of message.tool_calls) {
      if (!isRecord(raw) || !isRecord(raw.function)) continue;
      const fn = raw.function;
      toolCalls.push({
        id: typeof raw.id === 'string' ? raw.id : `call_${toolCalls.length}`,
        name: typeof fn.name === 'string' ? fn.name : '',
        // Some compatible servers return arguments as an object rather than JSON text.
        arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
      });
    }
  }
  const refusal = typeof message.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
  const text = typeof message.content === 'string' ? message.content : (refusal ?? '');

  const result: GenerateResult = {
    text,
    toolCalls,
    finishReason: mapFinishReason(choice.finish_reason, toolCalls.length > 0, refusal !== undefined),
    usage: mapUsage(body.usage),
    provider,
    model: typeof body.model === 'string' && body.model !== '' ? body.model : requestedModel,
  };
  if (typeof body.id === 'string') result.id = body.id;
  const reasoning = reasoningText(message);
  if (reasoning !== undefined) result.reasoning = reasoning;
  const logprobs = mapLogprobs(choice.logprobs);
  if (logprobs !== undefined) result.logprobs = logprobs;
  return result;
}

/**
 * OpenAI finish_reason → Conduit's. Two normalisations: a turn that carries tool calls reports
 * `tool_calls` even when the upstream says `stop` (OpenAI does so for a forced tool_choice, and
 * several compatible servers always do), and a refusal reports `content_filter`.
 */
export function mapFinishReason(reason: unknown, hasToolCalls: boolean, refused = false): FinishReason {
  if (refused) return 'content_filter';
  switch (reason) {
    case 'stop':
    case 'eos':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case null:
    case undefined:
      return hasToolCalls ? 'tool_calls' : 'other';
    default:
      return 'other';
  }
}

/** OpenAI usage → Usage (prompt_tokens already includes cached tokens; reasoning is part of completion). */
export function mapUsage(raw: unknown): Usage {
  const usage = emptyUsage();
  if (!isRecord(raw)) return usage;
  usage.inputTokens = count(raw.prompt_tokens);
  usage.outputTokens = count(raw.completion_tokens);
  if (isRecord(raw.prompt_tokens_details)) usage.cachedInputTokens = count(raw.prompt_tokens_details.cached_tokens);
  if (isRecord(raw.completion_tokens_details)) usage.reasoningTokens = count(raw.completion_tokens_details.reasoning_tokens);
  return usage;
}

export function mapLogprobs(raw: unknown): TokenLogprob[] | undefined {
  if (!isRecord(raw) || !Array.isArray(raw.content)) return undefined;
  const out: TokenLogprob[] = [];
  for (const entry of raw.content) {
    if (!isRecord(entry) || typeof entry.token !== 'string' || typeof entry.logprob !== 'number') continue;
    const item: TokenLogprob = { token: entry.token, logprob: entry.logprob };
    if (Array.isArray(entry.top_logprobs)) {
      item.topLogprobs = entry.top_logprobs.flatMap((t) => (isRecord(t) && typeof t.token === 'string' && typeof t.logprob === 'number' ? [{ token: t.token, logprob: t.logprob }] : []));
    }
    out.push(item);
  }
  return out;
}

/** Visible reasoning from compatible servers: `reasoning_content` (DeepSeek, vLLM, llama.cpp) or `reasoning` (Ollama, OpenRouter). */
export function reasoningText(messageOrDelta: Record<string, unknown>): string | undefined {
  if (typeof messageOrDelta.reasoning_content === 'string') return messageOrDelta.reasoning_content;
  if (typeof messageOrDelta.reasoning === 'string') return messageOrDelta.reasoning;
  return undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function malformed(provider: string, model: string, why: string): ConduitError {
  return new ConduitError('provider_error', `${provider} (${model}): unexpected response: ${why}`, { provider, model, upstreamStatus: 200 });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
