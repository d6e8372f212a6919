/**
 * Prompt formats for raw-completion backends. `formatPrompt(format, messages)` renders a
 * conversation into one prompt string (ending with an open assistant turn) plus the stop strings
 * of that format. Pure functions: no tokenizer, no I/O.
 */
import type { Message } from '../../core/messages.js';
import { ConduitError } from '../../core/errors.js';
import { formatChatML } from './chatml.js';
import { formatLlama2 } from './llama2.js';
import { formatLlama3 } from './llama3.js';
import { formatMistral } from './mistral.js';
import type { FormattedPrompt, PromptFormatName, PromptFormatter } from './types.js';

export type { FormattedPrompt, PromptFormatName, PromptFormatter } from './types.js';
export { formatChatML } from './chatml.js';
export { formatLlama2 } from './llama2.js';
export { formatLlama3 } from './llama3.js';
export { formatMistral } from './mistral.js';

const FORMATTERS: Record<PromptFormatName, PromptFormatter> = {
  chatml: formatChatML,
  llama2: formatLlama2,
  llama3: formatLlama3,
  mistral: formatMistral,
};

export const PROMPT_FORMATS: readonly PromptFormatName[] = Object.keys(FORMATTERS) as PromptFormatName[];

export function isPromptFormatName(value: unknown): value is PromptFormatName {
  return typeof value === 'string' && Object.hasOwn(FORMATTERS, value);
}

/** Renders `messages` in `format`. Throws ConduitError('invalid_request') for an unknown format. */
export function formatPrompt(format: PromptFormatName, messages: readonly Message[]): FormattedPrompt {
  if (!isPromptFormatName(format)) {
    throw new ConduitError('invalid_request', `Unknown prompt format "${String(format)}"; expected one of ${PROMPT_FORMATS.join(', ')}`, {
      param: 'promptFormat',
    });
  }
  return FORMATTERS[format](messages);
}
