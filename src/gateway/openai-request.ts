/**
 * OpenAI Chat Completions / Embeddings request bodies → the provider-neutral ModelRequest.
 * Every standard field is accepted and type-checked; fields Conduit cannot honour on every backend
 * (`n` > 1, audio/file parts, token-array embedding input) are refused with a clear 400 rather
 * than silently dropped. Unknown top-level fields are ignored (vendor extensions are common).
 * OpenAI-only knobs with no neutral equivalent are forwarded under `providerOptions.openai`.
 */
import type { ModelRequest } from '../models/language-model.js';
import type {
  AssistantMessage,
  CacheControl,
  ContentPart,
  Message,
  ResponseFormat,
  TextPart,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../core/messages.js';
import {
  fail,
  isObject,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalString,
  requireArray,
  requireObject,
  requireString,
} from './validate.js';
import type { JsonObject } from './validate.js';

export interface ChatCompletionCall {
  /** The model name as the client sent it (alias, `provider/model` or bare name). */
  model: string;
  request: ModelRequest;
  stream: boolean;
  /** `stream_options.include_usage`: send a final usage chunk with `choices: []`. */
  includeUsage: boolean;
}

/** Passed through to the OpenAI adapter untouched (it reads only `providerOptions.openai`). */
const OPENAI_PASSTHROUGH = ['logit_bias', 'service_tier', 'store', 'metadata', 'prediction', 'modalities', 'audio', 'web_search_options', 'verbosity'] as const;

const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} };

export function parseChatCompletionRequest(body: unknown): ChatCompletionCall {
  const b = requireObject(body, 'body');
  const model = requireString(b.model, 'model');
  if (model.length === 0) fail('model', "'model' must not be empty");

  const n = optionalInteger(b.n, 'n', 1);
  if (n !== undefined && n !== 1) fail('n', `'n' = ${n} is not supported by Conduit: only one choice per request (n = 1)`);

  const request: ModelRequest = { messages: parseMessages(b.messages) };

  if (b.tools !== undefined && b.tools !== null) request.tools = parseTools(b.tools);
  if (b.tool_choice !== undefined && b.tool_choice !== null) request.toolChoice = parseToolChoice(b.tool_choice);
  const parallel = optionalBoolean(b.parallel_tool_calls, 'parallel_tool_calls');
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  if (b.response_format !== undefined && b.response_format !== null) request.responseFormat = parseResponseFormat(b.response_format);

  const temperature = optionalNumber(b.temperature, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(b.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const maxCompletion = optionalInteger(b.max_completion_tokens, 'max_completion_tokens', 1);
  const maxTokens = optionalInteger(b.max_tokens, 'max_tokens', 1);
  if (maxCompletion !== undefined) request.maxTokens = maxCompletion;
  else if (maxTokens !== undefined) request.maxTokens = maxTokens;
  if (b.stop !== undefined && b.stop !== null) request.stop = parseStop(b.stop);
  const seed = optionalInteger(b.seed, 'seed', Number.MIN_SAFE_INTEGER);
  if (seed !== undefined) request.seed = seed;
  const presence = optionalNumber(b.presence_penalty, 'presence_penalty', -2, 2);
  if (presence !== undefined) request.presencePenalty = presence;
  const frequency = optionalNumber(b.frequency_penalty, 'frequency_penalty', -2, 2);
  if (frequency !== undefined) request.frequencyPenalty = frequency;
  const logprobs = optionalBoolean(b.logprobs, 'logprobs');
  if (logprobs !== undefined) request.logprobs = logprobs;
  const topLogprobs = optionalInteger(b.top_logprobs, 'top_logprobs', 0, 20);
  if (topLogprobs !== undefined) {
    if (logprobs !== true) fail('top_logprobs', "'top_logprobs' requires 'logprobs' to be true");
    request.topLogprobs = topLogprobs;
  }
  const user = optionalString(b.user, 'user');
  if (user !== undefined) request.user = user;
  if (b.reasoning_effort !== undefined && b.reasoning_effort !== null) request.reasoningEffort = parseReasoningEffort(b.reasoning_effort);

  let passthrough: JsonObject | undefined;
  for (const key of OPENAI_PASSTHROUGH) {
    const v = b[key];
    if (v !== undefined && v !== null) (passthrough ??= {})[key] = v;
  }
  if (passthrough !== undefined) request.providerOptions = { openai: passthrough };

  const stream = optionalBoolean(b.stream, 'stream') ?? false;
  let includeUsage = false;
  if (b.stream_options !== undefined && b.stream_options !== null) {
    const so = requireObject(b.stream_options, 'stream_options');
    if (!stream) fail('stream_options', "'stream_options' is only allowed when 'stream' is true");
    includeUsage = optionalBoolean(so.include_usage, 'stream_options.include_usage') ?? false;
  }
  return { model, request, stream, includeUsage };
}

function parseReasoningEffort(v: unknown): 'low' | 'medium' | 'high' {
  switch (v) {
    case 'low':
    case 'medium':
    case 'high':
      return v;
    case 'minimal':
      return 'low'; // the closest tier every backend understands
    default:
      return fail('reasoning_effort', "'reasoning_effort' must be one of 'minimal', 'low', 'medium', 'high'");
  }
}

function parseStop(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return fail('stop', "'stop' must be a string or an array of strings");
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') fail(`stop[${i}]`, `'stop[${i}]' must be a string`);
  return v as string[];
}

function parseCacheControl(v: unknown, param: string): CacheControl | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || v.type !== 'ephemeral') return fail(param, `'${param}' must be {"type":"ephemeral"}`);
  if (v.ttl === '5m' || v.ttl === '1h') return { type: 'ephemeral', ttl: v.ttl };
  return { type: 'ephemeral' };
}

function parseMessages(v: unknown): Message[] {
  if (!Array.isArray(v)) return fail('messages', "'messages' must be an array");
  if (v.length === 0) fail('messages', "'messages' must contain at least one message");
  const out: Message[] = new Array<Message>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = parseMessage(v[i], i);
  return out;
}

function parseMessage(m: unknown, i: number): Message {
  if (!isObject(m)) return fail(`messages[${i}]`, `'messages[${i}]' must be an object`);
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: parseTextContent(m.content, i) };
    case 'user': {
      const content = parseUserContent(m.content, i);
      return typeof m.name === 'string' ? { role: 'user', content, name: m.name } : { role: 'user', content };
    }
    case 'assistant':
      return parseAssistant(m, i);
    case 'tool': {
      if (typeof m.tool_call_id !== 'string') fail(`messages[${i}].tool_call_id`, `'messages[${i}].tool_call_id' must be a string`);
      return { role: 'tool', toolCallId: m.tool_call_id, content: parseTextContent(m.content, i) };
    }
    case 'function':
      return fail(`messages[${i}].role`, "The legacy 'function' role is not supported; use 'tool' messages with 'tool_call_id'");
    default:
      return fail(`messages[${i}].role`, `'messages[${i}].role' must be one of 'system', 'developer', 'user', 'assistant', 'tool'`);
  }
}

function parseTextContent(c: unknown, i: number): string | TextPart[] {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return fail(`messages[${i}].content`, `'messages[${i}].content' must be a string or an array of text parts`);
  const parts: TextPart[] = new Array<TextPart>(c.length);
  for (let j = 0; j < c.length; j++) {
    const p: unknown = c[j];
    if (!isObject(p) || p.type !== 'text' || typeof p.text !== 'string') {
      return fail(`messages[${i}].content[${j}]`, `'messages[${i}].content[${j}]' must be a text part {"type":"text","text":...}`);
    }
    parts[j] = textPart(p, i, j);
  }
  return parts;
}

function textPart(p: JsonObject, i: number, j: number): TextPart {
  const cc = p.cache_control === undefined ? undefined : parseCacheControl(p.cache_control, `messages[${i}].content[${j}].cache_control`);
  return cc === undefined ? { type: 'text', text: p.text as string } : { type: 'text', text: p.text as string, cacheControl: cc };
}

function parseUserContent(c: unknown, i: number): string | ContentPart[] {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return fail(`messages[${i}].content`, `'messages[${i}].content' must be a string or an array of content parts`);
  const parts: ContentPart[] = new Array<ContentPart>(c.length);
  for (let j = 0; j < c.length; j++) {
    const p: unknown = c[j];
    if (!isObject(p)) return fail(`messages[${i}].content[${j}]`, `'messages[${i}].content[${j}]' must be an object`);
    if (p.type === 'text') {
      if (typeof p.text !== 'string') fail(`messages[${i}].content[${j}].text`, `'messages[${i}].content[${j}].text' must be a string`);
      parts[j] = textPart(p, i, j);
    } else if (p.type === 'image_url') {
      const img = p.image_url;
      if (!isObject(img) || typeof img.url !== 'string') {
        return fail(`messages[${i}].content[${j}].image_url`, `'messages[${i}].content[${j}].image_url' must be {"url": string}`);
      }
      const part: ContentPart = { type: 'image', url: img.url };
      if (img.detail === 'auto' || img.detail === 'low' || img.detail === 'high') part.detail = img.detail;
      if (img.url.startsWith('data:')) {
        const semi = img.url.indexOf(';');
        if (semi > 5) part.mediaType = img.url.slice(5, semi);
      }
      parts[j] = part;
    } else {
      return fail(
        `messages[${i}].content[${j}].type`,
        `Content part type '${String(p.type)}' is not supported by Conduit; use 'text' or 'image_url'`,
      );
    }
  }
  return parts;
}

function parseAssistant(m: JsonObject, i: number): AssistantMessage {
  let content: string | TextPart[] | null;
  const c = m.content;
  if (c === null || c === undefined) content = null;
  else if (typeof c === 'string') content = c;
  else if (Array.isArray(c)) {
    const parts: TextPart[] = [];
    for (let j = 0; j < c.length; j++) {
      const p: unknown = c[j];
      if (isObject(p) && p.type === 'text' && typeof p.text === 'string') parts.push(textPart(p, i, j));
      else if (isObject(p) && p.type === 'refusal' && typeof p.refusal === 'string') parts.push({ type: 'text', text: p.refusal });
      else return fail(`messages[${i}].content[${j}]`, `'messages[${i}].content[${j}]' must be a text or refusal part`);
    }
    content = parts;
  } else return fail(`messages[${i}].content`, `'messages[${i}].content' must be a string, an array of text parts, or null`);

  const msg: AssistantMessage = { role: 'assistant', content };
  const tc = m.tool_calls;
  if (tc !== undefined && tc !== null) {
    if (!Array.isArray(tc)) return fail(`messages[${i}].tool_calls`, `'messages[${i}].tool_calls' must be an array`);
    const calls: ToolCall[] = new Array<ToolCall>(tc.length);
    for (let k = 0; k < tc.length; k++) {
      const call: unknown = tc[k];
      const fn = isObject(call) ? call.function : undefined;
      if (!isObject(call) || typeof call.id !== 'string' || !isObject(fn) || typeof fn.name !== 'string' || typeof fn.arguments !== 'string') {
        return fail(
          `messages[${i}].tool_calls[${k}]`,
          `'messages[${i}].tool_calls[${k}]' must be {"id": string, "type": "function", "function": {"name": string, "arguments": string}}`,
        );
      }
      calls[k] = { id: call.id, name: fn.name, arguments: fn.arguments };
    }
    if (calls.length > 0) msg.toolCalls = calls;
  }
  if (typeof m.reasoning_content === 'string') msg.reasoning = m.reasoning_content;
  return msg;
}

function parseTools(v: unknown): ToolDefinition[] {
  const arr = requireArray(v, 'tools');
  const out: ToolDefinition[] = new Array<ToolDefinition>(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const t: unknown = arr[i];
    const fn = isObject(t) ? t.function : undefined;
    if (!isObject(t) || t.type !== 'function' || !isObject(fn) || typeof fn.name !== 'string') {
      return fail(`tools[${i}]`, `'tools[${i}]' must be {"type": "function", "function": {"name": string, ...}}`);
    }
    const params = fn.parameters;
    if (params !== undefined && params !== null && !isObject(params)) fail(`tools[${i}].function.parameters`, `'tools[${i}].function.parameters' must be a JSON Schema object`);
    const def: ToolDefinition = { name: fn.name, parameters: isObject(params) ? params : EMPTY_OBJECT_SCHEMA };
    if (typeof fn.description === 'string') def.description = fn.description;
    if (typeof fn.strict === 'boolean') def.strict = fn.strict;
    if (t.cache_control !== undefined) {
      const cc = parseCacheControl(t.cache_control, `tools[${i}].cache_control`);
      if (cc !== undefined) def.cacheControl = cc;
    }
    out[i] = def;
  }
  return out;
}

function parseToolChoice(v: unknown): ToolChoice {
  if (v === 'auto' || v === 'none' || v === 'required') return v;
  if (isObject(v) && v.type === 'function' && isObject(v.function) && typeof v.function.name === 'string') {
    return { type: 'tool', name: v.function.name };
  }
  return fail('tool_choice', "'tool_choice' must be 'auto', 'none', 'required' or {\"type\":\"function\",\"function\":{\"name\":...}}");
}

function parseResponseFormat(v: unknown): ResponseFormat {
  const rf = requireObject(v, 'response_format');
  switch (rf.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      const js = rf.json_schema;
      if (!isObject(js) || typeof js.name !== 'string') return fail('response_format.json_schema', "'response_format.json_schema' must be {\"name\": string, \"schema\": object}");
      const schema = js.schema ?? {};
      if (!isObject(schema)) return fail('response_format.json_schema.schema', "'response_format.json_schema.schema' must be a JSON Schema object");
      const out: ResponseFormat = { type: 'json_schema', name: js.name, schema };
      if (typeof js.strict === 'boolean') out.strict = js.strict;
      if (typeof js.description === 'string') out.description = js.description;
      return out;
    }
    default:
      return fail('response_format.type', "'response_format.type' must be 'text', 'json_object' or 'json_schema'");
  }
}

// ---------------------------------------------------------------------------------------------
// Embeddings

export interface EmbeddingCall {
  model: string;
  inputs: string[];
  encodingFormat: 'float' | 'base64';
  dimensions: number | undefined;
}

/** OpenAI's own per-request cap on embedding inputs. */
const MAX_EMBEDDING_INPUTS = 2048;

export function parseEmbeddingRequest(body: unknown): EmbeddingCall {
  const b = requireObject(body, 'body');
  const model = requireString(b.model, 'model');
  if (model.length === 0) fail('model', "'model' must not be empty");
  let inputs: string[];
  const input = b.input;
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input)) {
    if (input.length === 0) fail('input', "'input' must not be empty");
    if (input.length > MAX_EMBEDDING_INPUTS) fail('input', `'input' may hold at most ${MAX_EMBEDDING_INPUTS} items`);
    for (let i = 0; i < input.length; i++) {
      if (typeof input[i] !== 'string') {
        return fail(`input[${i}]`, 'Token-array embedding input is not supported by Conduit; send the input as strings');
      }
    }
    inputs = input as string[];
  } else return fail('input', "'input' must be a string or an array of strings");
  let encodingFormat: 'float' | 'base64' = 'float';
  if (b.encoding_format !== undefined && b.encoding_format !== null) {
    if (b.encoding_format !== 'float' && b.encoding_format !== 'base64') fail('encoding_format', "'encoding_format' must be 'float' or 'base64'");
    encodingFormat = b.encoding_format;
  }
  const dimensions = optionalInteger(b.dimensions, 'dimensions', 1);
  return { model, inputs, encodingFormat, dimensions };
}
