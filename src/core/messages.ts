/**
 * Provider-neutral conversation types. Every provider adapter maps these to and from its own
 * wire format; nothing above the model layer ever sees a provider's shapes.
 */

/** Anthropic-style prompt-cache marker; passed through by providers that support it, ignored by others. */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface TextPart {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

export interface ImagePart {
  type: 'image';
  /** An https URL or a `data:<mediaType>;base64,...` URL. */
  url: string;
  mediaType?: string;
  detail?: 'auto' | 'low' | 'high';
  cacheControl?: CacheControl;
}

export type ContentPart = TextPart | ImagePart;

export interface SystemMessage {
  role: 'system';
  content: string | TextPart[];
}

export interface UserMessage {
  role: 'user';
  content: string | ContentPart[];
  name?: string;
}

export interface AssistantMessage {
  role: 'assistant';
  /** Null when the turn is only tool calls. */
  content: string | TextPart[] | null;
  toolCalls?: ToolCall[];
  /** Visible reasoning text when a provider returns it (not sent back upstream unless a provider requires it). */
  reasoning?: string;
}

export interface ToolMessage {
  role: 'tool';
  toolCallId: string;
  content: string | TextPart[];
  isError?: boolean;
}

export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
export type Role = Message['role'];

/** A tool call as the model produced it. `arguments` is the raw JSON text, exactly as streamed/returned. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** JSON Schema as a plain object; validated by whoever consumes it. */
export type JsonSchema = { [key: string]: unknown };

export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: JsonSchema;
  /** OpenAI strict mode; ignored elsewhere. */
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json_schema'; name: string; schema: JsonSchema; strict?: boolean; description?: string };

/** Concatenates the text of a message's content, ignoring non-text parts. */
export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) if (part.type === 'text') out += part.text;
  return out;
}
