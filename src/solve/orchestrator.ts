/**
 * The chain-of-thought orchestrator (the guide's capstone exercise, with its bugs fixed):
 *
 * - each model turn is ONE validated step (generateObject / streamObject): invalid output goes
 *   back to the model with the validation errors — the failed output included, which the guide's
 *   reference drops — up to `maxRepairAttempts` per step;
 * - provider errors are retried by withRetry within the request's retry budget (the model is
 *   wrapped unless it already retries), each attempt under a timeout; anything else is fatal;
 * - `calculate` steps are re-done by the calculator, whose value replaces the model's result;
 * - the loop ends on `final_answer` or `next_step_needed=false`, at most `maxSteps` steps;
 * - tokens and cost are summed over EVERY call, repair attempts included (the guide reports
 *   only the last call's total);
 * - the history is summarised past `historyLimitTokens`, always keeping the problem.
 */
import { ConduitError, toConduitError } from '../core/errors.js';
import type { Message } from '../core/messages.js';
import { addUsage, emptyUsage, totalTokens, type Usage } from '../core/usage.js';
import { withRetry, type RetryOptions } from '../middleware/retry.js';
import type { CallOptions, LanguageModel } from '../models/language-model.js';
import { NO_MODEL_CONFIGURED, OFFLINE_PROVIDER } from '../models/providers/offline/index.js';
import { countMessageTokens } from '../models/tokenizer/index.js';
import { DEFAULT_MAX_ATTEMPTS, generateObject, streamObject, StructuredOutputError, type AttemptRecord, type DeepPartial, type StructuredResult } from '../structured/index.js';
import { calculatorResultText, runCalculator, type CalculatorOutcome } from './calculate-step.js';
import { formatCalculatorValue } from '../tools/calculator/index.js';
import { endsTheRun, reasoningStepSchema, type ReasoningStep, type StepType } from './reasoning-step.js';
import { problemMessage, SOLVE_SYSTEM_PROMPT } from './solve-prompt.js';
import { buildConversation, DEFAULT_HISTORY_LIMIT_TOKENS, type HistoryTurn } from './step-history.js';

export const DEFAULT_MAX_STEPS = 10;
/** Per model call (one attempt); the guide's reference has none, so a stuck call hangs forever. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 60_000;

export interface SolveOptions {
  problem: string;
  model: LanguageModel;
  /** Steps (model turns that produced a valid step) before giving up. Default 10. */
  maxSteps?: number;
  /** Attempts per step, the first included, before the step fails (repair loop). Default 3. */
  maxRepairAttempts?: number;
  /** Conversation size (tokens) past which older steps are summarised. Default 3000. */
  historyLimitTokens?: number;
  /** Use streamObject and report partial steps. Default false. */
  stream?: boolean;
  signal?: AbortSignal;
  /** Per-attempt timeout. Default 60 s. */
  attemptTimeoutMs?: number;
  /** Retry settings for the withRetry wrapper (not applied when the model already retries). */
  retry?: RetryOptions;
  /** Told about everything as it happens (steps, partials, corrections, summaries). */
  onEvent?: (event: SolveEvent) => void;
}

export interface SolveStepRecord {
  /** 1-based step number. */
  iteration: number;
  step_type: StepType;
  thought: string;
  action: string;
  /** The result the run carries on with: the calculator's value on calculate steps. */
  result: string;
  next_step_needed: boolean;
  /** What the model itself wrote as the result (differs from `result` when the calculator replaced it). */
  modelResult: string;
  calculator?: CalculatorOutcome;
  /** Model calls this step took (1 + repair attempts). */
  attempts: number;
  usage: Usage;
  costUsd?: number;
}

export interface SolveCorrection {
  iteration: number;
  /** The attempt that failed validation (1-based, within the step). */
  attempt: number;
  error: string;
  raw: string;
  /** False for the step's last allowed attempt: nothing was sent back, the step failed. */
  sentBack: boolean;
}

export type SolveStatus = 'solved' | 'max_steps' | 'failed' | 'no_model';

export interface SolveRun {
  problem: string;
  status: SolveStatus;
  /** The final step's result; absent unless solved. */
  answer?: string;
  steps: SolveStepRecord[];
  /** Steps produced (valid model turns). */
  iterations: number;
  /** Every model call, repair attempts included. */
  calls: number;
  /** Summed over every call, failed repair attempts included. */
  usage: Usage;
  totalTokens: number;
  /** Summed USD cost; absent unless every call reported one. */
  costUsd?: number;
  corrections: SolveCorrection[];
  /** Oldest steps folded into the history summary at the last turn (0: never summarised). */
  summarisedSteps: number;
  provider: string;
  model: string;
  durationMs: number;
  error?: { kind: string; message: string; code?: string };
}

export type SolveEvent =
  | { type: 'start'; problem: string; provider: string; model: string }
  /** A step as it streams (unvalidated). */
  | { type: 'partial'; iteration: number; attempt: number; partial: DeepPartial<ReasoningStep> }
  /** The model's output did not validate; it goes back with the error. */
  | { type: 'correction'; correction: SolveCorrection }
  | { type: 'step'; step: SolveStepRecord }
  /** The history was summarised before calling the model for `iteration`. */
  | { type: 'summarised'; iteration: number; summarisedSteps: number; tokens: number };

export async function solveProblem(options: SolveOptions): Promise<SolveRun> {
  const started = Date.now();
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new ConduitError('invalid_request', `maxSteps must be a positive integer, got ${maxSteps}`, { param: 'maxSteps' });
  const problem = options.problem.trim();
  if (problem === '') throw new ConduitError('invalid_request', 'The problem is empty', { param: 'problem' });

  const run: SolveRun = {
    problem,
    status: 'failed',
    steps: [],
    iterations: 0,
    calls: 0,
    usage: emptyUsage(),
    totalTokens: 0,
    corrections: [],
    summarisedSteps: 0,
    provider: options.model.provider,
    model: options.model.modelId,
    durationMs: 0,
  };
  let costKnown = true;
  let cost = 0;
  const account = (attempts: readonly AttemptRecord[]): void => {
    for (const a of attempts) {
      run.calls++;
      run.usage = addUsage(run.usage, a.usage);
      if (a.costUsd === undefined) costKnown = false;
      else cost += a.costUsd;
    }
  };
  const finish = (status: SolveStatus): SolveRun => {
    run.status = status;
    run.totalTokens = totalTokens(run.usage);
    if (costKnown && run.calls > 0) run.costUsd = cost;
    run.durationMs = Date.now() - started;
    return run;
  };

  if (options.model.provider === OFFLINE_PROVIDER) {
    run.error = { kind: 'provider_unavailable', message: 'No language model is configured', code: NO_MODEL_CONFIGURED };
    return finish('no_model');
  }

  const model = 'retryOptions' in options.model ? options.model : withRetry(options.model, options.retry);
  const callOptions: CallOptions = { attemptTimeoutMs: options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS };
  if (options.signal !== undefined) callOptions.signal = options.signal;
  const limitTokens = options.historyLimitTokens ?? DEFAULT_HISTORY_LIMIT_TOKENS;
  const countTokens = (messages: Message[]): number => countMessageTokens(model.provider, model.modelId, messages);
  const turns: HistoryTurn[] = [];
  options.onEvent?.({ type: 'start', problem, provider: model.provider, model: model.modelId });

  for (let iteration = 1; iteration <= maxSteps; iteration++) {
    const window = buildConversation({ system: SOLVE_SYSTEM_PROMPT, problem: problemMessage(problem), turns, limitTokens, countTokens });
    if (window.summarisedSteps > run.summarisedSteps) options.onEvent?.({ type: 'summarised', iteration, summarisedSteps: window.summarisedSteps, tokens: window.tokens });
    run.summarisedSteps = window.summarisedSteps;

    let result: StructuredResult<ReasoningStep>;
    try {
      result = await nextStep(model, window.messages, iteration, options, callOptions);
    } catch (err) {
      if (err instanceof StructuredOutputError) {
        account(err.attempts);
        recordCorrections(run, options, iteration, err.attempts, err.attempts.length);
        run.error = { kind: err.kind, code: err.code ?? 'structured_output_failed', message: `Step ${iteration}: the model did not produce a valid step in ${err.attempts.length} attempt(s). Last error: ${lastAttemptError(err.attempts)}` };
      } else {
        const e = toConduitError(err, 'provider_error');
        run.error = { kind: e.kind, message: `Step ${iteration}: ${e.message}`, ...(e.code !== undefined ? { code: e.code } : {}) };
        // A router or fallback chain can end at the offline provider: same answer as being offline.
        if (e.code === NO_MODEL_CONFIGURED) return finish('no_model');
      }
      return finish('failed');
    }
    account(result.attempts);
    recordCorrections(run, options, iteration, result.attempts.slice(0, -1), Number.POSITIVE_INFINITY);

    const record = toStepRecord(iteration, result);
    run.steps.push(record);
    run.iterations = iteration;
    options.onEvent?.({ type: 'step', step: record });

    const calculatorFailed = record.calculator?.error !== undefined;
    // A calculator error is fed back to the model, so it never ends the run.
    if (endsTheRun(result.object) && !calculatorFailed) {
      run.answer = record.result;
      return finish('solved');
    }
    turns.push({ step: { step_type: record.step_type, thought: record.thought, action: record.action, result: record.result, next_step_needed: record.next_step_needed }, followUp: followUpFor(record) });
  }
  run.error = { kind: 'max_steps', message: `No final answer within ${maxSteps} step(s) (--max-steps ${maxSteps}).` };
  return finish('max_steps');
}

async function nextStep(model: LanguageModel, messages: Message[], iteration: number, options: SolveOptions, callOptions: CallOptions): Promise<StructuredResult<ReasoningStep>> {
  const request = {
    model,
    schema: reasoningStepSchema,
    schemaName: 'reasoning_step',
    messages,
    maxAttempts: options.maxRepairAttempts ?? DEFAULT_MAX_ATTEMPTS,
    callOptions,
    settings: { temperature: 0 },
  };
  if (!streams(options)) return generateObject(request);
  for await (const event of streamObject(request)) {
    if (event.type === 'partial') options.onEvent?.({ type: 'partial', iteration, attempt: event.attempt, partial: event.partial });
    else if (event.type === 'attempt-failed') {
      // Told now, so a streaming display can void the partial it just showed; recorded in the run later.
      options.onEvent?.({ type: 'correction', correction: toCorrection(iteration, event.attempt, request.maxAttempts) });
    } else if (event.type === 'object') return event;
  }
  throw new ConduitError('provider_error', 'The structured stream ended without an object', { provider: model.provider, model: model.modelId });
}

function toStepRecord(iteration: number, result: StructuredResult<ReasoningStep>): SolveStepRecord {
  const step = result.object;
  const record: SolveStepRecord = {
    iteration,
    step_type: step.step_type,
    thought: step.thought,
    action: step.action,
    result: step.result,
    next_step_needed: step.next_step_needed,
    modelResult: step.result,
    attempts: result.attempts.length,
    usage: result.usage,
  };
  if (result.costUsd !== undefined) record.costUsd = result.costUsd;
  if (step.step_type === 'calculate') {
    const outcome = runCalculator(step.action, step.result);
    record.calculator = outcome;
    record.result = calculatorResultText(outcome);
  }
  return record;
}

/** What the model reads after its step: the calculator's verdict, then the request for the next step. */
function followUpFor(record: SolveStepRecord): string {
  const calc = record.calculator;
  if (calc === undefined) return 'Next step.';
  if (calc.value === undefined) {
    return `The calculator could not evaluate your action: ${calc.error ?? 'unknown error'} (expression: ${calc.expression}). Redo this calculation as a calculate step whose action is a valid arithmetic expression.`;
  }
  const value = formatCalculatorValue(calc.value);
  if (calc.agrees) return `Calculator: ${calc.expression} = ${value}. Next step.`;
  return `Calculator: ${calc.expression} = ${value} (your result "${calc.modelResult}" was wrong; the step's result is now ${value}). Use ${value} from here on. Next step.`;
}

function recordCorrections(run: SolveRun, options: SolveOptions, iteration: number, failed: readonly AttemptRecord[], maxAttempts: number): void {
  for (const a of failed) {
    const correction = toCorrection(iteration, a, maxAttempts);
    run.corrections.push(correction);
    // Streaming runs announced it when the attempt failed (see nextStep).
    if (!streams(options)) options.onEvent?.({ type: 'correction', correction });
  }
}

function toCorrection(iteration: number, a: AttemptRecord, maxAttempts: number): SolveCorrection {
  return { iteration, attempt: a.attempt, error: attemptError(a), raw: a.raw, sentBack: a.attempt < maxAttempts };
}

function streams(options: SolveOptions): boolean {
  return options.stream === true && options.model.capabilities.streaming;
}

function attemptError(a: AttemptRecord): string {
  if (a.parseError !== undefined) return a.parseError;
  return (a.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('; ') || 'invalid output';
}

function lastAttemptError(attempts: readonly AttemptRecord[]): string {
  const last = attempts.at(-1);
  return last === undefined ? 'no attempt was made' : attemptError(last);
}
