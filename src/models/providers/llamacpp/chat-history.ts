/**
 * Conduit messages → node-llama-cpp chat history, for the `auto` prompt format where the model's
 * own chat template renders the conversation. This provider has no native tool calling, so tool
 * traffic earlier in a conversation is kept as plain text: an assistant's tool calls as
 * `{"name": …, "arguments": …}` lines, a tool result as a user turn `[tool result {id}]\n{content}`.
 */
import type { ChatHistoryItem } from 'node-llama-cpp';
import type { Message } from '../../../core/messages.js';
import { contentText } from '../../../core/messages.js';
import { toolArguments } from '../../templates/render-helpers.js';

function assistantText(message: Extract<Message, { role: 'assistant' }>): string {
  const parts = [contentText(message.content)];
  for (const call of message.toolCalls ?? []) parts.push(JSON.stringify({ name: call.name, arguments: toolArguments(call) }));
  return parts.filter((p) => p !== '').join('\n');
}

/**
 * The history to complete. It always ends with a model turn: an empty one, or — when the
 * conversation ends with an assistant message without tool calls — that message, which the model
 * then continues (prefill).
 */
export function toChatHistory(messages: readonly Message[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: contentText(message.content) });
        break;
      case 'user':
        history.push({ type: 'user', text: contentText(message.content) });
        break;
      case 'tool':
        history.push({ type: 'user', text: `[tool result ${message.toolCallId}]\n${contentText(message.content)}` });
        break;
      case 'assistant':
        history.push({ type: 'model', response: [assistantText(message)] });
        break;
    }
  }
  const last = messages[messages.length - 1];
  const continuesLast = last?.role === 'assistant' && (last.toolCalls ?? []).length === 0;
  if (!continuesLast) history.push({ type: 'model', response: [] });
  return history;
}
