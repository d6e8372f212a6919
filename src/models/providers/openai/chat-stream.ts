/**
 * Pure state machine turning `chat.completion.chunk` objects into StreamParts (no I/O): text and
 * reasoning deltas, tool-call starts and argument deltas (parallel calls interleave by `index`),
 * logprobs, and at the end one `finish` part with the assembled tool calls and the usage of the
 * final usage chunk. The I/O side (chat-model.ts) feeds it parsed SSE data and decides what a
 * premature end means.
 */
import type { ToolCall } from '../../../core/messages.js';
import { emptyUsage, type Usage } from '../../../core/usage.js';
import type { StreamPart } from '../../language-model.js';
import { isRecord, mapFinishReason, mapLogprobs, mapUsage, reasoningText } from './chat-response.js';
import { errorInfoFrom, mapInBandError } from './errors.js';

interface ToolCallBuilder {
  id: string;
  name: string;
  arguments: string;
}

export class ChatStreamAssembler {
  private started = false;
  private readonly calls = new Map<number, ToolCallBuilder>();
  private lastCallIndex: number | undefined;
  private finishReason: unknown = undefined;
  private sawFinish = false;
  private refused = false;
  private usage: Usage = emptyUsage();
  private sawUsage = false;

  constructor(
    private readonly provider: string,
    private readonly requestedModel: string,
  ) {}

  /** True once a chunk carried a finish_reason: the answer is complete even if usage/[DONE] never come. */
  get finished(): boolean {
    return this.sawFinish;
  }

  /** True once a usage chunk arrived (compatible servers may never send one). */
  get hasUsage(): boolean {
    return this.sawUsage;
  }

  /** Parts for one parsed chunk. Throws the mapped ConduitError for an in-band `{"error":…}` chunk. */
  push(chunk: unknown): StreamPart[] {
    const parts: StreamPart[] = [];
    if (!isRecord(chunk)) return parts;
    if (chunk.error !== undefined && chunk.error !== null) {
      const info = errorInfoFrom(chunk) ?? { message: 'the upstream reported an error in the stream' };
      throw mapInBandError(info, this.provider, this.requestedModel);
    }
    if (!this.started) {
      this.started = true;
      const start: StreamPart = { type: 'start', provider: this.provider, model: typeof chunk.model === 'string' && chunk.model !== '' ? chunk.model : this.requestedModel };
      if (typeof chunk.id === 'string') start.id = chunk.id;
      parts.push(start);
    }
    if (isRecord(chunk.usage)) {
      this.usage = mapUsage(chunk.usage);
      this.sawUsage = true;
    }
    if (!Array.isArray(chunk.choices)) return parts;
    for (const choice of chunk.choices) {
      // Only the first choice is surfaced (n > 1 is not part of the LanguageModel interface).
      if (!isRecord(choice) || (choice.index !== undefined && choice.index !== 0)) continue;
      if (isRecord(choice.delta)) this.pushDelta(choice.delta, parts);
      const logprobs = mapLogprobs(choice.logprobs);
      if (logprobs !== undefined && logprobs.length > 0) parts.push({ type: 'logprobs', logprobs });
      if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
        this.finishReason = choice.finish_reason;
        this.sawFinish = true;
      }
    }
    return parts;
  }

  private pushDelta(delta: Record<string, unknown>, parts: StreamPart[]): void {
    const reasoning = reasoningText(delta);
    if (reasoning) parts.push({ type: 'reasoning-delta', delta: reasoning });
    if (typeof delta.content === 'string' && delta.content !== '') parts.push({ type: 'text-delta', delta: delta.content });
    if (typeof delta.refusal === 'string' && delta.refusal !== '') {
      this.refused = true;
      parts.push({ type: 'text-delta', delta: delta.refusal });
    }
    if (!Array.isArray(delta.tool_calls)) return;
    for (const raw of delta.tool_calls) {
      if (!isRecord(raw)) continue;
      const fn = isRecord(raw.function) ? raw.function : {};
      const index = this.indexOf(raw);
      let call = this.calls.get(index);
      if (!call) {
        call = { id: typeof raw.id === 'string' && raw.id !== '' ? raw.id : `call_${index}`, name: typeof fn.name === 'string' ? fn.name : '', arguments: '' };
        this.calls.set(index, call);
        parts.push({ type: 'tool-call-start', index, id: call.id, name: call.name });
      }
      this.lastCallIndex = index;
      const args = typeof fn.arguments === 'string' ? fn.arguments : fn.arguments !== undefined && fn.arguments !== null ? JSON.stringify(fn.arguments) : '';
      if (args !== '') {
        call.arguments += args;
        parts.push({ type: 'tool-call-delta', index, argumentsDelta: args });
      }
    }
  }

  /**
   * OpenAI always sends `index`. Some compatible servers omit it: a delta with a new id starts a
   * new call, one without an id continues the last call.
   */
  private indexOf(raw: Record<string, unknown>): number {
    if (typeof raw.index === 'number') return raw.index;
    if (typeof raw.id === 'string' && raw.id !== '') {
      for (const [index, call] of this.calls) if (call.id === raw.id) return index;
      return this.calls.size;
    }
    return this.lastCallIndex ?? 0;
  }

  /** The assembled tool calls, ordered by index. */
  toolCalls(): ToolCall[] {
    return [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ id: c.id, name: c.name, arguments: c.arguments }));
  }

  /** The closing part; call once the stream ended properly. */
  finish(): Extract<StreamPart, { type: 'finish' }> {
    const toolCalls = this.toolCalls();
    return { type: 'finish', finishReason: mapFinishReason(this.finishReason, toolCalls.length > 0, this.refused), usage: this.usage, toolCalls };
  }
}
