/**
 * Mistral instruct (the Hugging Face template of Mistral-7B-Instruct and Mixtral, v1/v3 tokenizers):
 *
 *   <s>[INST] {user} [/INST]{assistant}</s>[INST] {user} [/INST]
 *
 * The format has no system turn: system text is prepended to the first user message, separated
 * by a blank line. Tool use follows Mistral's v3 control tokens: an assistant's tool calls are
 * `[TOOL_CALLS] [{"name": …, "arguments": {…}, "id": …}]`, and a tool result is
 * `[TOOL_RESULTS] {"content": …, "call_id": …}[/TOOL_RESULTS]`.
 * A trailing assistant message without tool calls is left open, so the model continues it.
 */
import type { Message } from '../../core/messages.js';
import type { FormattedPrompt } from './types.js';
import { hasToolCalls, messageText, toolArguments } from './render-helpers.js';

function toolCallsText(message: Message): string {
  if (!hasToolCalls(message)) return '';
  const calls = message.toolCalls.map((call) => ({ name: call.name, arguments: toolArguments(call), id: call.id }));
  return `[TOOL_CALLS] ${JSON.stringify(calls)}`;
}

export function formatMistral(messages: readonly Message[]): FormattedPrompt {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => messageText(m))
    .join('\n\n');
  const turns = messages.filter((m) => m.role !== 'system');

  let prompt = '<s>';
  let systemUsed = system === '';
  turns.forEach((message, i) => {
    switch (message.role) {
      case 'user': {
        let text = messageText(message);
        if (!systemUsed) {
          text = `${system}\n\n${text}`;
          systemUsed = true;
        }
        prompt += `[INST] ${text} [/INST]`;
        return;
      }
      case 'tool':
        prompt += `[TOOL_RESULTS] ${JSON.stringify({ content: messageText(message), call_id: message.toolCallId })}[/TOOL_RESULTS]`;
        return;
      case 'assistant': {
        const text = messageText(message);
        if (i === turns.length - 1 && !hasToolCalls(message)) {
          prompt += text;
          return;
        }
        prompt += `${text}${toolCallsText(message)}</s>`;
        return;
      }
      default:
        return; // system messages were merged into the first user message
    }
  });
  // A system prompt with no user message still reaches the model, as its only instruction.
  // (After [/INST] or [/TOOL_RESULTS] the format needs no assistant header: the model just speaks.)
  if (!systemUsed) prompt += `[INST] ${system} [/INST]`;
  return { prompt, stop: ['</s>', '[INST]'] };
}
