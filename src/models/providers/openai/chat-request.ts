/**
 * Pure mapping ModelRequest → Chat Completions request body (no I/O; cf. LiteLLM's
 * transformation.py). Shared by the `openai` and `openai-compatible` providers, which differ only
 * in the settings passed here.
 */
import { ConduitError } from '../../../core/errors.js';
import type { ContentPart, Message, ResponseFormat, TextPart, ToolChoice, ToolDefinition } from '../../../core/messages.js';
import type { ModelRequest } from '../../language-model.js';
import type {
  OpenAIChatCompletionsBody,
  OpenAIChatMessage,
  OpenAIContentPart,
  OpenAIFunctionTool,
  OpenAIResponseFormat,
  OpenAIToolChoice,
} from './wire-types.js';

export interface ChatRequestSettings {
  modelId: string;
  /**
   * Which field carries `maxTokens`. `auto` picks `max_completion_tokens` for reasoning models and
   * `max_tokens` for the rest (see maxTokensField below).
   */
  maxTokensParam?: 'auto' | 'max_tokens' | 'max_completion_tokens';
  /** Keys of `request.providerOptions` merged into the body, in order (later keys win). Default `['openai']`. */
  providerOptionsKeys?: string[];
}

export interface ChatStreamSettings {
  stream: boolean;
  /** Ask for the final usage chunk (`stream_options.include_usage`). */
  includeUsage?: boolean;
}

export function toChatCompletionsBody(request: ModelRequest, settings: ChatRequestSettings, streaming: ChatStreamSettings = { stream: false }): OpenAIChatCompletionsBody {
  const body: OpenAIChatCompletionsBody = { model: settings.modelId, messages: request.messages.map(toOpenAIMessage) };
  if (streaming.stream) {
    body.stream = true;
    if (streaming.includeUsage ?? true) body.stream_options = { include_usage: true };
  }
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map(toOpenAITool);
    // OpenAI rejects parallel_tool_calls when no tools are given, so it is only sent with tools.
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.toolChoice !== undefined) body.tool_choice = toOpenAIToolChoice(request.toolChoice);
  if (request.responseFormat !== undefined) body.response_format = toOpenAIResponseFormat(request.responseFormat);
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.maxTokens !== undefined) body[maxTokensField(settings)] = request.maxTokens;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.logprobs !== undefined) body.logprobs = request.logprobs;
  if (request.topLogprobs !== undefined) {
    body.top_logprobs = request.topLogprobs;
    // top_logprobs without logprobs:true is a 400 at OpenAI; asking for the top ones implies wanting logprobs.
    body.logprobs = true;
  }
  if (request.user !== undefined) body.user = request.user;
  if (request.reasoningEffort !== undefined) body.reasoning_effort = request.reasoningEffort;

  for (const key of settings.providerOptionsKeys ?? ['openai']) {
    const extra = request.providerOptions?.[key];
    if (extra) Object.assign(body, extra);
  }
  return body;
}

/**
 * OpenAI's reasoning models (o1/o3/o4…, gpt-5…) reject `max_tokens` with a 400 and require
 * `max_completion_tokens`, which also counts the hidden reasoning tokens. Older models accept
 * both, but many OpenAI-compatible servers and older Azure API versions only know `max_tokens`,
 * so `max_tokens` stays the default wherever it still works.
 */
export function maxTokensField(settings: ChatRequestSettings): 'max_tokens' | 'max_completion_tokens' {
  const param = settings.maxTokensParam ?? 'auto';
  if (param !== 'auto') return param;
  return isReasoningModel(settings.modelId) ? 'max_completion_tokens' : 'max_tokens';
}

/** o1, o1-mini, o3-mini-2025-01-31, o4-mini, gpt-5, gpt-5-mini, gpt-5.1…, with or without an `org/` prefix. */
export function isReasoningModel(modelId: string): boolean {
  const id = modelId.slice(modelId.lastIndexOf('/') + 1).toLowerCase();
  return /^o\d+(?:$|[-.])/.test(id) || /^gpt-5(?:$|[-.])/.test(id);
}

export function toOpenAIMessage(message: Message): OpenAIChatMessage {
  switch (message.role) {
    case 'system':
      // A plain string: every OpenAI-compatible server accepts it, not all accept part arrays here.
      return { role: 'system', content: joinText(message.content) };
    case 'user': {
      const out: OpenAIChatMessage = { role: 'user', content: typeof message.content === 'string' ? message.content : message.content.map(toOpenAIContentPart) };
      if (message.name !== undefined) out.name = message.name;
      return out;
    }
    case 'assistant': {
      const text = message.content === null ? null : joinText(message.content);
      const calls = message.toolCalls ?? [];
      // OpenAI requires content or tool_calls: a tool-call turn sends null for no text, a turn with
      // neither sends an empty text.
      const content = calls.length > 0 ? (text === '' ? null : text) : (text ?? '');
      const out: OpenAIChatMessage = { role: 'assistant', content };
      if (calls.length > 0) out.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
      return out;
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: joinText(message.content) };
    default: {
      const role: unknown = (message as { role: unknown }).role;
      throw new ConduitError('invalid_request', `unknown message role: ${String(role)}`, { param: 'messages' });
    }
  }
}

function toOpenAIContentPart(part: ContentPart): OpenAIContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const image: OpenAIContentPart = { type: 'image_url', image_url: { url: part.url } };
  if (part.detail !== undefined) image.image_url.detail = part.detail;
  return image;
}

function joinText(content: string | TextPart[]): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

export function toOpenAITool(tool: ToolDefinition): OpenAIFunctionTool {
  const fn: OpenAIFunctionTool['function'] = { name: tool.name, parameters: tool.parameters };
  if (tool.description !== undefined) fn.description = tool.description;
  if (tool.strict !== undefined) fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

export function toOpenAIToolChoice(choice: ToolChoice): OpenAIToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function toOpenAIResponseFormat(format: ResponseFormat): OpenAIResponseFormat {
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json':
      return { type: 'json_object' };
    case 'json_schema': {
      const jsonSchema: Extract<OpenAIResponseFormat, { type: 'json_schema' }>['json_schema'] = { name: format.name, schema: format.schema };
      if (format.strict !== undefined) jsonSchema.strict = format.strict;
      if (format.description !== undefined) jsonSchema.description = format.description;
      return { type: 'json_schema', json_schema: jsonSchema };
    }
  }
}
