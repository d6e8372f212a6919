/**
 * How a `conduit solve` run reads in a terminal: the guide's layout (icon, STEP TYPE, thought,
 * action, result), with the calculator's verdict, corrections and summaries shown where they
 * happen, and a footer with the answer, tokens over all calls, cost and iterations.
 */
import { OFFLINE_MESSAGE } from '../models/providers/offline/index.js';
import type { DeepPartial } from '../structured/index.js';
import { formatCalculatorValue } from '../tools/calculator/index.js';
import { STEP_ICONS, STEP_TYPES, type ReasoningStep, type StepType } from './reasoning-step.js';
import type { SolveCorrection, SolveRun, SolveStepRecord } from './orchestrator.js';

export const RULE = '='.repeat(60);

export function renderHeader(problem: string, provider: string, model: string): string {
  return `\n🧠 Solving: ${problem}\n   (model ${provider}/${model})\n\n${RULE}\n`;
}

export function renderStepHeading(iteration: number, type: StepType): string {
  return `\n${STEP_ICONS[type]} Step ${iteration}: ${type.toUpperCase()}\n`;
}

export function renderStep(step: SolveStepRecord): string {
  return renderStepHeading(step.iteration, step.step_type) + `   Thought: ${step.thought}\n   Action:  ${step.action}\n` + renderResultLines(step);
}

/** The result line(s): on calculate steps, the calculator's value and, when they differ, the model's. */
export function renderResultLines(step: SolveStepRecord): string {
  const calc = step.calculator;
  if (calc === undefined) return `   Result:  ${step.result}\n`;
  if (calc.value === undefined) {
    return `   Result:  ⚠️  ${step.result}\n   Model said: ${calc.modelResult} (not checked; the error goes back to the model)\n`;
  }
  const value = formatCalculatorValue(calc.value);
  if (calc.agrees) return `   Result:  ${value}  (calculator: ${calc.expression}; the model's ${calc.modelResult} agrees)\n`;
  return `   Result:  ${value}  (calculator: ${calc.expression})\n   ⚠️  Model said ${calc.modelResult} — replaced by the calculator's value\n`;
}

export function renderCorrection(c: SolveCorrection): string {
  const what = c.sentBack ? 'sent back to the model with the error' : 'no attempts left';
  return `   ${c.sentBack ? '↺' : '✗'} Attempt ${c.attempt} of step ${c.iteration} was not a valid step (${oneLine(c.error, 160)}); ${what}\n`;
}

export function renderSummarised(summarisedSteps: number, tokens: number): string {
  return `\n   📝 History over its limit: steps 1–${summarisedSteps} condensed into a summary (conversation now ${formatInt(tokens)} tokens; the problem is kept)\n`;
}

export function renderFooter(run: SolveRun): string {
  const lines: string[] = [`\n${RULE}\n`];
  if (run.status === 'solved') lines.push(`✅ Solution found in ${run.iterations} step${run.iterations === 1 ? '' : 's'}\n`, `📊 Final Answer: ${run.answer ?? ''}`);
  lines.push(...renderStats(run));
  return `${lines.join('\n')}\n`;
}

export function renderStats(run: SolveRun): string[] {
  const u = run.usage;
  const corrections = run.corrections.length;
  return [
    `📈 Tokens Used: ${formatInt(run.totalTokens)} (input ${formatInt(u.inputTokens)}, output ${formatInt(u.outputTokens)}) over ${run.calls} call${run.calls === 1 ? '' : 's'}`,
    `💰 Cost: ${run.costUsd !== undefined ? `$${run.costUsd.toFixed(6)}` : 'unknown (no price for this model)'}`,
    `🔄 Iterations: ${run.iterations}${corrections > 0 ? ` (${corrections} correction${corrections === 1 ? '' : 's'})` : ''}${run.summarisedSteps > 0 ? `, ${run.summarisedSteps} step(s) summarised` : ''}`,
  ];
}

/** What goes to stderr when a run does not end with an answer. */
export function renderFailure(run: SolveRun): string {
  if (run.status === 'no_model') return `❌ conduit solve needs a language model, and none is configured.\n\n${OFFLINE_MESSAGE}\n`;
  if (run.status === 'max_steps') return `\n⛔ ${run.error?.message ?? 'Step limit reached.'} Raise the limit with --max-steps, or simplify the problem.\n`;
  return `\n💥 Fatal error: ${run.error?.message ?? 'unknown error'}\n`;
}

/** The `--json` document: the whole run. */
export function runToJson(run: SolveRun): Record<string, unknown> {
  return {
    problem: run.problem,
    status: run.status,
    finalAnswer: run.answer ?? null,
    steps: run.steps,
    iterations: run.iterations,
    calls: run.calls,
    usage: { ...run.usage, totalTokens: run.totalTokens },
    costUsd: run.costUsd ?? null,
    corrections: run.corrections,
    summarisedSteps: run.summarisedSteps,
    provider: run.provider,
    model: run.model,
    durationMs: run.durationMs,
    ...(run.error !== undefined ? { error: run.error } : {}),
  };
}

/**
 * Prints a step while it streams: the heading once the type is known, then each field's new
 * characters as they arrive, in the order thought → action → result. A field counts as finished
 * when a later one appears. A failed attempt voids what was shown, and the repair streams anew.
 */
export class StreamingStepPrinter {
  private iteration = 0;
  private attempt = 0;
  private headed = false;
  private field = 0;
  private shown = '';

  constructor(private readonly write: (s: string) => void) {}

  partial(iteration: number, attempt: number, partial: DeepPartial<ReasoningStep>): void {
    if (iteration !== this.iteration || attempt !== this.attempt) this.reset(iteration, attempt);
    const type = partial.step_type;
    if (!this.headed) {
      if (type === undefined || !(STEP_TYPES as readonly string[]).includes(type)) return;
      this.write(renderStepHeading(iteration, type));
      this.headed = true;
    }
    for (;;) {
      const name = STREAMED_FIELDS[this.field];
      if (name === undefined) return;
      const text = partial[name.key];
      if (typeof text !== 'string') return;
      if (this.shown === '' && text !== '') this.write(name.label);
      if (text.startsWith(this.shown) && text.length > this.shown.length) {
        this.write(text.slice(this.shown.length));
        this.shown = text;
      }
      const later = STREAMED_FIELDS.slice(this.field + 1).some((f) => partial[f.key] !== undefined);
      if (!later) return;
      if (this.shown !== '') this.write('\n');
      this.field++;
      this.shown = '';
    }
  }

  /** The step is complete: end the streamed lines and add what streaming could not show (the calculator). */
  step(step: SolveStepRecord): void {
    if (!this.headed) {
      this.write(renderStep(step));
    } else {
      if (this.shown !== '') this.write('\n');
      if (step.calculator !== undefined) this.write(renderResultLines(step).replace(/^ {3}Result: {2}/, '   ↳ Result: '));
    }
    this.reset(0, 0);
  }

  correction(c: SolveCorrection): void {
    if (this.shown !== '') this.write('\n');
    this.write(renderCorrection(c));
    this.reset(0, 0);
  }

  private reset(iteration: number, attempt: number): void {
    this.iteration = iteration;
    this.attempt = attempt;
    this.headed = false;
    this.field = 0;
    this.shown = '';
  }
}

const STREAMED_FIELDS: { key: 'thought' | 'action' | 'result'; label: string }[] = [
  { key: 'thought', label: '   Thought: ' },
  { key: 'action', label: '   Action:  ' },
  { key: 'result', label: '   Result:  ' },
];

export function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
