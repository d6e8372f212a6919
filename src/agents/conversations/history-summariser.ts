/**
 * Summaries of a conversation's older turns, so context assembly can keep what was said without
 * keeping every token of it. The model summariser folds new turns into the previous summary (so a
 * thread is never summarised from scratch twice); the extractive one needs no model and keeps the
 * first sentence of each turn, newest last, within the token limit.
 */
import { contentText, type Message } from '../../core/messages.js';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import type { Tokenizer } from '../../models/tokenizer/index.js';

export interface SummariseInput {
  /** The summary of the turns before `messages`, to be extended. */
  previousSummary: string | undefined;
  messages: readonly Message[];
  /** The summary must fit in this many tokens (a hard cut is applied after). */
  maxTokens: number;
  tokenizer: Tokenizer;
}

export interface HistorySummariser {
  /** `model` for a language-model summariser, `extractive` for the fallback. */
  readonly kind: 'model' | 'extractive';
  summarise(input: SummariseInput, options?: CallOptions): Promise<string>;
}

export const SUMMARY_INSTRUCTIONS =
  'You maintain the running summary of a conversation. Merge the new turns into the existing summary. Keep every fact the user stated ' +
  '(names, preferences, numbers, decisions, instructions, goals and constraints) and what the assistant committed to. Drop pleasantries. ' +
  'Write plain prose in the third person, no preamble.';

export function createModelSummariser(model: LanguageModel, options: { instructions?: string } = {}): HistorySummariser {
  return {
    kind: 'model',
    async summarise(input, callOptions) {
      const transcript = input.messages.map((m) => `${m.role}: ${contentText(m.content)}`).join('\n');
      const prompt =
        (input.previousSummary ? `Existing summary:\n${input.previousSummary}\n\n` : 'Existing summary: (none)\n\n') +
        `New turns:\n${transcript}\n\nWrite the updated summary in at most ${Math.max(16, Math.floor(input.maxTokens * 0.75))} words.`;
      const result = await model.generate(
        { messages: [{ role: 'system', content: options.instructions ?? SUMMARY_INSTRUCTIONS }, { role: 'user', content: prompt }], maxTokens: input.maxTokens, temperature: 0 },
        callOptions,
      );
      return truncateToTokens(result.text.trim(), input.maxTokens, input.tokenizer);
    },
  };
}

/**
 * No model: the first sentence of each turn, labelled by role. When that is too long, the least
 * salient lines go first (assistant lines, then the user's questions and requests, then what the
 * user said about themselves: names, preferences and goals are what later turns ask about), oldest
 * first among equals. The previous summary is kept longest.
 */
export function createExtractiveSummariser(): HistorySummariser {
  return {
    kind: 'extractive',
    async summarise(input) {
      const lines: { text: string; salience: number }[] = [];
      if (input.previousSummary) lines.push({ text: input.previousSummary, salience: 4 });
      for (const m of input.messages) {
        const text = firstSentence(contentText(m.content));
        if (text !== '') lines.push({ text: `${m.role}: ${text}`, salience: salienceOf(m.role, text) });
      }
      const render = () => lines.map((l) => l.text).join('\n');
      while (lines.length > 1 && input.tokenizer.count(render()) > input.maxTokens) {
        let drop = 0;
        for (let i = 1; i < lines.length; i++) if ((lines[i]?.salience ?? 0) < (lines[drop]?.salience ?? 0)) drop = i;
        lines.splice(drop, 1);
      }
      return truncateToTokens(render(), input.maxTokens, input.tokenizer);
    },
  };
}

const SELF_STATEMENT = /\b(my|i|i'm|i am|i've|we|our|me)\b/i;

function salienceOf(role: Message['role'], sentence: string): number {
  if (role !== 'user') return 1;
  const statement = !sentence.endsWith('?') && !/^(please|tell|explain|what|how|why|can|could|would|question)\b/i.test(sentence);
  return statement && SELF_STATEMENT.test(sentence) ? 3 : 2;
}

function firstSentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const match = /^.*?[.!?](?=\s|$)/.exec(trimmed);
  return match ? match[0] : trimmed;
}

/** The longest prefix of `text` (cut at a word boundary when possible) within `maxTokens`, marked with an ellipsis when cut. */
export function truncateToTokens(text: string, maxTokens: number, tokenizer: Tokenizer): string {
  if (maxTokens <= 0) return '';
  if (tokenizer.count(text) <= maxTokens) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (tokenizer.count(`${text.slice(0, mid)}…`) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return '';
  let cut = text.slice(0, lo);
  const space = cut.lastIndexOf(' ');
  if (space > lo * 0.8) cut = cut.slice(0, space);
  return `${cut}…`;
}
