/**
 * `faithfulness` (RAG): the share of the answer's sentences that the retrieved context supports must
 * reach `threshold` (default 0.8). The context is the assertion's `context`, else the case's.
 *
 * How a sentence is judged (`method`):
 * - `model`: the grader reads the context and the numbered sentences and marks each supported or not;
 * - `embedding`: supported when its cosine similarity to some context sentence reaches
 *   `support_threshold` (default 0.7);
 * - `lexical`: supported when at least `support_threshold` of its content words occur in the context;
 * - `auto` (default): model when a grader is configured, else embedding when embeddings are, else lexical.
 * The fallbacks are cheaper and blunter: they catch invented content, not a subtly wrong inference.
 */
import { z } from 'zod';
import { cosineSimilarity } from '../../models/embeddings/cosine-similarity.js';
import { splitSentences } from '../../rag/answer/sentences.js';
import { generateObject } from '../../structured/generate-object.js';
import { failed, passed, type Assertion, type AssertionContext } from './assertion.js';
import { baseSpecFields } from './common.js';
import { graderFor } from './grader.js';

export const faithfulnessSpec = z.strictObject({
  type: z.literal('faithfulness'),
  threshold: z.number().min(0).max(1).default(0.8),
  method: z.enum(['auto', 'model', 'embedding', 'lexical']).default('auto'),
  support_threshold: z.number().min(0).max(1).default(0.7),
  context: z.array(z.string().min(1)).min(1).optional(),
  model: z.string().min(1).optional(),
  ...baseSpecFields,
});
export type FaithfulnessSpec = z.output<typeof faithfulnessSpec>;

const VERDICTS_SCHEMA = z.object({
  verdicts: z.array(z.object({ index: z.number().int().min(1), supported: z.boolean() })),
});

export const FAITHFULNESS_SYSTEM_PROMPT = [
  'You check whether each numbered sentence of an answer is supported by the context.',
  'A sentence is supported only when the context states it or it follows directly from the context; background knowledge does not count.',
  'Answer with JSON: {"verdicts": [{"index": <sentence number>, "supported": true|false}, ...]} with one verdict per sentence.',
].join('\n');

type Method = 'model' | 'embedding' | 'lexical';

export function faithfulnessAssertion(spec: FaithfulnessSpec): Assertion {
  return {
    type: 'faithfulness',
    label: spec.label ?? `faithfulness ≥ ${spec.threshold}`,
    async evaluate(output, context) {
      const passages = spec.context ?? context.retrievedContext;
      if (passages === undefined || passages.length === 0) return failed('no retrieved context to check against: give the case `context` or the assertion `context`');
      const sentences = answerSentences(output.text);
      if (sentences.length === 0) return failed('the answer is empty');
      const method = pickMethod(spec, context);
      const supported = await supportedFlags(method, sentences, passages, spec, context);
      const count = supported.filter(Boolean).length;
      const score = count / sentences.length;
      const unsupported = sentences.filter((_, i) => supported[i] !== true);
      const summary = `${count}/${sentences.length} sentences supported (${method})`;
      if (score >= spec.threshold) return passed(summary, score);
      return failed(`${summary}, below ${spec.threshold}; unsupported: ${unsupported.slice(0, 2).map((s) => JSON.stringify(s)).join(', ')}`, score);
    },
  };
}

function pickMethod(spec: FaithfulnessSpec, context: AssertionContext): Method {
  if (spec.method !== 'auto') return spec.method;
  if (graderFor(context.services, spec.model) !== undefined) return 'model';
  if (context.services.embeddings !== undefined) return 'embedding';
  return 'lexical';
}

/** The answer's sentences; a short answer (under three words) is one sentence of its own. */
function answerSentences(text: string): string[] {
  const sentences = splitSentences(text);
  if (sentences.length > 0) return sentences;
  return text.trim() === '' ? [] : [text.trim()];
}

async function supportedFlags(method: Method, sentences: string[], passages: readonly string[], spec: FaithfulnessSpec, context: AssertionContext): Promise<boolean[]> {
  if (method === 'lexical') {
    const words = new Set(passages.flatMap(contentWords));
    return sentences.map((s) => {
      const own = contentWords(s);
      return own.length === 0 || own.filter((w) => words.has(w)).length / own.length >= spec.support_threshold;
    });
  }
  if (method === 'embedding') {
    if (context.services.embeddings === undefined) throw new Error('faithfulness method embedding needs an embedding model');
    const contextSentences = passages.flatMap((p) => answerSentences(p));
    const model = await context.services.embeddings();
    const { embeddings } = await model.embed([...sentences, ...contextSentences], context.signal === undefined ? {} : { signal: context.signal });
    const answerVectors = embeddings.slice(0, sentences.length);
    const contextVectors = embeddings.slice(sentences.length);
    return answerVectors.map((a) => contextVectors.some((c) => cosineSimilarity(a, c) >= spec.support_threshold));
  }
  const grader = graderFor(context.services, spec.model);
  if (grader === undefined) throw new Error('faithfulness method model needs a grader: set `grader:` in the suite or `model:` on the assertion');
  const numbered = sentences.map((s, i) => `${i + 1}. ${s}`).join('\n');
  const contextText = passages.map((p, i) => `[${i + 1}] ${p}`).join('\n\n');
  const { object } = await generateObject({
    model: grader,
    schema: VERDICTS_SCHEMA,
    schemaName: 'verdicts',
    system: FAITHFULNESS_SYSTEM_PROMPT,
    prompt: `<context>\n${contextText}\n</context>\n\n<answer_sentences>\n${numbered}\n</answer_sentences>`,
    settings: { temperature: 0 },
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  });
  // A sentence the grader left out counts as unsupported: silence is not support.
  const byIndex = new Map(object.verdicts.map((v) => [v.index, v.supported]));
  return sentences.map((_, i) => byIndex.get(i + 1) === true);
}

const STOPWORDS = new Set(
  'the and for are but not you all any can had her was one our out has have his how its may new now old see two who did get him let say she too use that with this from they will would there their what about which when make like than then them these some into more only other also been were each does very such just over your yes'.split(' '),
);

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => (w.length >= 3 || /\d/.test(w)) && !STOPWORDS.has(w));
}
