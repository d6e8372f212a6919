/**
 * Query decomposition for multi-hop questions. The model splits the question into sub-questions with
 * dependencies (a DAG, see query-plan.ts); they run in dependency order, each retrieved and answered
 * from its own passages, and a later sub-question sees the findings of those it depends on: `{id}`
 * references in its text are replaced by their answers before retrieval (so the second hop searches
 * for what the first hop found), and the findings go into its prompt as "Previous finding (id): …".
 * The final answer is synthesised from all sub-questions' passages, with the findings as notes, and
 * cites those passages. Without a model, a question with several question marks is split into
 * independent parts and answered extractively.
 */
import { z } from 'zod';
import type { CallOptions, EmbeddingModel, LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { answerWithContext, type GroundedAnswer } from '../answer/answer-with-context.js';
import type { MetadataFilter, RetrievedChunk, Retriever } from '../types.js';
import { canGenerate } from './model-availability.js';
import { MAX_SUB_QUESTIONS, orderSubQuestions, substituteFindings, type QueryPlan, type SubQuestion } from './query-plan.js';
import { RagUsageMeter } from './rag-usage.js';

const planSchema = z.object({
  subQuestions: z
    .array(z.object({ id: z.string().min(1), question: z.string().min(1), dependsOn: z.array(z.string()) }))
    .min(1),
});

const PLAN_SYSTEM = [
  'You break a question into the sub-questions a researcher would look up one at a time in the documentation.',
  `Use at most ${MAX_SUB_QUESTIONS} sub-questions, with ids q1, q2, ...; a simple question becomes a single sub-question.`,
  'When a sub-question needs the answer of an earlier one, list that id in dependsOn and write {id} where its answer goes, e.g. "Which options does {q1} accept?".',
  'Independent sub-questions have an empty dependsOn.',
].join('\n');

export interface DecomposeOptions {
  model: LanguageModel;
  question: string;
  usage?: RagUsageMeter;
  callOptions?: CallOptions;
}

export async function decomposeQuestion(options: DecomposeOptions): Promise<QueryPlan> {
  const result = await generateObject({
    model: options.model,
    schema: planSchema,
    schemaName: 'query_plan',
    system: PLAN_SYSTEM,
    prompt: `Question: ${options.question}`,
    settings: { temperature: 0 },
    ...(options.callOptions ? { callOptions: options.callOptions } : {}),
  });
  options.usage?.addModel(result.usage);
  return { subQuestions: result.object.subQuestions.slice(0, MAX_SUB_QUESTIONS) };
}

/** Without a model: each `?`-terminated part is an independent sub-question. */
export function splitQuestionHeuristically(question: string): QueryPlan {
  const parts = question
    .split(/(?<=\?)\s+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const list = parts.length > 1 ? parts.slice(0, MAX_SUB_QUESTIONS) : [question.trim()];
  return { subQuestions: list.map((q, i) => ({ id: `q${i + 1}`, question: q, dependsOn: [] })) };
}

export interface SubQuestionResult {
  id: string;
  /** As planned, with `{id}` references. */
  plannedQuestion: string;
  /** As run, with the findings substituted. */
  question: string;
  dependsOn: string[];
  answer: GroundedAnswer;
  /** The answer without citation markers, as passed on to dependants. */
  finding: string;
}

export interface DecompositionOptions {
  question: string;
  model: LanguageModel | undefined;
  retriever: Retriever;
  embedder?: EmbeddingModel;
  /** Passages per sub-question (default 4). */
  topK?: number;
  filter?: MetadataFilter;
  /** A plan to run instead of asking the model for one. */
  plan?: QueryPlan;
  strategy?: string;
  usage?: RagUsageMeter;
  signal?: AbortSignal;
}

export interface DecompositionResult {
  answer: GroundedAnswer;
  /** Sub-questions in the order they ran. */
  steps: SubQuestionResult[];
}

export async function answerByDecomposition(options: DecompositionOptions): Promise<DecompositionResult> {
  const usage = options.usage ?? new RagUsageMeter();
  const callOptions: CallOptions = options.signal ? { signal: options.signal } : {};
  const strategy = options.strategy ?? 'decompose';
  const topK = options.topK ?? 4;
  const plan =
    options.plan ??
    (canGenerate(options.model) ? await decomposeQuestion({ model: options.model, question: options.question, usage, callOptions }) : splitQuestionHeuristically(options.question));
  const order = orderSubQuestions(plan);
  const findings = new Map<string, string>();
  const steps: SubQuestionResult[] = [];
  for (const sub of order) {
    const question = substituteFindings(sub.question, findings);
    const chunks = await options.retriever.retrieve({ query: question, topK, ...(options.filter ? { filter: options.filter } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    const notes = previousFindings(sub, findings);
    const answer = await answerWithContext({
      question,
      chunks,
      strategy,
      instructions: 'Answer this sub-question in one short sentence or phrase.',
      ...(options.model ? { model: options.model } : {}),
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(notes ? { notes } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      maxSentences: 1,
    });
    usage.add(answer.usage);
    const finding = answer.insufficientContext ? 'unknown' : plainFinding(answer);
    findings.set(sub.id, finding);
    steps.push({ id: sub.id, plannedQuestion: sub.question, question, dependsOn: sub.dependsOn, answer, finding });
  }

  if (steps.length === 1 && steps[0]) {
    // A single sub-question is the question itself: its answer is the answer (no second call).
    const only = steps[0].answer;
    return { answer: { ...only, strategy, usage: usage.snapshot() }, steps };
  }
  const allChunks = dedupe(steps.flatMap((s) => s.answer.sources));
  const final = await answerWithContext({
    question: options.question,
    chunks: allChunks,
    strategy,
    notes: steps.map((s) => `Finding (${s.id}) ${s.question} → ${s.finding}`).join('\n'),
    ...(options.model ? { model: options.model } : {}),
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  usage.add(final.usage);
  return { answer: { ...final, usage: usage.snapshot() }, steps };
}

function previousFindings(sub: SubQuestion, findings: ReadonlyMap<string, string>): string | undefined {
  const lines = sub.dependsOn.filter((id) => findings.has(id)).map((id) => `Previous finding (${id}): ${findings.get(id) ?? ''}`);
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** The answer as a plain phrase: citation markers, the extractive label and final punctuation removed. */
function plainFinding(answer: GroundedAnswer): string {
  return answer.answer
    .replace(/^Extracted from the documents[^\n]*\n/, '')
    .replace(/^- "(.*)"\s*(\[\d+\])?$/gm, '$1')
    .replace(/\s?\[\d+(?:\s*[,;-]\s*\d+)*\]/g, '')
    .trim()
    // A trailing full stop would break the sentence it is substituted into.
    .replace(/[.;,]+$/, '');
}

function dedupe(chunks: readonly RetrievedChunk[]): RetrievedChunk[] {
  const seen = new Set<string>();
  return chunks.filter((c) => (seen.has(c.chunk.id) ? false : (seen.add(c.chunk.id), true)));
}
