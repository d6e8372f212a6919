/**
 * Model-judged answer quality, in the style of RAGAS:
 * - faithfulness: is every claim in the answer supported by the retrieved context? (0..1)
 * - answer relevance: does the answer address the question (and agree with the reference, when the
 *   set has one)? (0..1)
 * The judge returns JSON checked against a schema (generateObject retries malformed replies). With
 * the offline provider there is no model to judge, so callers skip these metrics and say so.
 */
import { z } from 'zod';
import type { LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/index.js';
import { OFFLINE_PROVIDER } from '../../models/providers/offline/index.js';

export interface AnswerJudgement {
  faithfulness: number;
  answerRelevance: number;
}

const judgementSchema = z.object({
  faithfulness: z.number().min(0).max(1).describe('share of the answer\'s claims supported by the context, 0..1'),
  answer_relevance: z.number().min(0).max(1).describe('how well the answer addresses the question, 0..1'),
  reason: z.string().describe('one sentence'),
});

const SYSTEM = `You grade answers produced by a retrieval-augmented system. Be strict and literal.
faithfulness: the fraction of the answer's factual claims that the CONTEXT supports (1 = every claim is supported; an answer that says the documents do not cover the question is faithful).
answer_relevance: how directly and completely the answer addresses the QUESTION (1 = fully; 0 = off-topic or a refusal when the context did contain the answer). When a REFERENCE answer is given, an answer contradicting it scores low.`;

/** Whether `model` can judge: the offline provider only repeats a fixed message. */
export function canJudge(model: LanguageModel | undefined): model is LanguageModel {
  return model !== undefined && model.provider !== OFFLINE_PROVIDER;
}

export async function judgeAnswer(
  model: LanguageModel,
  input: { question: string; answer: string; context: readonly string[]; reference?: string },
  signal?: AbortSignal,
): Promise<AnswerJudgement> {
  const context = input.context.map((text, i) => `[${i + 1}] ${text}`).join('\n\n');
  const prompt = [
    `QUESTION:\n${input.question}`,
    `CONTEXT:\n${context === '' ? '(none)' : context}`,
    ...(input.reference !== undefined ? [`REFERENCE:\n${input.reference}`] : []),
    `ANSWER:\n${input.answer}`,
  ].join('\n\n');
  const result = await generateObject({
    model,
    schema: judgementSchema,
    schemaName: 'answer_grade',
    system: SYSTEM,
    prompt,
    settings: { temperature: 0 },
    ...(signal ? { signal } : {}),
  });
  return { faithfulness: result.object.faithfulness, answerRelevance: result.object.answer_relevance };
}
