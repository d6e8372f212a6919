/**
 * GenerateResult / StreamParts → Anthropic Messages responses: the `message` JSON object and the
 * SSE event sequence (message_start, content_block_start/delta/stop for thinking, text and
 * tool_use with input_json_delta, message_delta with stop_reason and usage, message_stop).
 *
 * Anthropic blocks are strictly sequential, while neutral stream parts may interleave parallel
 * tool calls. The encoder streams the first open tool call live and holds any tool call that
 * starts while another is open; held calls are emitted whole (from the finish part's assembled
 * calls, which are authoritative) right before message_delta. Every ordering thus yields a valid
 * Anthropic stream with the right final tool inputs.
 */
import type { ConduitError } from '../core/errors.js';
import type { FinishReason, Usage } from '../core/usage.js';
import type { ToolCall } from '../core/messages.js';
import type { GenerateResult } from '../models/language-model.js';
import { anthropicErrorObject } from './errors.js';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'refusal';

export function anthropicStopReason(reason: FinishReason): AnthropicStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** Anthropic's usage: `input_tokens` excludes cache reads and writes (the neutral Usage includes them). */
export function anthropicUsageJson(u: Usage): string {
  const uncached = Math.max(0, u.inputTokens - u.cachedInputTokens - u.cacheWriteTokens);
  return (
    '{"input_tokens":' +
    uncached +
    ',"output_tokens":' +
    u.outputTokens +
    ',"cache_creation_input_tokens":' +
    u.cacheWriteTokens +
    ',"cache_read_input_tokens":' +
    u.cachedInputTokens +
    '}'
  );
}

/** Tool inputs are JSON objects in Anthropic's format; unparsable arguments become `{}` rather than a broken body. */
function toolInputJson(args: string): string {
  if (args === '') return '{}';
  try {
    const v: unknown = JSON.parse(args);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? args : '{}';
  } catch {
    return '{}';
  }
}

function toolUseBlockJson(c: ToolCall): string {
  return '{"type":"tool_use","id":' + JSON.stringify(c.id) + ',"name":' + JSON.stringify(c.name) + ',"input":' + toolInputJson(c.arguments) + '}';
}

export function anthropicMessageJson(id: string, model: string, r: GenerateResult): string {
  let content = '[';
  let first = true;
  if (r.reasoning !== undefined && r.reasoning !== '') {
    content += '{"type":"thinking","thinking":' + JSON.stringify(r.reasoning) + ',"signature":""}';
    first = false;
  }
  if (r.text !== '' || r.toolCalls.length === 0) {
    if (!first) content += ',';
    content += '{"type":"text","text":' + JSON.stringify(r.text) + '}';
    first = false;
  }
  for (const c of r.toolCalls) {
    if (!first) content += ',';
    content += toolUseBlockJson(c);
    first = false;
  }
  content += ']';
  return (
    '{"id":' +
    JSON.stringify(id) +
    ',"type":"message","role":"assistant","model":' +
    JSON.stringify(model) +
    ',"content":' +
    content +
    ',"stop_reason":"' +
    anthropicStopReason(r.finishReason) +
    '","stop_sequence":null,"usage":' +
    anthropicUsageJson(r.usage) +
    '}'
  );
}

function event(name: string, data: string): string {
  return 'event: ' + name + '\ndata: ' + data + '\n\n';
}

export function anthropicSseError(err: ConduitError): string {
  return event('error', JSON.stringify(anthropicErrorObject(err)));
}

type OpenBlock = { kind: 'text' } | { kind: 'thinking' } | { kind: 'tool'; toolIndex: number } | undefined;

interface HeldToolCall {
  index: number;
  id: string;
  name: string;
}

export class AnthropicStreamEncoder {
  private nextBlock = 0;
  private open: OpenBlock = undefined;
  /** Tool indexes whose block was opened live (they get no second block at finish). */
  private readonly liveTools = new Set<number>();
  private held: HeldToolCall[] | undefined;

  constructor(
    private readonly id: string,
    private readonly model: string,
  ) {}

  /** message_start (usage is not known yet: it arrives in message_delta) and a ping, as Anthropic sends. */
  start(): string {
    return (
      event(
        'message_start',
        '{"type":"message_start","message":{"id":' +
          JSON.stringify(this.id) +
          ',"type":"message","role":"assistant","model":' +
          JSON.stringify(this.model) +
          ',"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}',
      ) + event('ping', '{"type":"ping"}')
    );
  }

  private close(): string {
    if (this.open === undefined) return '';
    this.open = undefined;
    return event('content_block_stop', '{"type":"content_block_stop","index":' + (this.nextBlock - 1) + '}');
  }

  private openBlock(block: Exclude<OpenBlock, undefined>, contentBlockJson: string): string {
    const out = this.close();
    this.open = block;
    const index = this.nextBlock++;
    return out + event('content_block_start', '{"type":"content_block_start","index":' + index + ',"content_block":' + contentBlockJson + '}');
  }

  private delta(deltaJson: string): string {
    return event('content_block_delta', '{"type":"content_block_delta","index":' + (this.nextBlock - 1) + ',"delta":' + deltaJson + '}');
  }

  text(delta: string): string {
    const prefix = this.open?.kind === 'text' ? '' : this.openBlock({ kind: 'text' }, '{"type":"text","text":""}');
    return prefix + this.delta('{"type":"text_delta","text":' + JSON.stringify(delta) + '}');
  }

  thinking(delta: string): string {
    const prefix = this.open?.kind === 'thinking' ? '' : this.openBlock({ kind: 'thinking' }, '{"type":"thinking","thinking":"","signature":""}');
    return prefix + this.delta('{"type":"thinking_delta","thinking":' + JSON.stringify(delta) + '}');
  }

  toolCallStart(index: number, id: string, name: string): string {
    if (this.open?.kind === 'tool' || this.liveTools.has(index)) {
      (this.held ??= []).push({ index, id, name });
      return '';
    }
    this.liveTools.add(index);
    return this.openBlock({ kind: 'tool', toolIndex: index }, '{"type":"tool_use","id":' + JSON.stringify(id) + ',"name":' + JSON.stringify(name) + ',"input":{}}');
  }

  toolCallDelta(index: number, argumentsDelta: string): string {
    const open = this.open;
    if (open?.kind !== 'tool' || open.toolIndex !== index || argumentsDelta === '') return ''; // held calls are sent whole at finish
    return this.delta('{"type":"input_json_delta","partial_json":' + JSON.stringify(argumentsDelta) + '}');
  }

  /** Closes the open block, sends held tool calls whole, then message_delta and message_stop. */
  finish(reason: FinishReason, usage: Usage, toolCalls: readonly ToolCall[]): string {
    let out = this.close();
    if (this.held !== undefined) {
      for (const h of this.held) {
        const args = toolCalls.find((c) => c.id === h.id)?.arguments ?? '';
        out += this.openBlock({ kind: 'tool', toolIndex: h.index }, '{"type":"tool_use","id":' + JSON.stringify(h.id) + ',"name":' + JSON.stringify(h.name) + ',"input":{}}');
        if (args !== '') out += this.delta('{"type":"input_json_delta","partial_json":' + JSON.stringify(args) + '}');
        out += this.close();
      }
    }
    return (
      out +
      event(
        'message_delta',
        '{"type":"message_delta","delta":{"stop_reason":"' + anthropicStopReason(reason) + '","stop_sequence":null},"usage":' + anthropicUsageJson(usage) + '}',
      ) +
      event('message_stop', '{"type":"message_stop"}')
    );
  }
}
