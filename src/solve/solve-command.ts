/**
 * `conduit solve "<problem>" [--max-steps N] [--json] [--stream] [--model M]`, as a function the
 * CLI wires up: it takes the resolved model and the output streams, and returns the exit code.
 *
 * Exit codes: 0 solved; 1 no final answer (no model configured, a fatal model error, a step the
 * model could not get valid, or the step limit reached); 2 bad arguments (empty problem, bad
 * --max-steps).
 */
import { isConduitError } from '../core/errors.js';
import type { RetryOptions } from '../middleware/retry.js';
import type { LanguageModel } from '../models/language-model.js';
import { solveProblem, type SolveEvent, type SolveRun } from './orchestrator.js';
import { renderCorrection, renderFailure, renderFooter, renderHeader, renderStats, renderStep, renderSummarised, runToJson, StreamingStepPrinter } from './render.js';

export const SOLVE_EXIT_OK = 0;
export const SOLVE_EXIT_FAILED = 1;
export const SOLVE_EXIT_USAGE = 2;

export interface SolveOutput {
  write(s: string): void;
}

export interface SolveCommandArgs {
  problem: string;
  model: LanguageModel;
  maxSteps?: number;
  json?: boolean;
  stream?: boolean;
  historyLimitTokens?: number;
  stdout: SolveOutput;
  stderr: SolveOutput;
  signal?: AbortSignal;
  /** Attempts per step before it fails (repair loop). Default 3. */
  maxRepairAttempts?: number;
  /** Per-call timeout in ms. Default 60 s. */
  attemptTimeoutMs?: number;
  /** withRetry settings, when the model does not already retry. */
  retry?: RetryOptions;
}

export async function runSolveCommand(args: SolveCommandArgs): Promise<number> {
  const { stdout, stderr } = args;
  if (args.problem.trim() === '') {
    stderr.write('Usage: conduit solve "<problem>" [--max-steps N] [--json] [--stream] [--model M]\n  e.g. conduit solve "If I invest $1000 at 5% compounded monthly for 2 years, how much will I have?"\n');
    return SOLVE_EXIT_USAGE;
  }
  if (args.maxSteps !== undefined && (!Number.isInteger(args.maxSteps) || args.maxSteps < 1)) {
    stderr.write(`--max-steps must be a positive integer, got ${String(args.maxSteps)}\n`);
    return SOLVE_EXIT_USAGE;
  }

  const text = args.json !== true;
  const streaming = text && args.stream === true;
  const printer = new StreamingStepPrinter((s) => stdout.write(s));
  const onEvent = (event: SolveEvent): void => {
    if (!text) return;
    switch (event.type) {
      case 'start':
        stdout.write(renderHeader(event.problem, event.provider, event.model));
        break;
      case 'partial':
        if (streaming) printer.partial(event.iteration, event.attempt, event.partial);
        break;
      case 'correction':
        if (streaming) printer.correction(event.correction);
        else stdout.write(renderCorrection(event.correction));
        break;
      case 'step':
        if (streaming) printer.step(event.step);
        else stdout.write(renderStep(event.step));
        break;
      case 'summarised':
        stdout.write(renderSummarised(event.summarisedSteps, event.tokens));
        break;
    }
  };

  let run: SolveRun;
  try {
    run = await solveProblem({
      problem: args.problem,
      model: args.model,
      stream: args.stream === true,
      onEvent,
      ...(args.maxSteps !== undefined ? { maxSteps: args.maxSteps } : {}),
      ...(args.historyLimitTokens !== undefined ? { historyLimitTokens: args.historyLimitTokens } : {}),
      ...(args.signal !== undefined ? { signal: args.signal } : {}),
      ...(args.maxRepairAttempts !== undefined ? { maxRepairAttempts: args.maxRepairAttempts } : {}),
      ...(args.attemptTimeoutMs !== undefined ? { attemptTimeoutMs: args.attemptTimeoutMs } : {}),
      ...(args.retry !== undefined ? { retry: args.retry } : {}),
    });
  } catch (err) {
    // solveProblem reports model failures in the run; what reaches here is invalid input or a bug.
    const message = isConduitError(err) || err instanceof Error ? err.message : String(err);
    stderr.write(`💥 conduit solve: ${message}\n`);
    return isConduitError(err) && err.kind === 'invalid_request' ? SOLVE_EXIT_USAGE : SOLVE_EXIT_FAILED;
  }

  if (!text) {
    stdout.write(`${JSON.stringify(runToJson(run), null, 2)}\n`);
    if (run.status !== 'solved') stderr.write(renderFailure(run));
    return run.status === 'solved' ? SOLVE_EXIT_OK : SOLVE_EXIT_FAILED;
  }
  if (run.status === 'solved') {
    stdout.write(renderFooter(run));
    return SOLVE_EXIT_OK;
  }
  if (run.status === 'no_model') {
    stderr.write(renderFailure(run));
    return SOLVE_EXIT_FAILED;
  }
  stderr.write(renderFailure(run));
  // What the attempt cost is worth knowing even when it failed.
  stdout.write(`\n${renderStats(run).join('\n')}\n`);
  return SOLVE_EXIT_FAILED;
}
