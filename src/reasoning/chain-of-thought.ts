/**
 * Chain-of-thought prompting with answer extraction.
 *
 * The prompt asks for numbered reasoning steps and a last line of the form
 *
 *     Final answer: <answer>
 *
 * (`FINAL_ANSWER_MARKER`). Models do not always comply, so extraction degrades in steps
 * (`AnswerExtraction.method`): the last "Final answer:" marker (any case, markdown bold allowed,
 * answer on the same line or the next) → a LaTeX `\boxed{…}` → a weaker marker ("Answer:",
 * "the answer is …", "Therefore, …") → the last non-empty line. The answer is cleaned (markdown,
 * wrapping quotes, a trailing "Confidence: …" clause) and also returned normalised
 * (`normalizeAnswer`: case, punctuation and numeric forms such as "$1,104.94" → "1104.94").
 */
import type { Message } from '../core/messages.js';
import type { CallOptions, GenerateResult, LanguageModel } from '../models/language-model.js';
import { normalizeAnswer } from './answer-normalisation.js';
import { SpendMeter, type Spend } from './spend.js';

export const FINAL_ANSWER_MARKER = 'Final answer:';

export interface ChainOfThoughtOptions {
  model: LanguageModel;
  question: string;
  /** Extra instructions appended to the system prompt (domain rules, persona…). */
  instructions?: string;
  /** What the final answer must look like, e.g. "a number in USD with two decimals". */
  answerFormat?: string;
  temperature?: number;
  maxTokens?: number;
  callOptions?: CallOptions;
}

export type ExtractionMethod = 'marker' | 'boxed' | 'weak-marker' | 'last-line' | 'empty';

export interface AnswerExtraction {
  /** The answer as the model wrote it, cleaned of markdown and quotes. */
  answer: string;
  /** `normalizeAnswer(answer)`: the form to compare and vote on. */
  normalizedAnswer: string;
  /** The text before the answer (the reasoning steps). */
  reasoning: string;
  method: ExtractionMethod;
}

export interface ChainOfThoughtResult extends AnswerExtraction, Spend {
  /** The model's whole reply. */
  raw: string;
  result: GenerateResult;
}

export interface ChainOfThoughtPromptOptions {
  question: string;
  instructions?: string;
  answerFormat?: string;
  /** Extra lines the model must end with after the final answer (self-consistency adds "Confidence: …"). */
  trailer?: string;
}

/** The CoT messages: a system prompt with the step-by-step scaffold and the answer marker, and the question. */
export function chainOfThoughtMessages(options: ChainOfThoughtPromptOptions): Message[] {
  const lines = [
    'Solve the problem by reasoning step by step.',
    'Write your reasoning as numbered steps (1., 2., 3., …). Check your work before answering.',
    `End with one line that starts with "${FINAL_ANSWER_MARKER}" followed by the answer only.`,
  ];
  if (options.answerFormat) lines.push(`The answer must be ${options.answerFormat}.`);
  if (options.trailer) lines.push(options.trailer);
  if (options.instructions) lines.push('', options.instructions);
  return [
    { role: 'system', content: lines.join('\n') },
    { role: 'user', content: options.question },
  ];
}

export async function chainOfThought(options: ChainOfThoughtOptions): Promise<ChainOfThoughtResult> {
  const spend = new SpendMeter();
  const request = {
    messages: chainOfThoughtMessages(options),
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
  };
  const result = await options.model.generate(request, options.callOptions);
  spend.record(result);
  return { ...extractFinalAnswer(result.text), raw: result.text, result, ...spend.snapshot() };
}

// ---------- extraction ----------

// "Final answer:" with optional markdown around it ("**Final Answer:**", "## Final answer -").
const MARKER = /(?:^|\n)[ \t>#*_-]*final[ \t]+answer[ \t*_]*(?:[:：\-–—]|is\b)[ \t*_]*(.*)/gi;
const BOXED = /\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}/g;
const WEAK_MARKERS: RegExp[] = [
  /(?:^|\n)[ \t>#*_-]*answer[ \t*_]*[:：][ \t*_]*(.*)/gi,
  /\bthe (?:final |correct )?answer is[ \t:]*(.+)/gi,
  /(?:^|\n)[ \t]*(?:therefore|thus|so|hence),?[ \t]+(.+)/gi,
];

export function extractFinalAnswer(text: string): AnswerExtraction {
  const marker = lastMatch(MARKER, text);
  if (marker) {
    let answer = marker.captured;
    if (cleanAnswer(answer) === '') {
      // Marker on its own line: the answer is the next non-empty line.
      const next = /^\s*(\S.*)/.exec(text.slice(marker.end));
      if (next?.[1] !== undefined) answer = next[1];
    }
    return build(answer, text.slice(0, marker.start), 'marker');
  }
  const boxed = lastMatch(BOXED, text);
  if (boxed) return build(boxed.captured, text.slice(0, boxed.start), 'boxed');
  for (const pattern of WEAK_MARKERS) {
    const weak = lastMatch(pattern, text);
    if (weak && cleanAnswer(weak.captured) !== '') return build(weak.captured, text.slice(0, weak.start), 'weak-marker');
  }
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^confidence\b/i.test(l));
  const last = lines.at(-1);
  if (last === undefined) return { answer: '', normalizedAnswer: '', reasoning: '', method: 'empty' };
  const lastIndex = text.lastIndexOf(last);
  return build(last.replace(/^(?:\d+[.)]|[-*•])\s+/, ''), text.slice(0, Math.max(0, lastIndex)), 'last-line');
}

function build(rawAnswer: string, reasoning: string, method: ExtractionMethod): AnswerExtraction {
  const answer = cleanAnswer(rawAnswer);
  return { answer, normalizedAnswer: normalizeAnswer(answer), reasoning: reasoning.trim(), method: answer === '' ? 'empty' : method };
}

/** Strips markdown, wrapping quotes/brackets, a trailing confidence clause and a sentence-final dot. */
function cleanAnswer(raw: string): string {
  let answer = raw.trim();
  answer = answer.replace(/[ \t]*[([]?\s*confidence(?:\s+level)?\s*[:=]?\s*\d.*$/i, '');
  // Markdown, quotes and sentence dots can nest in any order ("**Paris**.", "\"42.\""): strip the set.
  answer = answer.replace(/^[*_`\s"'“‘]+|[*_`\s"'”’.。]+$/g, '');
  answer = answer.replace(/^\\boxed\{(.*)\}$/, '$1');
  return answer.trim();
}

interface Found {
  captured: string;
  start: number;
  end: number;
}

function lastMatch(pattern: RegExp, text: string): Found | undefined {
  let found: Found | undefined;
  for (const m of text.matchAll(pattern)) {
    const index = m.index ?? 0;
    // Skip the leading newline the pattern may have consumed, so `start` is the marker line's start.
    const start = m[0].startsWith('\n') ? index + 1 : index;
    found = { captured: m[1] ?? '', start, end: index + m[0].length };
  }
  return found;
}
