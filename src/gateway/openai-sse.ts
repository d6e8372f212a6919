/**
 * Encodes one streamed chat completion as OpenAI's Server-Sent Events, byte for byte:
 *
 *   data: {"id":"chatcmpl-…","object":"chat.completion.chunk","created":…,"model":…,"system_fingerprint":null,
 *          "choices":[{"index":0,"delta":{…},"logprobs":null,"finish_reason":null}]}\n\n
 *
 * The constant head and tail of every chunk are built once per stream; each part only adds its
 * JSON.stringify'd delta. With `stream_options.include_usage`, every chunk carries `"usage":null`
 * and a final chunk with `"choices":[]` carries the usage (plus Conduit's extension field
 * `"conduit":{"cost_usd":…,"provider":…}`, because a stream cannot add a header at its end);
 * then `data: [DONE]`. A stream that fails after content ends with an error event and no [DONE].
 */
import type { ConduitError } from '../core/errors.js';
import type { FinishReason, Usage } from '../core/usage.js';
import type { TokenLogprob } from '../models/language-model.js';
import { openAIErrorObject } from './errors.js';
import { logprobsJson, openAIFinishReason, usageJson } from './openai-response.js';

export const SSE_DONE = 'data: [DONE]\n\n';

export class OpenAIChunkEncoder {
  private readonly head: string;
  private readonly tail: string;
  private readonly usageHead: string;
  private readonly includeUsage: boolean;

  constructor(id: string, created: number, model: string, includeUsage: boolean) {
    const common = 'data: {"id":' + JSON.stringify(id) + ',"object":"chat.completion.chunk","created":' + created + ',"model":' + JSON.stringify(model) + ',"system_fingerprint":null,"choices":';
    this.head = common + '[{"index":0,"delta":';
    this.tail = includeUsage ? ',"logprobs":null,"finish_reason":null}],"usage":null}\n\n' : ',"logprobs":null,"finish_reason":null}]}\n\n';
    this.usageHead = common + '[],"usage":';
    this.includeUsage = includeUsage;
  }

  /** The first chunk: the assistant role with empty content. */
  role(): string {
    return this.head + '{"role":"assistant","content":"","refusal":null}' + this.tail;
  }

  text(delta: string): string {
    return this.head + '{"content":' + JSON.stringify(delta) + '}' + this.tail;
  }

  /** Visible reasoning, in the `reasoning_content` field used by DeepSeek, vLLM and others. */
  reasoning(delta: string): string {
    return this.head + '{"reasoning_content":' + JSON.stringify(delta) + '}' + this.tail;
  }

  /** The first delta of a tool call carries id, type and name; arguments follow in later deltas. */
  toolCallStart(index: number, id: string, name: string): string {
    return (
      this.head +
      '{"tool_calls":[{"index":' +
      index +
      ',"id":' +
      JSON.stringify(id) +
      ',"type":"function","function":{"name":' +
      JSON.stringify(name) +
      ',"arguments":""}}]}' +
      this.tail
    );
  }

  toolCallDelta(index: number, argumentsDelta: string): string {
    return this.head + '{"tool_calls":[{"index":' + index + ',"function":{"arguments":' + JSON.stringify(argumentsDelta) + '}}]}' + this.tail;
  }

  logprobs(lps: readonly TokenLogprob[]): string {
    const tail = this.includeUsage ? ',"finish_reason":null}],"usage":null}\n\n' : ',"finish_reason":null}]}\n\n';
    return this.head + '{},"logprobs":' + logprobsJson(lps) + tail;
  }

  finish(reason: FinishReason): string {
    const tail = this.includeUsage ? '"}],"usage":null}\n\n' : '"}]}\n\n';
    return this.head + '{},"logprobs":null,"finish_reason":"' + openAIFinishReason(reason) + tail;
  }

  /** The `choices: []` usage chunk; `costUsd` undefined (price unknown) is sent as null. */
  usage(usage: Usage, costUsd: number | undefined, provider: string): string {
    return (
      this.usageHead +
      usageJson(usage) +
      ',"conduit":{"cost_usd":' +
      (costUsd !== undefined && Number.isFinite(costUsd) ? costUsd : 'null') +
      ',"provider":' +
      JSON.stringify(provider) +
      '}}\n\n'
    );
  }
}

/** The in-band error event OpenAI's clients raise as an APIError. */
export function openAISseError(err: ConduitError): string {
  return 'data: ' + JSON.stringify({ error: openAIErrorObject(err) }) + '\n\n';
}
