/**
 * Self-reflective RAG (after the guides' AgenticRAG, max 3 iterations): retrieve, answer, then the
 * model critiques its own answer against the passages — is every claim supported, is the question
 * fully answered, what is missing — and, if not, proposes a new search query; the new passages join
 * the old ones and the question is answered again. It stops when the critique is satisfied or after
 * `maxRounds` answers (default and maximum 3: beyond that the guides found no gain, only cost). No
 * critique follows the last answer, since nothing could be done with it. Without a model it is one
 * round with an extractive answer.
 */
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';
import type { EmbeddingModel, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { answerWithContext, type GroundedAnswer } from '../answer/answer-with-context.js';
import { canGenerate } from '../transform/model-availability.js';
import { RagUsageMeter } from '../transform/rag-usage.js';
import type { MetadataFilter, RetrievedChunk, Retriever } from '../types.js';

export const MAX_REFLECTION_ROUNDS = 3;

export interface ReflectionRound {
  round: number;
  query: string;
  /** Absent for the last round (no critique follows it) and without a model. */
  critique?: { supported: boolean; complete: boolean; missing: string; nextQuery: string };
}

export interface SelfReflectiveOptions {
  question: string;
  retriever: Retriever;
  model: LanguageModel | undefined;
  embedder?: EmbeddingModel;
  topK?: number;
  filter?: MetadataFilter;
  /** 1–3 (default 3). */
  maxRounds?: number;
  /** Passages kept across rounds (default 2 × topK). */
  maxPassages?: number;
  strategy?: string;
  usage?: RagUsageMeter;
  signal?: AbortSignal;
}

export interface SelfReflectiveResult {
  answer: GroundedAnswer;
  rounds: ReflectionRound[];
}

const critiqueSchema = z.object({
  supported: z.boolean(),
  complete: z.boolean(),
  missing: z.string(),
  nextQuery: z.string(),
});

const CRITIC_SYSTEM = [
  'You check an answer produced from numbered passages.',
  'supported: is every statement in the answer backed by the passages it cites?',
  'complete: does the answer fully answer the question?',
  'missing: what information is missing or unsupported ("" if nothing).',
  'nextQuery: a search query that would find the missing information ("" if nothing is missing).',
].join('\n');

export async function selfReflectiveAnswer(options: SelfReflectiveOptions): Promise<SelfReflectiveResult> {
  const maxRounds = options.maxRounds ?? MAX_REFLECTION_ROUNDS;
  if (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > MAX_REFLECTION_ROUNDS) {
    throw new ConduitError('invalid_request', `maxRounds must be an integer from 1 to ${MAX_REFLECTION_ROUNDS}, got ${maxRounds}`, { code: 'invalid_rounds', param: 'maxRounds' });
  }
  const usage = options.usage ?? new RagUsageMeter();
  const topK = options.topK ?? 5;
  const maxPassages = options.maxPassages ?? 2 * topK;
  const strategy = options.strategy ?? 'self-reflective';
  const rounds: ReflectionRound[] = [];
  let passages: RetrievedChunk[] = [];
  let query = options.question;
  let answer: GroundedAnswer | undefined;
  for (let round = 1; round <= maxRounds; round++) {
    const hits = await options.retriever.retrieve({ query, topK, ...(options.filter ? { filter: options.filter } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    passages = mergePassages(passages, hits, maxPassages);
    answer = await answerWithContext({
      question: options.question,
      chunks: passages,
      strategy,
      ...(options.model ? { model: options.model } : {}),
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    usage.add(answer.usage);
    const record: ReflectionRound = { round, query };
    rounds.push(record);
    if (round === maxRounds || !canGenerate(options.model)) break;
    const critique = await critiqueAnswer(options.model, options.question, answer, usage, options.signal);
    record.critique = critique;
    if (critique.supported && critique.complete) break;
    const next = critique.nextQuery.trim();
    // Without a new query, another round would retrieve the same passages and change nothing.
    if (next === '' || next.toLowerCase() === query.toLowerCase()) break;
    query = next;
  }
  if (!answer) throw new ConduitError('internal', 'self-reflective loop produced no answer');
  return { answer: { ...answer, usage: usage.snapshot() }, rounds };
}

async function critiqueAnswer(model: LanguageModel, question: string, answer: GroundedAnswer, usage: RagUsageMeter, signal: AbortSignal | undefined) {
  const passages = answer.sources.map((s, i) => `[${i + 1}] ${s.chunk.text.slice(0, 800)}`).join('\n\n');
  const result = await generateObject({
    model,
    schema: critiqueSchema,
    schemaName: 'answer_critique',
    system: CRITIC_SYSTEM,
    prompt: `Question: ${question}\n\nPassages:\n${passages}\n\nAnswer:\n${answer.answer}`,
    settings: { temperature: 0 },
    ...(signal ? { signal } : {}),
  });
  usage.addModel(result.usage);
  return result.object;
}

/** New passages first (they answer what was missing), then the earlier ones, without duplicates. */
function mergePassages(previous: readonly RetrievedChunk[], fresh: readonly RetrievedChunk[], max: number): RetrievedChunk[] {
  const seen = new Set<string>();
  const out: RetrievedChunk[] = [];
  for (const hit of [...fresh, ...previous]) {
    if (seen.has(hit.chunk.id)) continue;
    seen.add(hit.chunk.id);
    out.push(hit);
    if (out.length >= max) break;
  }
  return out;
}
