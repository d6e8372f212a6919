/**
 * Anthropic Messages API request (`POST /v1/messages`) → ModelRequest, so Claude clients can use
 * any backend. System prompt, text/image blocks, tool_use / tool_result (both ways), thinking,
 * cache_control, tool_choice and stop sequences are mapped; server tools and document blocks are
 * refused with a 400 because no neutral equivalent exists.
 */
import type { ModelRequest } from '../models/language-model.js';
import type { CacheControl, ContentPart, Message, TextPart, ToolCall, ToolChoice, ToolDefinition } from '../core/messages.js';
import {
  fail,
  isObject,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  requireArray,
  requireObject,
  requireString,
} from './validate.js';
import type { JsonObject } from './validate.js';

export interface AnthropicMessagesCall {
  model: string;
  request: ModelRequest;
  stream: boolean;
}

function cacheControl(v: unknown, param: string): CacheControl | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || v.type !== 'ephemeral') return fail(param, `'${param}' must be {"type":"ephemeral"}`);
  return v.ttl === '5m' || v.ttl === '1h' ? { type: 'ephemeral', ttl: v.ttl } : { type: 'ephemeral' };
}

function textBlock(b: JsonObject, param: string): TextPart {
  if (typeof b.text !== 'string') return fail(`${param}.text`, `'${param}.text' must be a string`);
  const cc = cacheControl(b.cache_control, `${param}.cache_control`);
  return cc === undefined ? { type: 'text', text: b.text } : { type: 'text', text: b.text, cacheControl: cc };
}

function imageBlock(b: JsonObject, param: string): ContentPart {
  const src = b.source;
  if (isObject(src) && src.type === 'base64' && typeof src.media_type === 'string' && typeof src.data === 'string') {
    return { type: 'image', url: `data:${src.media_type};base64,${src.data}`, mediaType: src.media_type };
  }
  if (isObject(src) && src.type === 'url' && typeof src.url === 'string') return { type: 'image', url: src.url };
  return fail(`${param}.source`, `'${param}.source' must be {"type":"base64","media_type":…,"data":…} or {"type":"url","url":…}`);
}

function toolResultContent(c: unknown, param: string): string | TextPart[] {
  if (c === undefined || c === null) return '';
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return fail(param, `'${param}' must be a string or an array of text blocks`);
  const parts: TextPart[] = [];
  for (let k = 0; k < c.length; k++) {
    const b: unknown = c[k];
    if (!isObject(b) || b.type !== 'text') return fail(`${param}[${k}]`, `Only text blocks are supported inside tool_result content ('${param}[${k}]')`);
    parts.push(textBlock(b, `${param}[${k}]`));
  }
  return parts;
}

function parseSystem(v: unknown): Message | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : { role: 'system', content: v };
  const arr = requireArray(v, 'system');
  const parts: TextPart[] = [];
  for (let i = 0; i < arr.length; i++) {
    const b: unknown = arr[i];
    if (!isObject(b) || b.type !== 'text') return fail(`system[${i}]`, `'system[${i}]' must be a text block`);
    parts.push(textBlock(b, `system[${i}]`));
  }
  return parts.length === 0 ? undefined : { role: 'system', content: parts };
}

function pushUser(out: Message[], m: JsonObject, i: number): void {
  const c = m.content;
  if (typeof c === 'string') {
    out.push({ role: 'user', content: c });
    return;
  }
  if (!Array.isArray(c)) return fail(`messages[${i}].content`, `'messages[${i}].content' must be a string or an array of content blocks`);
  const parts: ContentPart[] = [];
  for (let j = 0; j < c.length; j++) {
    const b: unknown = c[j];
    const param = `messages[${i}].content[${j}]`;
    if (!isObject(b)) return fail(param, `'${param}' must be an object`);
    switch (b.type) {
      case 'text':
        parts.push(textBlock(b, param));
        break;
      case 'image':
        parts.push(imageBlock(b, param));
        break;
      case 'tool_result': {
        if (typeof b.tool_use_id !== 'string') return fail(`${param}.tool_use_id`, `'${param}.tool_use_id' must be a string`);
        const isError = optionalBoolean(b.is_error, `${param}.is_error`);
        out.push({ role: 'tool', toolCallId: b.tool_use_id, content: toolResultContent(b.content, `${param}.content`), ...(isError ? { isError: true } : {}) });
        break;
      }
      default:
        return fail(`${param}.type`, `Content block type '${String(b.type)}' is not supported by Conduit's Anthropic ingress`);
    }
  }
  if (parts.length > 0) out.push({ role: 'user', content: parts });
}

function pushAssistant(out: Message[], m: JsonObject, i: number): void {
  const c = m.content;
  if (typeof c === 'string') {
    out.push({ role: 'assistant', content: c });
    return;
  }
  if (!Array.isArray(c)) return fail(`messages[${i}].content`, `'messages[${i}].content' must be a string or an array of content blocks`);
  const texts: TextPart[] = [];
  const calls: ToolCall[] = [];
  let reasoning: string | undefined;
  for (let j = 0; j < c.length; j++) {
    const b: unknown = c[j];
    const param = `messages[${i}].content[${j}]`;
    if (!isObject(b)) return fail(param, `'${param}' must be an object`);
    switch (b.type) {
      case 'text':
        texts.push(textBlock(b, param));
        break;
      case 'tool_use':
        if (typeof b.id !== 'string' || typeof b.name !== 'string') return fail(param, `'${param}' must have string 'id' and 'name'`);
        calls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) });
        break;
      case 'thinking':
        if (typeof b.thinking === 'string') reasoning = (reasoning ?? '') + b.thinking;
        break;
      case 'redacted_thinking':
        break; // opaque to every backend but Anthropic; nothing to map
      default:
        return fail(`${param}.type`, `Content block type '${String(b.type)}' is not supported in assistant turns`);
    }
  }
  const msg: Message = { role: 'assistant', content: texts.length === 0 ? (calls.length > 0 ? null : '') : texts };
  if (calls.length > 0) msg.toolCalls = calls;
  if (reasoning !== undefined) msg.reasoning = reasoning;
  out.push(msg);
}

function parseTools(v: unknown): ToolDefinition[] {
  const arr = requireArray(v, 'tools');
  const out: ToolDefinition[] = [];
  for (let i = 0; i < arr.length; i++) {
    const t: unknown = arr[i];
    if (!isObject(t) || typeof t.name !== 'string') return fail(`tools[${i}]`, `'tools[${i}]' must have a string 'name'`);
    if (t.type !== undefined && t.type !== null && t.type !== 'custom') {
      return fail(`tools[${i}].type`, `Anthropic server tool '${String(t.type)}' is not supported by Conduit; define a custom tool with 'input_schema'`);
    }
    if (!isObject(t.input_schema)) return fail(`tools[${i}].input_schema`, `'tools[${i}].input_schema' must be a JSON Schema object`);
    const def: ToolDefinition = { name: t.name, parameters: t.input_schema };
    if (typeof t.description === 'string') def.description = t.description;
    const cc = cacheControl(t.cache_control, `tools[${i}].cache_control`);
    if (cc !== undefined) def.cacheControl = cc;
    out.push(def);
  }
  return out;
}

function parseToolChoice(v: unknown, request: ModelRequest): void {
  const tc = requireObject(v, 'tool_choice');
  let choice: ToolChoice;
  switch (tc.type) {
    case 'auto':
      choice = 'auto';
      break;
    case 'any':
      choice = 'required';
      break;
    case 'none':
      choice = 'none';
      break;
    case 'tool':
      choice = { type: 'tool', name: requireString(tc.name, 'tool_choice.name') };
      break;
    default:
      return fail('tool_choice.type', "'tool_choice.type' must be 'auto', 'any', 'tool' or 'none'");
  }
  request.toolChoice = choice;
  if (optionalBoolean(tc.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use') === true) request.parallelToolCalls = false;
}

/** Extended-thinking budget → the neutral effort tiers (and the exact budget for the Anthropic adapter). */
function effortForBudget(budget: number): 'low' | 'medium' | 'high' {
  return budget < 4096 ? 'low' : budget < 16384 ? 'medium' : 'high';
}

export function parseAnthropicMessagesRequest(body: unknown): AnthropicMessagesCall {
  const b = requireObject(body, 'body');
  const model = requireString(b.model, 'model');
  if (model.length === 0) fail('model', "'model' must not be empty");
  const maxTokens = optionalInteger(b.max_tokens, 'max_tokens', 1);
  if (maxTokens === undefined) fail('max_tokens', "'max_tokens' is required");
  const rawMessages = requireArray(b.messages, 'messages');
  if (rawMessages.length === 0) fail('messages', "'messages' must contain at least one message");

  const messages: Message[] = [];
  const system = parseSystem(b.system);
  if (system !== undefined) messages.push(system);
  for (let i = 0; i < rawMessages.length; i++) {
    const m: unknown = rawMessages[i];
    if (!isObject(m)) return fail(`messages[${i}]`, `'messages[${i}]' must be an object`);
    if (m.role === 'user') pushUser(messages, m, i);
    else if (m.role === 'assistant') pushAssistant(messages, m, i);
    else return fail(`messages[${i}].role`, `'messages[${i}].role' must be 'user' or 'assistant'`);
  }

  const request: ModelRequest = { messages, maxTokens };
  if (b.tools !== undefined && b.tools !== null) request.tools = parseTools(b.tools);
  if (b.tool_choice !== undefined && b.tool_choice !== null) parseToolChoice(b.tool_choice, request);
  const temperature = optionalNumber(b.temperature, 'temperature', 0, 1);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(b.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  if (b.stop_sequences !== undefined && b.stop_sequences !== null) {
    const stops = requireArray(b.stop_sequences, 'stop_sequences');
    for (let i = 0; i < stops.length; i++) if (typeof stops[i] !== 'string') fail(`stop_sequences[${i}]`, `'stop_sequences[${i}]' must be a string`);
    request.stop = stops as string[];
  }
  if (isObject(b.metadata) && typeof b.metadata.user_id === 'string') request.user = b.metadata.user_id;

  let anthropicOptions: JsonObject | undefined;
  const topK = optionalInteger(b.top_k, 'top_k', 0);
  if (topK !== undefined) (anthropicOptions ??= {}).top_k = topK;
  if (b.thinking !== undefined && b.thinking !== null) {
    const th = requireObject(b.thinking, 'thinking');
    if (th.type === 'enabled') {
      const budget = optionalInteger(th.budget_tokens, 'thinking.budget_tokens', 1) ?? 1024;
      request.reasoningEffort = effortForBudget(budget);
      (anthropicOptions ??= {}).thinking = { type: 'enabled', budget_tokens: budget };
    } else if (th.type !== 'disabled' && th.type !== 'adaptive') fail('thinking.type', "'thinking.type' must be 'enabled' or 'disabled'");
  }
  if (anthropicOptions !== undefined) request.providerOptions = { anthropic: anthropicOptions };

  const stream = optionalBoolean(b.stream, 'stream') ?? false;
  return { model, request, stream };
}
