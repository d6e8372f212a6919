/**
 * Llama 3 / 3.1 / 3.2 instruct (Meta's header format; contents trimmed as in the official template):
 *
 *   <|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>
 *   <|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|>
 *   <|start_header_id|>assistant<|end_header_id|>\n\n
 *
 * Tool use follows Llama 3.1's JSON convention: an assistant's tool calls are
 * `{"name": …, "parameters": {…}}` objects (one per line), and a tool result is an `ipython` turn.
 * A trailing assistant message without tool calls is left open, so the model continues it.
 */
import type { Message } from '../../core/messages.js';
import type { FormattedPrompt } from './types.js';
import { hasToolCalls, messageText, toolCallJson } from './render-helpers.js';

const header = (role: string): string => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
const EOT = '<|eot_id|>';

function body(message: Message): string {
  const parts = [messageText(message).trim()];
  if (hasToolCalls(message)) for (const call of message.toolCalls) parts.push(toolCallJson(call, 'parameters'));
  return parts.filter((p) => p !== '').join('\n');
}

export function formatLlama3(messages: readonly Message[]): FormattedPrompt {
  let prompt = '<|begin_of_text|>';
  messages.forEach((message, i) => {
    const role = message.role === 'tool' ? 'ipython' : message.role;
    if (message.role === 'assistant' && i === messages.length - 1 && !hasToolCalls(message)) {
      prompt += header(role) + body(message);
      return;
    }
    prompt += header(role) + body(message) + EOT;
  });
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== 'assistant' || hasToolCalls(last)) prompt += header('assistant');
  return { prompt, stop: [EOT, '<|eom_id|>', '<|end_of_text|>'] };
}
