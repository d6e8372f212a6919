/**
 * The one interface every eval assertion implements: `evaluate(output, context)` → pass, score and a
 * reason a person can act on. Assertions are pure over what one suite job produced (text, tool calls,
 * timings, cost, the agent's trajectory) plus the case (vars, reference, retrieved context); the few
 * that need a model (rubric grading, model-judged faithfulness) or embeddings get them from
 * `context.services`, never from globals, so tests can hand in scripted ones.
 */
import type { ToolCall } from '../../core/messages.js';
import type { Usage } from '../../core/usage.js';
import type { EmbeddingModel, LanguageModel } from '../../models/language-model.js';

/** What an agent run did, for trajectory checks. */
export interface AgentTrace {
  /** Model calls made. */
  steps: number;
  /** The run's final status (`completed`, `max_steps`, `failed`…). */
  status: string;
}

/** What one suite job produced: a model call, or an agent run. */
export interface EvalOutput {
  text: string;
  /** Every tool call, in the order made (an agent run: across all its steps). */
  toolCalls: ToolCall[];
  latencyMs: number;
  /** Undefined when the model's price is unknown. */
  costUsd?: number;
  usage: Usage;
  /** The model id that answered, and its provider (they pick the tokenizer for token lengths). */
  model: string;
  provider: string;
  /** Present when the case ran an agent. */
  agent?: AgentTrace;
  /** Set when the call failed: every assertion then fails with this reason. */
  error?: string;
}

/** Models and embeddings that some assertions need. */
export interface AssertionServices {
  /** The grader for model-graded rubrics and model-judged faithfulness; `model` on an assertion overrides it. */
  grader?: LanguageModel;
  /** Resolves an assertion's own `model:` (a name as the registry resolves it). */
  resolveModel?: (name: string) => LanguageModel;
  /** Embeddings for semantic similarity (loaded on first use: the embedded model takes a second). */
  embeddings?: () => Promise<EmbeddingModel>;
}

export interface AssertionContext {
  /** The case's variables. */
  vars: Readonly<Record<string, unknown>>;
  /** The case's expected answer, when it has one (semantic similarity's default reference). */
  reference?: string;
  /** Retrieved passages the answer should be grounded in (RAG faithfulness). */
  retrievedContext?: readonly string[];
  /** The suite's model name for this job, as written in the suite. */
  modelName: string;
  services: AssertionServices;
  signal?: AbortSignal;
}

export interface AssertionResult {
  pass: boolean;
  /** 0..1; 1 or 0 for yes/no checks. */
  score: number;
  reason: string;
}

export interface Assertion {
  /** The spec's `type`, e.g. `contains`. */
  readonly type: string;
  /** How reports name it: the spec's `label`, else a short description. */
  readonly label: string;
  evaluate(output: EvalOutput, context: AssertionContext): AssertionResult | Promise<AssertionResult>;
}

export function passed(reason: string, score = 1): AssertionResult {
  return { pass: true, score, reason };
}

export function failed(reason: string, score = 0): AssertionResult {
  return { pass: false, score, reason };
}

/** Shortens text for reasons and reports. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? JSON.stringify(flat) : `${JSON.stringify(flat.slice(0, max - 1))}…`;
}
