/**
 * Llama 2 chat (Meta's format, also used by many Llama 2 fine-tunes), matching the reference
 * `chat_completion` code and the Hugging Face template (contents are trimmed):
 *
 *   <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s><s>[INST] {user} [/INST]
 *
 * The system prompt only exists inside the first [INST] block, so every system message is joined
 * there (blank-line separated). Llama 2 has no tool role: a tool result is a user-side block
 * `[tool result {id}]\n{content}`, an assistant's tool calls are JSON objects
 * `{"name": …, "arguments": {…}}` on their own lines, and consecutive user/tool messages share one
 * [INST] block because the format strictly alternates user and assistant turns.
 * A trailing assistant message without tool calls is left open, so the model continues it.
 */
import type { Message } from '../../core/messages.js';
import type { FormattedPrompt } from './types.js';
import { hasToolCalls, messageText, toolCallJson } from './render-helpers.js';

function userSideText(message: Message): string {
  if (message.role === 'tool') return `[tool result ${message.toolCallId}]\n${messageText(message).trim()}`;
  return messageText(message).trim();
}

function assistantText(message: Message): string {
  const parts = [messageText(message).trim()];
  if (hasToolCalls(message)) for (const call of message.toolCalls) parts.push(toolCallJson(call, 'arguments'));
  return parts.filter((p) => p !== '').join('\n');
}

export function formatLlama2(messages: readonly Message[]): FormattedPrompt {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => messageText(m).trim())
    .join('\n\n');
  const turns = messages.filter((m) => m.role !== 'system');

  let prompt = '';
  let pendingUser: string[] = [];
  let systemUsed = system === '';
  const openInst = (): void => {
    let body = pendingUser.join('\n\n');
    if (!systemUsed) {
      body = `<<SYS>>\n${system}\n<</SYS>>\n\n${body}`;
      systemUsed = true;
    }
    prompt += `<s>[INST] ${body} [/INST]`;
    pendingUser = [];
  };

  let endedOpen = false;
  turns.forEach((message, i) => {
    if (message.role !== 'assistant') {
      pendingUser.push(userSideText(message));
      return;
    }
    openInst();
    const text = assistantText(message);
    if (i === turns.length - 1 && !hasToolCalls(message)) {
      prompt += text === '' ? '' : ` ${text}`;
      endedOpen = true;
      return;
    }
    prompt += ` ${text} </s>`;
  });
  if (!endedOpen) openInst();
  return { prompt, stop: ['</s>', '[INST]'] };
}
