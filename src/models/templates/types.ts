/**
 * Prompt formats for raw-completion backends (a llama.cpp server's /completion, a GGUF loaded
 * without its own chat template, …): a conversation becomes one prompt string plus the stop
 * strings that end the assistant's turn.
 */
import type { Message } from '../../core/messages.js';

export type PromptFormatName = 'chatml' | 'llama2' | 'llama3' | 'mistral';

export interface FormattedPrompt {
  /** The whole prompt, ending with an open assistant turn for the model to complete. */
  prompt: string;
  /** Strings that mark the end of the assistant's turn; a backend stops generating at the first one. */
  stop: string[];
}

export type PromptFormatter = (messages: readonly Message[]) => FormattedPrompt;
