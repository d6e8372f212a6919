/**
 * Turns Anthropic's streaming events into Conduit StreamParts. Pure and synchronous: one SSE event
 * in, zero or more parts out, so every event type is unit-testable without a socket.
 *
 * Event grammar (Messages API streaming):
 *   message_start → (content_block_start → content_block_delta* → content_block_stop)*
 *   → message_delta → message_stop, with `ping` anywhere and `error` possibly anywhere.
 * Unknown event and delta types are ignored, as Anthropic's versioning policy asks of clients.
 */
import { ConduitError } from '../../../core/errors.js';
import type { ToolCall } from '../../../core/messages.js';
import type { FinishReason, Usage } from '../../../core/usage.js';
import type { StreamPart } from '../../language-model.js';
import type { SSEEvent } from '../../http/index.js';
import { mapAnthropicStreamError } from './error-mapping.js';
import { ANTHROPIC_PROVIDER } from './request-mapping.js';
import { mapStopReason, mapUsage } from './response-mapping.js';
import type { AnthropicUsage } from './wire-types.js';

type BlockState =
  | { kind: 'text' }
  | { kind: 'thinking' }
  | { kind: 'tool'; toolIndex: number }
  | { kind: 'ignored' }; // redacted_thinking, server tool blocks, future block types

interface ToolAccumulator {
  id: string;
  name: string;
  arguments: string;
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class AnthropicStreamDecoder {
  private readonly blocks = new Map<number, BlockState>();
  private readonly tools: ToolAccumulator[] = [];
  private usage: AnthropicUsage = {};
  private stopReason: string | null | undefined;
  private done = false;

  constructor(private readonly modelId: string) {}

  /** True once message_stop has been seen; the stream is complete. */
  get finished(): boolean {
    return this.done;
  }

  /** Feeds one SSE event. Throws ConduitError for in-band `error` events and unparseable data. */
  push(event: SSEEvent): StreamPart[] {
    if (this.done) return [];
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch (err) {
      throw new ConduitError('provider_error', `${ANTHROPIC_PROVIDER} (${this.modelId}): stream event is not valid JSON`, {
        cause: err,
        provider: ANTHROPIC_PROVIDER,
        model: this.modelId,
      });
    }
    if (!isObject(data)) return [];
    // The JSON `type` is authoritative; the SSE `event:` line repeats it and is the fallback.
    const type = str(data.type) ?? event.event;
    switch (type) {
      case 'message_start':
        return this.onMessageStart(data);
      case 'content_block_start':
        return this.onBlockStart(data);
      case 'content_block_delta':
        return this.onBlockDelta(data);
      case 'content_block_stop':
        this.blocks.delete(typeof data.index === 'number' ? data.index : -1);
        return [];
      case 'message_delta':
        this.onMessageDelta(data);
        return [];
      case 'message_stop':
        this.done = true;
        return [this.finishPart()];
      case 'error':
        throw mapAnthropicStreamError(data, this.modelId);
      case 'ping':
      default:
        return [];
    }
  }

  /** The usage reported so far (for accounting a stream that died before message_stop). */
  currentUsage(): Usage {
    return mapUsage(this.usage);
  }

  private onMessageStart(data: JsonObject): StreamPart[] {
    const message = isObject(data.message) ? data.message : {};
    if (isObject(message.usage)) this.mergeUsage(message.usage);
    const part: StreamPart = { type: 'start', provider: ANTHROPIC_PROVIDER, model: str(message.model) ?? this.modelId };
    const id = str(message.id);
    if (id !== undefined) part.id = id;
    return [part];
  }

  private onBlockStart(data: JsonObject): StreamPart[] {
    const index = typeof data.index === 'number' ? data.index : this.blocks.size;
    const block = isObject(data.content_block) ? data.content_block : {};
    switch (block.type) {
      case 'text': {
        this.blocks.set(index, { kind: 'text' });
        const text = str(block.text) ?? '';
        return text ? [{ type: 'text-delta', delta: text }] : [];
      }
      case 'thinking': {
        this.blocks.set(index, { kind: 'thinking' });
        const thinking = str(block.thinking) ?? '';
        return thinking ? [{ type: 'reasoning-delta', delta: thinking }] : [];
      }
      case 'tool_use': {
        // Tool calls are numbered 0, 1, 2… in arrival order, independent of Anthropic's block index
        // (which also counts text and thinking blocks), matching OpenAI's tool_calls[].index.
        const toolIndex = this.tools.length;
        const tool: ToolAccumulator = { id: str(block.id) ?? '', name: str(block.name) ?? '', arguments: '' };
        this.tools.push(tool);
        this.blocks.set(index, { kind: 'tool', toolIndex });
        const parts: StreamPart[] = [{ type: 'tool-call-start', index: toolIndex, id: tool.id, name: tool.name }];
        // The API starts tool_use with `input: {}` and streams the JSON; an input given up front is kept.
        if (isObject(block.input) && Object.keys(block.input).length > 0) {
          tool.arguments = JSON.stringify(block.input);
          parts.push({ type: 'tool-call-delta', index: toolIndex, argumentsDelta: tool.arguments });
        }
        return parts;
      }
      default:
        this.blocks.set(index, { kind: 'ignored' });
        return [];
    }
  }

  private onBlockDelta(data: JsonObject): StreamPart[] {
    const index = typeof data.index === 'number' ? data.index : -1;
    const state = this.blocks.get(index);
    const delta = isObject(data.delta) ? data.delta : {};
    switch (delta.type) {
      case 'text_delta': {
        const text = str(delta.text) ?? '';
        return text && state?.kind !== 'ignored' ? [{ type: 'text-delta', delta: text }] : [];
      }
      case 'thinking_delta': {
        const thinking = str(delta.thinking) ?? '';
        return thinking ? [{ type: 'reasoning-delta', delta: thinking }] : [];
      }
      case 'input_json_delta': {
        const partial = str(delta.partial_json) ?? '';
        if (state?.kind !== 'tool' || partial === '') return [];
        const tool = this.tools[state.toolIndex];
        if (tool) tool.arguments += partial;
        return [{ type: 'tool-call-delta', index: state.toolIndex, argumentsDelta: partial }];
      }
      case 'signature_delta':
      case 'citations_delta':
      default:
        // The thinking signature only matters for replaying thinking, which the neutral types do not do.
        return [];
    }
  }

  private onMessageDelta(data: JsonObject): void {
    const delta = isObject(data.delta) ? data.delta : {};
    if ('stop_reason' in delta) this.stopReason = str(delta.stop_reason) ?? null;
    if (isObject(data.usage)) this.mergeUsage(data.usage);
  }

  /** message_delta's usage is cumulative: each field present replaces the earlier value. */
  private mergeUsage(u: JsonObject): void {
    for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
      const v = u[key];
      if (typeof v === 'number') this.usage[key] = v;
    }
    const details = u.output_tokens_details;
    if (isObject(details) && typeof details.thinking_tokens === 'number') this.usage.output_tokens_details = { thinking_tokens: details.thinking_tokens };
  }

  private finishPart(): StreamPart {
    const toolCalls: ToolCall[] = this.tools.map((t) => ({
      id: t.id,
      name: t.name,
      // A tool with no parameters streams no JSON at all; "{}" keeps `arguments` valid JSON.
      arguments: t.arguments === '' ? '{}' : t.arguments,
    }));
    let finishReason: FinishReason = mapStopReason(this.stopReason);
    if (finishReason === 'other' && this.stopReason == null && toolCalls.length > 0) finishReason = 'tool_calls';
    return { type: 'finish', finishReason, usage: mapUsage(this.usage), toolCalls };
  }
}
