/**
 * Pure mapping from Conduit's provider-neutral ModelRequest to an Anthropic Messages API body.
 * No I/O here, so every rule is unit-testable by asserting fields.
 *
 * Anthropic differs from the neutral (OpenAI-shaped) model in ways that need real work:
 * - there is no `system` role: system text is a top-level `system` field;
 * - turns must alternate user/assistant, so consecutive same-role messages are merged;
 * - tool results are `tool_result` blocks inside a *user* turn, and must come first in it;
 * - tool calls are `tool_use` blocks whose `input` is a JSON object, not a JSON string;
 * - `max_tokens` is required.
 *
 * Not handled here on purpose:
 * - `responseFormat: json_schema` — Anthropic has no native JSON-schema output mode. The planned
 *   strategy is a forced tool call (a synthetic tool whose input_schema is the schema, plus
 *   `tool_choice: {type:'tool'}`) implemented outside this adapter; this mapping ignores it.
 * - `seed`, `presencePenalty`, `frequencyPenalty`, `logprobs`: the Messages API has no
 *   equivalent; they are dropped rather than rejected so a request written for any provider runs.
 * - Assistant `reasoning` is not sent back: replaying thinking requires the block's `signature`,
 *   which the neutral message type does not carry.
 */
import { ConduitError } from '../../../core/errors.js';
import type { CacheControl, ContentPart, Message, TextPart, ToolChoice, ToolDefinition } from '../../../core/messages.js';
import type { ModelRequest } from '../../language-model.js';
import type {
  AnthropicAssistantBlock,
  AnthropicCacheControl,
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicRequestBody,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicUserBlock,
} from './wire-types.js';

export const ANTHROPIC_PROVIDER = 'anthropic';

/**
 * Extended-thinking budgets for `reasoningEffort`. 1024 is the API's minimum budget; each tier is
 * 4× the previous, which keeps "high" (16k) well under every current model's output limit.
 */
export const THINKING_BUDGET_TOKENS: Readonly<Record<'low' | 'medium' | 'high', number>> = {
  low: 1024,
  medium: 4096,
  high: 16384,
};

/**
 * Default `max_tokens` when the caller gives none (Anthropic rejects a request without it).
 *
 * Claude 3 (Opus/Sonnet/Haiku) and older models cannot emit more than 4096 output tokens, so
 * asking for more is a 400. Claude 3.5 and later accept at least 8192. We stop at 8192 rather
 * than each model's maximum (32k–64k) because Anthropic counts `max_tokens` against the
 * output-tokens-per-minute rate limit when a request starts, so a huge default ceiling would
 * throttle a busy gateway for tokens that are never generated. Callers wanting long outputs set
 * `maxTokens` (or `defaultMaxTokens` on the model).
 */
export function defaultMaxTokensFor(modelId: string): number {
  const id = modelId.toLowerCase();
  if (/^claude-(instant|2)/.test(id)) return 4096;
  if (/^claude-3-(opus|sonnet|haiku)/.test(id)) return 4096;
  return 8192;
}

export interface AnthropicRequestContext {
  modelId: string;
  /** Used when the request has no `maxTokens`; defaults to defaultMaxTokensFor(modelId). */
  defaultMaxTokens?: number;
  stream?: boolean;
}

/** Builds the complete POST /v1/messages body. Throws ConduitError('invalid_request') on unmappable input. */
export function toAnthropicRequest(request: ModelRequest, ctx: AnthropicRequestContext): AnthropicRequestBody {
  const { system, messages } = toAnthropicMessages(request.messages, ctx.modelId);
  const defaultMaxTokens = ctx.defaultMaxTokens ?? defaultMaxTokensFor(ctx.modelId);
  const body: AnthropicRequestBody = {
    model: ctx.modelId,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages,
  };
  if (system !== undefined) body.system = system;

  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map(toAnthropicTool);
    const choice = toAnthropicToolChoice(request.toolChoice, request.parallelToolCalls);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop && request.stop.length > 0) body.stop_sequences = [...request.stop];
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.reasoningEffort !== undefined) {
    body.thinking = { type: 'enabled', budget_tokens: THINKING_BUDGET_TOKENS[request.reasoningEffort] };
  }

  // Provider-specific pass-through (thinking, metadata, top_k, service_tier, …) wins over the
  // neutral fields: whoever names an Anthropic field explicitly means it. Shallow on purpose.
  const extra = request.providerOptions?.[ANTHROPIC_PROVIDER];
  if (extra) {
    for (const [key, value] of Object.entries(extra)) {
      if (value !== undefined) body[key] = value;
    }
  }
  if (ctx.stream) body.stream = true;

  fitThinkingBudget(body, request, defaultMaxTokens, ctx.modelId, extra);
  return body;
}

/**
 * Anthropic requires `budget_tokens < max_tokens` (thinking counts toward max_tokens). When the
 * caller did not choose max_tokens we raise it to budget + the default, so "high" effort still
 * leaves room for the answer; an explicit max_tokens is a hard cap the caller pays for, so there
 * we shrink the budget instead, and fail only when not even the API's 1024-token minimum fits.
 */
function fitThinkingBudget(
  body: AnthropicRequestBody,
  request: ModelRequest,
  defaultMaxTokens: number,
  modelId: string,
  extra: Record<string, unknown> | undefined,
): void {
  const thinking = body.thinking as unknown;
  if (typeof thinking !== 'object' || thinking === null) return;
  const budget = (thinking as { budget_tokens?: unknown }).budget_tokens;
  if ((thinking as { type?: unknown }).type !== 'enabled' || typeof budget !== 'number') return;
  if (body.max_tokens > budget) return;
  const explicitMax = request.maxTokens !== undefined || (extra !== undefined && extra.max_tokens !== undefined);
  if (!explicitMax) {
    body.max_tokens = budget + defaultMaxTokens;
    return;
  }
  const shrunk = body.max_tokens - 1;
  if (shrunk < THINKING_BUDGET_TOKENS.low) {
    throw invalid(
      `maxTokens (${body.max_tokens}) is too small for extended thinking: Anthropic needs max_tokens > budget_tokens >= ${THINKING_BUDGET_TOKENS.low}`,
      modelId,
      'max_tokens',
    );
  }
  body.thinking = { ...(thinking as object), budget_tokens: shrunk } as AnthropicRequestBody['thinking'];
}

/** Splits system text out and turns the rest into strictly alternating Anthropic turns. */
export function toAnthropicMessages(
  messages: Message[],
  modelId = '',
): { system: string | AnthropicTextBlock[] | undefined; messages: AnthropicMessageParam[] } {
  const systemParts: { text: string; cacheControl?: CacheControl }[] = [];
  const turns: AnthropicMessageParam[] = [];

  const push = (turn: AnthropicMessageParam) => {
    const last = turns[turns.length - 1];
    if (last && last.role === turn.role) {
      // Anthropic requires alternation: same-role neighbours become one turn, in order.
      (last.content as (AnthropicUserBlock | AnthropicAssistantBlock)[]).push(...turn.content);
    } else turns.push({ role: turn.role, content: [...turn.content] } as AnthropicMessageParam);
  };

  messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
        // System messages anywhere in the conversation are hoisted: the API has only one system slot.
        if (typeof message.content === 'string') systemParts.push({ text: message.content });
        else for (const p of message.content) systemParts.push(p.cacheControl ? { text: p.text, cacheControl: p.cacheControl } : { text: p.text });
        break;
      case 'user':
        push({ role: 'user', content: userContent(message.content, i, modelId) });
        break;
      case 'assistant': {
        const content = assistantContent(message, i, modelId);
        // An assistant turn with nothing in it (null content, no tool calls) is dropped: the API
        // rejects empty content, and it carries no information.
        if (content.length > 0) push({ role: 'assistant', content });
        break;
      }
      case 'tool':
        push({
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: message.toolCallId,
              content: typeof message.content === 'string' ? message.content : message.content.map(textBlock),
              ...(message.isError ? { is_error: true } : {}),
            },
          ],
        });
        break;
    }
  });

  // In a user turn, tool_result blocks must precede any other content (the API rejects the
  // request otherwise). A stable partition keeps each group's order.
  for (const turn of turns) {
    if (turn.role !== 'user') continue;
    const results = turn.content.filter((b) => b.type === 'tool_result');
    if (results.length > 0 && results.length < turn.content.length) {
      turn.content = [...results, ...turn.content.filter((b) => b.type !== 'tool_result')];
    }
  }

  return { system: toSystem(systemParts), messages: turns };
}

function toSystem(parts: { text: string; cacheControl?: CacheControl }[]): string | AnthropicTextBlock[] | undefined {
  const nonEmpty = parts.filter((p) => p.text !== '');
  if (nonEmpty.length === 0) return undefined;
  // A plain string is the common, most compatible form; blocks only when a cache marker must survive.
  if (nonEmpty.every((p) => p.cacheControl === undefined)) return nonEmpty.map((p) => p.text).join('\n\n');
  return nonEmpty.map((p) => textBlock({ type: 'text', text: p.text, ...(p.cacheControl ? { cacheControl: p.cacheControl } : {}) }));
}

function userContent(content: string | ContentPart[], index: number, modelId: string): AnthropicUserBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, j) => (part.type === 'text' ? textBlock(part) : imageBlock(part.url, part.mediaType, part.cacheControl, `messages[${index}].content[${j}]`, modelId)));
}

function assistantContent(message: Extract<Message, { role: 'assistant' }>, index: number, modelId: string): AnthropicAssistantBlock[] {
  const blocks: AnthropicAssistantBlock[] = [];
  if (typeof message.content === 'string') {
    if (message.content !== '') blocks.push({ type: 'text', text: message.content });
  } else if (message.content) {
    // Empty text blocks are rejected by the API; assistant turns often carry "" next to tool calls.
    for (const part of message.content) if (part.text !== '') blocks.push(textBlock(part));
  }
  message.toolCalls?.forEach((call, j) => {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseToolArguments(call.arguments, `messages[${index}].toolCalls[${j}].arguments`, modelId) });
  });
  return blocks;
}

/** Tool-call arguments arrive as JSON text; Anthropic wants the object. Empty text means "no arguments". */
function parseToolArguments(text: string, param: string, modelId: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(`${param} is not valid JSON`, modelId, param, err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(`${param} must be a JSON object (Anthropic tool input is an object)`, modelId, param);
  }
  return parsed as Record<string, unknown>;
}

function textBlock(part: TextPart): AnthropicTextBlock {
  const block: AnthropicTextBlock = { type: 'text', text: part.text };
  if (part.cacheControl) block.cache_control = cacheControl(part.cacheControl);
  return block;
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s;

function imageBlock(url: string, mediaType: string | undefined, cc: CacheControl | undefined, param: string, modelId: string): AnthropicImageBlock {
  let block: AnthropicImageBlock;
  if (url.startsWith('data:')) {
    const m = DATA_URL.exec(url);
    if (!m || !(m[2] ?? '').split(';').includes('base64')) {
      throw invalid(`${param}: image data URLs must be base64 (data:<mediaType>;base64,...)`, modelId, param);
    }
    block = { type: 'image', source: { type: 'base64', media_type: m[1] ?? mediaType ?? 'image/png', data: m[3] ?? '' } };
  } else {
    block = { type: 'image', source: { type: 'url', url } };
  }
  if (cc) block.cache_control = cacheControl(cc);
  return block;
}

function cacheControl(cc: CacheControl): AnthropicCacheControl {
  return cc.ttl ? { type: cc.type, ttl: cc.ttl } : { type: cc.type };
}

export function toAnthropicTool(tool: ToolDefinition): AnthropicTool {
  // The API requires input_schema.type === 'object'; a schema that leaves it implicit gets it added.
  const schema = tool.parameters ?? {};
  const out: AnthropicTool = { name: tool.name, input_schema: 'type' in schema ? schema : { type: 'object', ...schema } };
  if (tool.description !== undefined) out.description = tool.description;
  if (tool.cacheControl) out.cache_control = cacheControl(tool.cacheControl);
  return out;
}

export function toAnthropicToolChoice(choice: ToolChoice | undefined, parallelToolCalls: boolean | undefined): AnthropicToolChoice | undefined {
  const disableParallel = parallelToolCalls === false;
  if (choice === 'none') return { type: 'none' };
  let out: AnthropicToolChoice | undefined;
  if (choice === undefined) out = disableParallel ? { type: 'auto' } : undefined;
  else if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else out = { type: 'tool', name: choice.name };
  if (out && disableParallel) out.disable_parallel_tool_use = true;
  return out;
}

function invalid(message: string, modelId: string, param: string, cause?: unknown): ConduitError {
  return new ConduitError('invalid_request', `${ANTHROPIC_PROVIDER} (${modelId}): ${message}`, {
    provider: ANTHROPIC_PROVIDER,
    model: modelId,
    param,
    ...(cause !== undefined ? { cause } : {}),
  });
}
