/**
 * Conversational rewriting: a follow-up ("and what about its options?") is turned into a standalone
 * question using the conversation so far, because retrieval sees only the query. With no history the
 * question is returned unchanged, without a model call. Without a model, a question that looks like
 * a follow-up (pronoun or "and/what about" opener, few content words) gets the previous user turn
 * appended so retrieval at least searches the right topic.
 */
import { z } from 'zod';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { contentTerms } from '../retrieval/query-terms.js';
import { canGenerate } from './model-availability.js';
import type { RagUsageMeter } from './rag-usage.js';

export interface ConversationTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface RewriteOptions {
  model: LanguageModel | undefined;
  question: string;
  history: readonly ConversationTurn[];
  /** Turns of history shown to the model (default the last 6). */
  maxTurns?: number;
  usage?: RagUsageMeter;
  callOptions?: CallOptions;
}

export interface RewriteResult {
  question: string;
  rewritten: boolean;
  method: 'none' | 'model' | 'heuristic';
}

const rewriteSchema = z.object({ standalone: z.string().min(1) });

const FOLLOW_UP_OPENER = /^(and|but|also|so|then|what about|how about|and what|what else|why|how come)\b/i;
const REFERRING_WORD = /\b(it|its|it's|this|that|these|those|they|them|their|the same|one|ones|he|she|there)\b/i;

/** True for questions that lean on earlier turns. */
export function looksLikeFollowUp(question: string): boolean {
  const terms = contentTerms(question);
  return FOLLOW_UP_OPENER.test(question.trim()) || (REFERRING_WORD.test(question) && terms.length <= 4);
}

export async function rewriteFollowUp(options: RewriteOptions): Promise<RewriteResult> {
  const history = options.history.slice(-(options.maxTurns ?? 6));
  if (history.length === 0) return { question: options.question, rewritten: false, method: 'none' };
  if (!canGenerate(options.model)) {
    if (!looksLikeFollowUp(options.question)) return { question: options.question, rewritten: false, method: 'none' };
    const previous = [...history].reverse().find((t) => t.role === 'user');
    if (!previous) return { question: options.question, rewritten: false, method: 'none' };
    return { question: `${options.question} (regarding: ${previous.content})`, rewritten: true, method: 'heuristic' };
  }
  const transcript = history.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.content}`).join('\n');
  const result = await generateObject({
    model: options.model,
    schema: rewriteSchema,
    schemaName: 'standalone_question',
    system:
      'Rewrite the follow-up question as a standalone question that can be understood without the conversation: replace pronouns and vague references with what they refer to. Keep the meaning; do not answer it. If it is already standalone, return it unchanged.',
    prompt: `Conversation:\n${transcript}\n\nFollow-up question: ${options.question}`,
    settings: { temperature: 0 },
    ...(options.callOptions ? { callOptions: options.callOptions } : {}),
  });
  options.usage?.addModel(result.usage);
  const standalone = result.object.standalone.trim();
  return { question: standalone, rewritten: standalone !== options.question.trim(), method: 'model' };
}
