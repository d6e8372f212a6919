/**
 * The conversation `conduit solve` sends each turn, kept under a token limit.
 *
 * Every completed step is a turn: the step as JSON (the assistant's message, with the calculator's
 * value in `result`) and a short user message (what the calculator found, and "next step").
 * When the whole conversation would exceed `limitTokens`, the oldest turns are replaced by ONE
 * summary message built deterministically from those steps (type, action, result) — no extra
 * model call, so summarising costs nothing, cannot fail and is testable exactly. The system prompt
 * and the original problem are never summarised: the guide's reference folds the problem into
 * the summary, and a model that no longer sees the question drifts.
 *
 * The most recent turn always stays in full, even when that alone exceeds the limit.
 */
import type { Message } from '../core/messages.js';
import type { ReasoningStep } from './reasoning-step.js';

export interface HistoryTurn {
  step: ReasoningStep;
  /** The user message after the step (calculator notes, "continue"). */
  followUp: string;
}

export interface ConversationWindow {
  messages: Message[];
  /** How many of the oldest steps are represented by the summary (0: none). */
  summarisedSteps: number;
  /** Token count of `messages`, as counted by the caller's counter. */
  tokens: number;
}

export interface BuildConversationOptions {
  system: string;
  /** The problem message; always kept verbatim, right after the system prompt. */
  problem: string;
  turns: readonly HistoryTurn[];
  limitTokens: number;
  countTokens: (messages: Message[]) => number;
}

export const DEFAULT_HISTORY_LIMIT_TOKENS = 3000;
/** Longest text kept per field in a summary line. */
const SUMMARY_FIELD_CHARS = 160;

export function buildConversation(options: BuildConversationOptions): ConversationWindow {
  const { turns } = options;
  // Try keeping every turn; then summarise one more of the oldest each time until it fits.
  for (let summarised = 0; summarised < Math.max(1, turns.length); summarised++) {
    const messages = assemble(options, summarised);
    const tokens = options.countTokens(messages);
    if (tokens <= options.limitTokens || summarised >= turns.length - 1) return { messages, summarisedSteps: summarised, tokens };
  }
  const messages = assemble(options, 0);
  return { messages, summarisedSteps: 0, tokens: options.countTokens(messages) };
}

function assemble(options: BuildConversationOptions, summarised: number): Message[] {
  const messages: Message[] = [
    { role: 'system', content: options.system },
    { role: 'user', content: options.problem },
  ];
  if (summarised > 0) messages.push({ role: 'user', content: summarizeSteps(options.turns.slice(0, summarised).map((t) => t.step)) });
  for (const turn of options.turns.slice(summarised)) {
    messages.push({ role: 'assistant', content: JSON.stringify(turn.step) });
    messages.push({ role: 'user', content: turn.followUp });
  }
  return messages;
}

/** One line per step: what was done and what came of it (results are the calculator-checked ones). */
export function summarizeSteps(steps: readonly ReasoningStep[]): string {
  const lines = steps.map((s, i) => `${i + 1}. ${s.step_type.toUpperCase()}: ${clip(s.action)} → ${clip(s.result)}`);
  return [`Summary of steps 1–${steps.length} (condensed to save context; their results stand):`, ...lines, 'Continue from here with the next step.'].join('\n');
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= SUMMARY_FIELD_CHARS ? flat : `${flat.slice(0, SUMMARY_FIELD_CHARS - 1)}…`;
}
