/**
 * Pure mapping from an Anthropic Messages API response (non-streaming) to Conduit's neutral
 * result, plus the stop-reason and usage rules that the stream decoder shares.
 */
import { ConduitError } from '../../../core/errors.js';
import type { ToolCall } from '../../../core/messages.js';
import type { FinishReason, Usage } from '../../../core/usage.js';
import { ANTHROPIC_PROVIDER } from './request-mapping.js';
import type { AnthropicMessageResponse, AnthropicUsage } from './wire-types.js';

export function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // pause_turn (a server tool paused a long turn), null, and reasons added later.
      return 'other';
  }
}

const count = (n: number | null | undefined): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

/**
 * Anthropic's `input_tokens` excludes cache reads and cache writes; Conduit's `inputTokens` counts
 * every prompt token (see core/usage.ts), so the three are summed. Thinking tokens are inside
 * output_tokens; newer API versions break them out as `output_tokens_details.thinking_tokens`,
 * older ones do not (reasoningTokens is then 0, not a guess).
 */
export function mapUsage(u: AnthropicUsage | undefined): Usage {
  const cacheRead = count(u?.cache_read_input_tokens);
  const cacheWrite = count(u?.cache_creation_input_tokens);
  return {
    inputTokens: count(u?.input_tokens) + cacheRead + cacheWrite,
    outputTokens: count(u?.output_tokens),
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: count(u?.output_tokens_details?.thinking_tokens),
  };
}

export interface AnthropicGenerateOutput {
  id: string | undefined;
  model: string;
  text: string;
  reasoning: string | undefined;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
}

/** Throws ConduitError('provider_error') when the body is not a Messages API response. */
export function fromAnthropicResponse(body: unknown, modelId: string): AnthropicGenerateOutput {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as AnthropicMessageResponse).content)) {
    throw new ConduitError('provider_error', `${ANTHROPIC_PROVIDER} (${modelId}): response is not a Messages API message (no content array)`, {
      provider: ANTHROPIC_PROVIDER,
      model: modelId,
    });
  }
  const msg = body as AnthropicMessageResponse;
  let text = '';
  let reasoning: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of msg.content ?? []) {
    switch (block.type) {
      case 'text':
        text += block.text ?? '';
        break;
      case 'tool_use':
        toolCalls.push({ id: block.id ?? '', name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) });
        break;
      case 'thinking':
        reasoning = (reasoning ?? '') + (block.thinking ?? '');
        break;
      default:
        // redacted_thinking is encrypted (nothing to show); server tool blocks are not exposed yet.
        break;
    }
  }
  return {
    id: typeof msg.id === 'string' ? msg.id : undefined,
    model: typeof msg.model === 'string' && msg.model !== '' ? msg.model : modelId,
    text,
    reasoning,
    toolCalls,
    finishReason: mapStopReason(msg.stop_reason),
    usage: mapUsage(msg.usage),
  };
}
