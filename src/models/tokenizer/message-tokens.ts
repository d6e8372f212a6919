/**
 * Prompt token counting for a whole conversation, following OpenAI's documented chat overhead
 * (openai-cookbook, "How to count tokens with tiktoken"): every message costs 3 tokens of framing
 * (`<|start|>role<|message|>…<|end|>`) plus its role and content, a `name` costs 1 more, and every
 * reply is primed with 3 tokens. Tool definitions are rendered the way OpenAI renders them into the
 * prompt (a TypeScript `namespace functions`), using gpt-tokenizer's implementation of that
 * community-verified format. For exact tokenizers the result matches `usage.prompt_tokens` for text
 * conversations; for other models it is an estimate with the same structure.
 */
import {
  FUNCTION_CALL_METADATA_TOKEN_OVERHEAD,
  FUNCTION_DEFINITION_TOKEN_OVERHEAD,
  SYSTEM_FUNCTION_TOKEN_DEDUCTION,
  formatFunctionDefinitions,
  type ChatCompletionFunctionDefinition,
  type ChatCompletionFunctionProperty,
  type ChatCompletionObjectProperty,
} from 'gpt-tokenizer/functionCalling';
import type { ContentPart, Message, ToolDefinition } from '../../core/messages.js';
import { tokenizerFor, type Tokenizer } from './tokenizer.js';

export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
export const REPLY_PRIMING_TOKENS = 3;

/**
 * Images are billed by size (OpenAI: 85 base + 170 per 512-px tile at high detail), which the
 * message does not carry. Low detail is always 85; otherwise this assumes a 1024×1024 image
 * (85 + 4 × 170), a common size, so the estimate is neither free nor wildly high.
 */
export const IMAGE_TOKENS_LOW_DETAIL = 85;
export const IMAGE_TOKENS_ESTIMATE = 765;

export function countMessageTokens(provider: string, model: string, messages: Message[], tools?: ToolDefinition[]): number {
  const tokenizer = tokenizerFor(provider, model);
  const hasTools = tools !== undefined && tools.length > 0;
  // With tools present OpenAI joins the tool namespace to the first system message with a newline.
  let systemPadded = false;
  let total = 0;

  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + tokenizer.count(message.role);
    switch (message.role) {
      case 'system': {
        let text = textOf(message.content);
        if (hasTools && !systemPadded) {
          systemPadded = true;
          if (text.length > 0 && !text.endsWith('\n')) text += '\n';
        }
        total += tokenizer.count(text);
        break;
      }
      case 'user':
        total += contentTokens(tokenizer, message.content);
        if (message.name) total += tokenizer.count(message.name) + TOKENS_PER_NAME;
        break;
      case 'assistant':
        total += contentTokens(tokenizer, message.content);
        for (const call of message.toolCalls ?? []) {
          total += tokenizer.count(call.name) + tokenizer.count(call.arguments) + FUNCTION_CALL_METADATA_TOKEN_OVERHEAD;
        }
        break;
      case 'tool':
        total += contentTokens(tokenizer, message.content);
        break;
    }
  }
  total += REPLY_PRIMING_TOKENS;

  if (hasTools) {
    total += tokenizer.count(formatFunctionDefinitions(tools.map(toFunctionDefinition))) + FUNCTION_DEFINITION_TOKEN_OVERHEAD;
    if (messages.some((m) => m.role === 'system')) total -= SYSTEM_FUNCTION_TOKEN_DEDUCTION;
  }
  return total;
}

function textOf(content: string | { text: string }[]): string {
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) out += part.text;
  return out;
}

function contentTokens(tokenizer: Tokenizer, content: string | ContentPart[] | null): number {
  if (content == null) return 0;
  if (typeof content === 'string') return tokenizer.count(content);
  let text = '';
  let images = 0;
  for (const part of content) {
    if (part.type === 'text') text += part.text;
    else images += part.detail === 'low' ? IMAGE_TOKENS_LOW_DETAIL : IMAGE_TOKENS_ESTIMATE;
  }
  return tokenizer.count(text) + images;
}

function toFunctionDefinition(tool: ToolDefinition): ChatCompletionFunctionDefinition {
  const parameters = toProperty(tool.parameters);
  return {
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    ...(parameters?.type === 'object' ? { parameters } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Narrows an arbitrary JSON Schema to the subset the prompt renderer understands. Anything it
 * cannot render (unions, `$ref`, boolean schemas) is dropped to `undefined`, which renders as `any`,
 * exactly as OpenAI does for types it has no TypeScript spelling for.
 */
function toProperty(schema: unknown): ChatCompletionFunctionProperty | undefined {
  if (!isRecord(schema)) return undefined;
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  const withDescription = description === undefined ? {} : { description };
  switch (schema.type) {
    case 'string': {
      const values = Array.isArray(schema.enum) ? schema.enum.filter((v): v is string => typeof v === 'string') : undefined;
      return { type: 'string', ...withDescription, ...(values && values.length > 0 ? { enum: values } : {}) };
    }
    case 'number':
    case 'integer': {
      const values = Array.isArray(schema.enum)
        ? schema.enum.filter((v): v is number | string => typeof v === 'number' || typeof v === 'string')
        : undefined;
      return { type: schema.type, ...withDescription, ...(values && values.length > 0 ? { enum: values } : {}) };
    }
    case 'boolean':
    case 'null':
      return { type: schema.type, ...withDescription };
    case 'array': {
      const items = toProperty(schema.items);
      return { type: 'array', ...withDescription, ...(items ? { items } : {}) };
    }
    case 'object': {
      const out: ChatCompletionObjectProperty = { type: 'object', ...withDescription };
      if (Array.isArray(schema.required)) out.required = schema.required.filter((r): r is string => typeof r === 'string');
      if (isRecord(schema.properties)) {
        const properties: Record<string, ChatCompletionFunctionProperty> = {};
        for (const [key, value] of Object.entries(schema.properties)) {
          // Unrenderable property schemas still appear as `key: any`, as OpenAI shows them.
          properties[key] = toProperty(value) ?? ({ type: 'any' } as unknown as ChatCompletionFunctionProperty);
        }
        out.properties = properties;
      }
      return out;
    }
    default:
      return undefined;
  }
}
