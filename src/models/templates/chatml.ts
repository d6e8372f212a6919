/**
 * ChatML (OpenAI's original chat markup, used by Qwen, Hermes, Yi and many fine-tunes):
 *
 *   <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n
 *
 * Tool use follows the Hermes convention (where the <tool_call> tags originate): an assistant's
 * tool calls are `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>` blocks after its text,
 * and a tool result is a `tool` turn wrapping the content in `<tool_response>` tags.
 * A trailing assistant message without tool calls is left open, so the model continues it.
 */
import type { Message } from '../../core/messages.js';
import type { FormattedPrompt } from './types.js';
import { hasToolCalls, messageText, toolCallJson } from './render-helpers.js';

const START = '<|im_start|>';
const END = '<|im_end|>';

function assistantBody(message: Message): string {
  const text = messageText(message);
  if (!hasToolCalls(message)) return text;
  const calls = message.toolCalls.map((call) => `<tool_call>\n${toolCallJson(call, 'arguments')}\n</tool_call>`);
  return [text, ...calls].filter((part) => part !== '').join('\n');
}

export function formatChatML(messages: readonly Message[]): FormattedPrompt {
  let prompt = '';
  messages.forEach((message, i) => {
    const isLast = i === messages.length - 1;
    switch (message.role) {
      case 'system':
      case 'user':
        prompt += `${START}${message.role}\n${messageText(message)}${END}\n`;
        return;
      case 'tool':
        prompt += `${START}tool\n<tool_response>\n${messageText(message)}\n</tool_response>${END}\n`;
        return;
      case 'assistant':
        if (isLast && !hasToolCalls(message)) {
          prompt += `${START}assistant\n${messageText(message)}`;
          return;
        }
        prompt += `${START}assistant\n${assistantBody(message)}${END}\n`;
        return;
    }
  });
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== 'assistant' || hasToolCalls(last)) prompt += `${START}assistant\n`;
  return { prompt, stop: [END, START] };
}
