/** `conduit solve "<problem>"`: the CoT orchestrator (src/solve) on the configured model. */
import { runSolveCommand } from '../../solve/index.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

export async function runSolve(ctx: CommandContext): Promise<number> {
  const { args, io, registry } = ctx;
  const problem = args.args.join(' ');
  if (problem.trim() === '') throw new UsageError('conduit solve needs a problem: conduit solve "<problem>"');
  let maxSteps: number | undefined;
  const raw = args.options.maxSteps;
  if (raw !== undefined) {
    maxSteps = Number(raw);
    if (!Number.isInteger(maxSteps) || maxSteps <= 0) throw new UsageError(`--max-steps expects a positive integer, got '${raw}'`);
  }
  const model = registry.resolve(registry.defaultModelName());
  return runSolveCommand({
    problem,
    model,
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    json: args.json,
    stream: args.stream,
    stdout: io.stdout,
    stderr: io.stderr,
    signal: io.shutdownSignal(),
  });
}
