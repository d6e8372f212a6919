/**
 * Reflection: a generator writes, a critic scores (0–10) and lists improvements, the generator
 * revises with the critique — at most 3 rounds, stopping as soon as a score reaches the threshold
 * (8/10 by default, the guide's "satisfactory"). Generator and critic can be the same model or
 * different ones. Every round is returned with its score, and the best-scored output is the result.
 */
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';
import type { Message } from '../../core/messages.js';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';

export const DEFAULT_REFLECTION_ROUNDS = 3;
export const DEFAULT_REFLECTION_THRESHOLD = 8;

export const CRITIC_INSTRUCTIONS =
  'You are a strict critic. Score the answer to the task from 0 to 10 overall, considering accuracy and correctness, completeness, ' +
  'clarity and coherence, and adherence to the task. A score of 8 or more means it is satisfactory as it is. List concrete improvements.';

export const critiqueSchema = z.object({
  score: z.number().min(0).max(10),
  critique: z.string(),
  improvements: z.array(z.string()),
});

export type Critique = z.infer<typeof critiqueSchema>;

export interface ReflectionRound {
  round: number;
  output: string;
  score: number;
  critique: string;
  improvements: string[];
}

export interface ReflectOptions {
  task: string;
  generator: LanguageModel;
  /** Default: the generator critiques itself. */
  critic?: LanguageModel;
  /** At most this many rounds (default 3; 1–3 allowed). */
  maxRounds?: number;
  /** Stop when a round's score reaches this (default 8, on the 0–10 scale). */
  threshold?: number;
  /** The generator's system prompt. */
  system?: string;
  callOptions?: CallOptions;
}

export interface ReflectionResult {
  /** The best-scored round's output (the latest among equal scores). */
  output: string;
  score: number;
  rounds: ReflectionRound[];
  stoppedBecause: 'threshold' | 'max_rounds';
  /** The last round scored higher than the first. */
  improved: boolean;
}

export async function reflect(options: ReflectOptions): Promise<ReflectionResult> {
  const maxRounds = options.maxRounds ?? DEFAULT_REFLECTION_ROUNDS;
  const threshold = options.threshold ?? DEFAULT_REFLECTION_THRESHOLD;
  if (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > DEFAULT_REFLECTION_ROUNDS) {
    throw new ConduitError('invalid_request', `maxRounds must be an integer from 1 to ${DEFAULT_REFLECTION_ROUNDS}, got ${maxRounds}`, { code: 'invalid_rounds', param: 'maxRounds' });
  }
  if (!(threshold >= 0 && threshold <= 10)) throw new ConduitError('invalid_request', `threshold must be in [0, 10], got ${threshold}`, { code: 'invalid_threshold', param: 'threshold' });
  const critic = options.critic ?? options.generator;
  const rounds: ReflectionRound[] = [];
  const conversation: Message[] = [
    ...(options.system === undefined ? [] : [{ role: 'system' as const, content: options.system }]),
    { role: 'user', content: options.task },
  ];

  for (let round = 1; round <= maxRounds; round++) {
    const generated = await options.generator.generate({ messages: conversation }, options.callOptions);
    const output = generated.text;
    const { object: review } = await generateObject({
      model: critic,
      schema: critiqueSchema,
      schemaName: 'critique',
      system: CRITIC_INSTRUCTIONS,
      prompt: `Task:\n${options.task}\n\nAnswer to score:\n${output}`,
      settings: { temperature: 0 },
      ...(options.callOptions === undefined ? {} : { callOptions: options.callOptions }),
    });
    rounds.push({ round, output, score: review.score, critique: review.critique, improvements: review.improvements });
    if (review.score >= threshold) return result('threshold');
    if (round < maxRounds) {
      conversation.push(
        { role: 'assistant', content: output },
        {
          role: 'user',
          content: `A reviewer scored this ${review.score}/10: ${review.critique}\nImprovements:\n${review.improvements.map((i) => `- ${i}`).join('\n')}\n\nWrite an improved, complete answer to the task.`,
        },
      );
    }
  }
  return result('max_rounds');

  function result(stoppedBecause: ReflectionResult['stoppedBecause']): ReflectionResult {
    let best = rounds[0] as ReflectionRound;
    for (const r of rounds) if (r.score >= best.score) best = r;
    const first = rounds[0] as ReflectionRound;
    const last = rounds[rounds.length - 1] as ReflectionRound;
    return { output: best.output, score: best.score, rounds, stoppedBecause, improved: last.score > first.score };
  }
}
