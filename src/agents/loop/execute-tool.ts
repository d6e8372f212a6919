/**
 * Runs one tool call under its policy: a per-attempt timeout (the tool's own, else the loop's),
 * retries with exponential backoff for thrown errors and timeouts (not for results the tool itself
 * marked as errors: those are answers, and retrying would repeat them), and cancellation from the
 * run. Never throws: every failure becomes an error ToolOutput the model can read.
 */
import type { AgentTool, ToolOutput } from '../tool.js';

export interface ToolExecution {
  output: ToolOutput;
  attempts: number;
  durationMs: number;
  /** True when the last attempt ran out of time. */
  timedOut: boolean;
}

export interface ExecuteToolOptions {
  runId: string;
  callId: string;
  /** The run's signal: aborting it stops the call and any further retries. */
  signal: AbortSignal;
  /** Used when the tool declares no `timeoutMs`. */
  defaultTimeoutMs: number;
}

const DEFAULT_BACKOFF_MS = 200;

class ToolTimeout extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

export async function executeTool(tool: AgentTool, args: Record<string, unknown>, options: ExecuteToolOptions): Promise<ToolExecution> {
  const started = performance.now();
  const timeoutMs = tool.timeoutMs ?? options.defaultTimeoutMs;
  const retries = Math.max(0, Math.trunc(tool.retry?.retries ?? 0));
  let backoff = tool.retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
  let lastError: unknown;
  let attempts = 0;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (options.signal.aborted) break;
    attempts++;
    try {
      const output = await attemptOnce(tool, args, options, timeoutMs);
      return { output, attempts, durationMs: performance.now() - started, timedOut: false };
    } catch (err) {
      lastError = err;
      if (attempt < retries && !options.signal.aborted) {
        await sleep(backoff, options.signal).catch(() => undefined);
        backoff *= 2;
      }
    }
  }
  const timedOut = lastError instanceof ToolTimeout;
  const reason = options.signal.aborted && lastError === undefined ? 'the run was cancelled' : describeError(lastError);
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return {
    output: { content: `Tool '${tool.name}' failed${tries}: ${reason}`, isError: true },
    attempts,
    durationMs: performance.now() - started,
    timedOut,
  };
}

async function attemptOnce(tool: AgentTool, args: Record<string, unknown>, options: ExecuteToolOptions, timeoutMs: number): Promise<ToolOutput> {
  const controller = new AbortController();
  const onRunAbort = (): void => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onRunAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    // Raced rather than trusted: a tool that ignores its signal still cannot hold the run past its timeout.
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const err = new ToolTimeout(timeoutMs);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const cancelled = new Promise<never>((_resolve, reject) => {
      if (options.signal.aborted) reject(new Error('the run was cancelled'));
      else options.signal.addEventListener('abort', () => reject(new Error('the run was cancelled')), { once: true });
    });
    const run = tool.execute(args, { runId: options.runId, callId: options.callId, signal: controller.signal });
    // The losing promises must not surface as unhandled rejections.
    run.catch(() => undefined);
    timeout.catch(() => undefined);
    cancelled.catch(() => undefined);
    const output = await Promise.race([run, timeout, cancelled]);
    return normaliseOutput(output);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onRunAbort);
  }
}

function normaliseOutput(output: unknown): ToolOutput {
  if (output !== null && typeof output === 'object' && typeof (output as ToolOutput).content === 'string') return output as ToolOutput;
  // A tool that broke its contract: keep the run alive and say what came back.
  return { content: typeof output === 'string' ? output : JSON.stringify(output) ?? String(output) };
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
