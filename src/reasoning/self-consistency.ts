/**
 * Self-consistency: ask the same chain-of-thought question N times in parallel at a non-zero
 * temperature, normalise the sampled answers and vote. Defaults follow the guides: N = 5 (their
 * recommended quorum trade-off), temperature 0.7, and a 3-of-5 quorum (confidence 0.6) as the gate.
 *
 * Voting
 * - `majority`: every answered sample is one vote; confidence = winner's votes / answered samples.
 * - `weighted` (default): every sample votes with a weight in [0, 1]:
 *   - from log-probabilities when the provider returned them: exp(mean token logprob) over the tokens
 *     of the answer span (the geometric-mean token probability — the mean, not the sum, so a long
 *     answer is not penalised for its length against a short one); over all tokens when the span
 *     cannot be located in the token stream;
 *   - else from the confidence the sample reports on a "Confidence: 0.8" line (also "80%", "8/10");
 *   - else 1 (then weighted voting equals majority voting).
 *   Confidence = winner's weight / total weight of answered samples.
 * Samples whose answer could not be extracted abstain: no vote, but their weight stays in the
 * denominator, so unparseable samples lower the confidence. Failed samples (provider errors) are
 * excluded and counted in `failedSamples`; if every sample fails, the first error is thrown.
 *
 * Gating: below `minConfidence` the result is handed to `onEscalate` and its return value is
 * returned instead; without a hook an `EscalatedResult` marker (carrying the result) is returned.
 */
import type { CallOptions, LanguageModel, ModelRequest, TokenLogprob } from '../models/language-model.js';
import { normalizeAnswer } from './answer-normalisation.js';
import { chainOfThoughtMessages, extractFinalAnswer, type ExtractionMethod } from './chain-of-thought.js';
import { SpendMeter, type Spend } from './spend.js';

export const SELF_CONSISTENCY_DEFAULTS = { samples: 5, temperature: 0.7, minConfidence: 0.6 } as const;

export type VotingMethod = 'majority' | 'weighted';
export type WeightSource = 'logprobs' | 'confidence' | 'uniform';

export interface SelfConsistencyOptions<TEscalation = EscalatedResult> {
  model: LanguageModel;
  question: string;
  instructions?: string;
  answerFormat?: string;
  /** Number of parallel samples (default 5). */
  samples?: number;
  /** Sampling temperature (default 0.7). */
  temperature?: number;
  /** Default `weighted`. */
  voting?: VotingMethod;
  /** Ask the provider for token logprobs (default: true when voting is weighted). Providers without them ignore it. */
  requestLogprobs?: boolean;
  /** Gate (default 0.6, i.e. 3 of 5). Set 0 to never escalate. */
  minConfidence?: number;
  /** Called with the result when confidence < minConfidence; its value is returned instead. */
  onEscalate?: (result: SelfConsistencyResult) => TEscalation | Promise<TEscalation>;
  /** Maps an extracted answer to its voting key (default `normalizeAnswer`). */
  normalize?: (answer: string) => string;
  maxTokens?: number;
  callOptions?: CallOptions;
}

export interface SampleOutcome {
  index: number;
  ok: boolean;
  /** Present when the call failed. */
  error?: unknown;
  text: string;
  answer: string;
  /** Voting key; '' when no answer could be extracted (the sample abstains). */
  normalizedAnswer: string;
  extraction: ExtractionMethod | 'failed';
  /** The weight this sample votes with under weighted voting (1 under majority voting). */
  weight: number;
  weightSource: WeightSource;
  /** Self-reported confidence, when the sample gave one. */
  reportedConfidence?: number;
  /** exp(mean logprob) of the answer span, when logprobs were returned. */
  logprobWeight?: number;
}

export interface Vote {
  /** The answer as first written by a sample in this group. */
  answer: string;
  normalizedAnswer: string;
  count: number;
  /** Sum of the group's sample weights (equals count under majority voting). */
  weight: number;
}

export interface SelfConsistencyResult extends Spend {
  escalated: false;
  /** The winning answer ('' when no sample produced one). */
  answer: string;
  normalizedAnswer: string;
  /** Winner's share of the voting weight, in [0, 1]. */
  confidence: number;
  voting: VotingMethod;
  /** Sorted best first. */
  votes: Vote[];
  samples: SampleOutcome[];
  failedSamples: number;
}

export interface EscalatedResult {
  escalated: true;
  reason: 'low_confidence';
  minConfidence: number;
  result: SelfConsistencyResult;
}

const CONFIDENCE_TRAILER = 'After the final answer, add one line "Confidence: <a number from 0 to 1>" saying how sure you are.';
/** Float sums of weights (0.1 + 0.2…) must not fail a gate they meet exactly. */
const GATE_EPSILON = 1e-9;

export async function selfConsistency<TEscalation = EscalatedResult>(
  options: SelfConsistencyOptions<TEscalation>,
): Promise<SelfConsistencyResult | TEscalation> {
  const result = await sampleAndVote(options);
  const minConfidence = options.minConfidence ?? SELF_CONSISTENCY_DEFAULTS.minConfidence;
  if (result.confidence + GATE_EPSILON >= minConfidence) return result;
  if (options.onEscalate) return await options.onEscalate(result);
  const marker: EscalatedResult = { escalated: true, reason: 'low_confidence', minConfidence, result };
  // Without a hook the caller gets the marker; the cast is sound because TEscalation defaults to EscalatedResult.
  return marker as TEscalation;
}

/** Samples and votes without gating (what `selfConsistency` gates). */
export async function sampleAndVote(options: Omit<SelfConsistencyOptions<unknown>, 'minConfidence' | 'onEscalate'>): Promise<SelfConsistencyResult> {
  const n = options.samples ?? SELF_CONSISTENCY_DEFAULTS.samples;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`selfConsistency: samples must be a positive integer, got ${n}`);
  const voting = options.voting ?? 'weighted';
  const normalize = options.normalize ?? normalizeAnswer;
  const request: ModelRequest = {
    messages: chainOfThoughtMessages({
      question: options.question,
      ...(options.instructions !== undefined ? { instructions: options.instructions } : {}),
      ...(options.answerFormat !== undefined ? { answerFormat: options.answerFormat } : {}),
      ...(voting === 'weighted' ? { trailer: CONFIDENCE_TRAILER } : {}),
    }),
    temperature: options.temperature ?? SELF_CONSISTENCY_DEFAULTS.temperature,
  };
  if (options.requestLogprobs ?? voting === 'weighted') request.logprobs = true;
  if (options.maxTokens !== undefined) request.maxTokens = options.maxTokens;

  const spend = new SpendMeter();
  const settled = await Promise.allSettled(Array.from({ length: n }, () => options.model.generate(request, options.callOptions)));

  const samples: SampleOutcome[] = settled.map((outcome, index) => {
    if (outcome.status === 'rejected') {
      return { index, ok: false, error: outcome.reason, text: '', answer: '', normalizedAnswer: '', extraction: 'failed', weight: 0, weightSource: 'uniform' };
    }
    const generated = outcome.value;
    spend.record(generated);
    const extraction = extractFinalAnswer(generated.text);
    const sample: SampleOutcome = {
      index,
      ok: true,
      text: generated.text,
      answer: extraction.answer,
      normalizedAnswer: extraction.answer === '' ? '' : normalize(extraction.answer),
      extraction: extraction.method,
      weight: 1,
      weightSource: 'uniform',
    };
    const reported = parseReportedConfidence(generated.text);
    if (reported !== undefined) sample.reportedConfidence = reported;
    if (generated.logprobs && generated.logprobs.length > 0) sample.logprobWeight = answerSpanWeight(generated.text, extraction.answer, generated.logprobs);
    if (voting === 'weighted') {
      if (sample.logprobWeight !== undefined) {
        sample.weight = sample.logprobWeight;
        sample.weightSource = 'logprobs';
      } else if (reported !== undefined) {
        sample.weight = reported;
        sample.weightSource = 'confidence';
      }
    }
    return sample;
  });

  const succeeded = samples.filter((s) => s.ok);
  if (succeeded.length === 0) {
    const first = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    throw first?.reason;
  }

  const votes = tally(succeeded);
  const totalWeight = succeeded.reduce((sum, s) => sum + s.weight, 0);
  const winner = votes[0];
  const confidence = winner === undefined || totalWeight <= 0 ? 0 : Math.min(1, winner.weight / totalWeight);
  return {
    escalated: false,
    answer: winner?.answer ?? '',
    normalizedAnswer: winner?.normalizedAnswer ?? '',
    confidence,
    voting,
    votes,
    samples,
    failedSamples: samples.length - succeeded.length,
    ...spend.snapshot(),
  };
}

/** Groups answered samples by voting key; best first by weight, then count, then first appearance. */
function tally(samples: readonly SampleOutcome[]): Vote[] {
  const groups = new Map<string, Vote & { firstIndex: number }>();
  for (const sample of samples) {
    if (sample.normalizedAnswer === '') continue;
    const group = groups.get(sample.normalizedAnswer);
    if (group) {
      group.count++;
      group.weight += sample.weight;
    } else {
      groups.set(sample.normalizedAnswer, { answer: sample.answer, normalizedAnswer: sample.normalizedAnswer, count: 1, weight: sample.weight, firstIndex: sample.index });
    }
  }
  return [...groups.values()]
    .sort((a, b) => b.weight - a.weight || b.count - a.count || a.firstIndex - b.firstIndex)
    .map(({ answer, normalizedAnswer, count, weight }) => ({ answer, normalizedAnswer, count, weight }));
}

/**
 * Self-reported confidence from a "Confidence: …" line: 0.8, 80%, 8/10 or 80/100; a bare number
 * above 1 is read as a percentage. Clamped to [0, 1]; undefined when there is no such line.
 */
export function parseReportedConfidence(text: string): number | undefined {
  const matches = [...text.matchAll(/confidence(?:\s+level)?\s*[:=]?\s*\**\s*(\d+(?:\.\d+)?)\s*(%|\/\s*100?\b)?/gi)];
  const m = matches.at(-1);
  if (m?.[1] === undefined) return undefined;
  let value = Number(m[1]);
  const suffix = (m[2] ?? '').replace(/\s/g, '');
  if (suffix === '%' || suffix === '/100') value /= 100;
  else if (suffix === '/10') value /= 10;
  else if (value > 1) value /= 100;
  if (!Number.isFinite(value)) return undefined;
  return Math.min(1, Math.max(0, value));
}

/**
 * exp(mean logprob) of the tokens that overlap the answer's last occurrence in the text. Token
 * offsets come from concatenating the token strings; when they do not spell the text (a provider
 * that returns byte tokens, a cut stream) or the answer is not found, all tokens are used.
 */
export function answerSpanWeight(text: string, answer: string, logprobs: readonly TokenLogprob[]): number {
  let selected: readonly TokenLogprob[] = logprobs;
  const spelled = logprobs.map((t) => t.token).join('');
  const spanStart = answer === '' ? -1 : text.lastIndexOf(answer);
  if (spelled === text && spanStart >= 0) {
    const spanEnd = spanStart + answer.length;
    const inSpan: TokenLogprob[] = [];
    let offset = 0;
    for (const token of logprobs) {
      const start = offset;
      offset += token.token.length;
      if (offset > spanStart && start < spanEnd) inSpan.push(token);
    }
    if (inSpan.length > 0) selected = inSpan;
  }
  const mean = selected.reduce((sum, t) => sum + t.logprob, 0) / selected.length;
  return Math.exp(Math.min(0, mean));
}
