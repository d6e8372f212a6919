/**
 * GenerateResult / EmbeddingResult / ModelInfo → OpenAI response bodies. The hot ones are written
 * as string concatenation around JSON.stringify of the variable parts: no intermediate object
 * graph, one pass, and the exact key order OpenAI emits.
 */
import type { FinishReason, Usage } from '../core/usage.js';
import type { ToolCall } from '../core/messages.js';
import type { EmbeddingResult, GenerateResult, ModelInfo, TokenLogprob } from '../models/language-model.js';

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function openAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    default:
      // 'error' and 'other' have no OpenAI spelling; a finished turn is a 'stop'.
      return 'stop';
  }
}

/** OpenAI's usage object, with cached and reasoning token details. */
export function usageJson(u: Usage): string {
  return (
    '{"prompt_tokens":' +
    u.inputTokens +
    ',"completion_tokens":' +
    u.outputTokens +
    ',"total_tokens":' +
    (u.inputTokens + u.outputTokens) +
    ',"prompt_tokens_details":{"cached_tokens":' +
    u.cachedInputTokens +
    '},"completion_tokens_details":{"reasoning_tokens":' +
    u.reasoningTokens +
    '}}'
  );
}

export function toolCallsJson(calls: readonly ToolCall[]): string {
  let out = '[';
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (i > 0) out += ',';
    out += '{"id":' + JSON.stringify(c.id) + ',"type":"function","function":{"name":' + JSON.stringify(c.name) + ',"arguments":' + JSON.stringify(c.arguments) + '}}';
  }
  return out + ']';
}

export function logprobsJson(lps: readonly TokenLogprob[]): string {
  let out = '{"content":[';
  for (let i = 0; i < lps.length; i++) {
    const lp = lps[i]!;
    if (i > 0) out += ',';
    out += '{"token":' + JSON.stringify(lp.token) + ',"logprob":' + lp.logprob + ',"bytes":null,"top_logprobs":[';
    const tops = lp.topLogprobs;
    if (tops !== undefined) {
      for (let j = 0; j < tops.length; j++) {
        if (j > 0) out += ',';
        out += '{"token":' + JSON.stringify(tops[j]!.token) + ',"logprob":' + tops[j]!.logprob + ',"bytes":null}';
      }
    }
    out += ']}';
  }
  return out + '],"refusal":null}';
}

/** A non-streamed `chat.completion` object. */
export function chatCompletionJson(id: string, created: number, model: string, r: GenerateResult): string {
  const hasTools = r.toolCalls.length > 0;
  let message = '{"role":"assistant","content":' + (hasTools && r.text === '' ? 'null' : JSON.stringify(r.text)) + ',"refusal":null,"annotations":[]';
  if (hasTools) message += ',"tool_calls":' + toolCallsJson(r.toolCalls);
  if (r.reasoning !== undefined && r.reasoning !== '') message += ',"reasoning_content":' + JSON.stringify(r.reasoning);
  message += '}';
  return (
    '{"id":' +
    JSON.stringify(id) +
    ',"object":"chat.completion","created":' +
    created +
    ',"model":' +
    JSON.stringify(model) +
    ',"choices":[{"index":0,"message":' +
    message +
    ',"logprobs":' +
    (r.logprobs !== undefined && r.logprobs.length > 0 ? logprobsJson(r.logprobs) : 'null') +
    ',"finish_reason":"' +
    openAIFinishReason(r.finishReason) +
    '"}],"usage":' +
    usageJson(r.usage) +
    ',"system_fingerprint":null}'
  );
}

/** `GET /v1/models`. */
export function modelListJson(models: readonly ModelInfo[]): string {
  const data = models.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.ownedBy ?? m.provider }));
  return JSON.stringify({ object: 'list', data });
}

function float32Base64(v: readonly number[]): string {
  const f = Float32Array.from(v);
  // OpenAI's base64 embeddings are little-endian float32, which is every platform Node runs on.
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

/** `POST /v1/embeddings`. */
export function embeddingsJson(model: string, result: EmbeddingResult, encoding: 'float' | 'base64'): string {
  let data = '[';
  const e = result.embeddings;
  for (let i = 0; i < e.length; i++) {
    if (i > 0) data += ',';
    data += '{"object":"embedding","index":' + i + ',"embedding":' + (encoding === 'base64' ? '"' + float32Base64(e[i]!) + '"' : JSON.stringify(e[i])) + '}';
  }
  data += ']';
  const tokens = result.usage.inputTokens;
  return '{"object":"list","data":' + data + ',"model":' + JSON.stringify(model) + ',"usage":{"prompt_tokens":' + tokens + ',"total_tokens":' + tokens + '}}';
}
