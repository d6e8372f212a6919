/**
 * Text rendering shared by the prompt formats. Images are dropped (raw-completion prompts are
 * text only; a caller that must not lose them rejects image parts before formatting).
 */
import { contentText, type AssistantMessage, type Message, type ToolCall } from '../../core/messages.js';

/** The text of any message's content (assistant `null` content becomes ''). */
export function messageText(message: Message): string {
  return contentText(message.content);
}

/**
 * A tool call's arguments as a JSON value: parsed when they parse (the normal case), else the raw
 * text as a string, so a rendering is always valid JSON even when a model produced broken
 * arguments earlier in the conversation. Empty arguments mean `{}`.
 */
export function toolArguments(call: ToolCall): unknown {
  if (call.arguments.trim() === '') return {};
  try {
    return JSON.parse(call.arguments) as unknown;
  } catch {
    return call.arguments;
  }
}

/**
 * A tool call as a JSON object `{"name": …, "<argumentsKey>": …}` (see toolArguments). */
export function toolCallJson(call: ToolCall, argumentsKey: 'arguments' | 'parameters'): string {
  return JSON.stringify({ name: call.name, [argumentsKey]: toolArguments(call) });
}

export function hasToolCalls(message: Message): message is AssistantMessage & { toolCalls: ToolCall[] } {
  return message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0;
}
