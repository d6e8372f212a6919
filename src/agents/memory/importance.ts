/**
 * How much an interaction is worth remembering, in [0, 1]. The model rater follows the guide's
 * rubric (facts, decisions or preferences, instructions, goals or constraints; rated 1–10); the
 * heuristic needs no model and looks for the same four signals in the text.
 */
import { z } from 'zod';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';

export type ImportanceRater = (content: string, options?: CallOptions) => Promise<number>;

const SIGNALS: readonly RegExp[] = [
  // Facts about the user or the world they state.
  /\b(my name is|i am|i'm|i live|i work|born|years old|my (?:wife|husband|son|daughter|team|company|email|address|phone))\b/i,
  // Decisions and preferences.
  /\b(decided|decision|prefer|preference|favou?rite|i like|i love|i hate|i don't like|always|never)\b/i,
  // Instructions.
  /\b(remember|make sure|must|should|do not|don't|please (?:always|never)|from now on)\b/i,
  // Goals and constraints.
  /\b(goal|deadline|budget|plan to|want to|need to|by (?:monday|tuesday|wednesday|thursday|friday|tomorrow|next week)|at most|at least|limit)\b/i,
];

/** 0.1 for small talk, +0.2 per kind of signal present, +0.1 when it carries a number or a date; capped at 1. */
export function heuristicImportance(content: string): number {
  let score = 0.1;
  for (const signal of SIGNALS) if (signal.test(content)) score += 0.2;
  if (/\d/.test(content)) score += 0.1;
  return Math.min(1, Math.round(score * 100) / 100);
}

export const IMPORTANCE_INSTRUCTIONS =
  'Rate how important it is to remember this interaction for future conversations, from 1 (small talk) to 10 (essential). ' +
  'Count: facts about the user or their world, decisions or preferences, instructions for the assistant, goals or constraints.';

const ratingSchema = z.object({
  score: z.number().int().min(1).max(10),
  reason: z.string(),
});

/** A model rates 1–10 (structured output, validated); the result is mapped to [0, 1] as (score − 1) / 9. */
export function createModelImportanceRater(model: LanguageModel): ImportanceRater {
  return async (content, options) => {
    const { object } = await generateObject({
      model,
      schema: ratingSchema,
      schemaName: 'importance_rating',
      system: IMPORTANCE_INSTRUCTIONS,
      prompt: content,
      settings: { temperature: 0 },
      ...(options === undefined ? {} : { callOptions: options }),
    });
    return (object.score - 1) / 9;
  };
}
