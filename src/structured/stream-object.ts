/**
 * `streamObject`: the object as it arrives. Each text (or forced-tool argument) delta is run through
 * the partial-JSON parser and a `partial` event is yielded whenever the parsed prefix changes. When
 * the stream ends the whole answer is validated exactly as generateObject does; on failure an
 * `attempt-failed` event says that the partials so far are void, and the repair turn streams next.
 * The last event is `object`, or the iterator throws StructuredOutputError.
 */
import { ConduitError } from '../core/errors.js';
import type { ToolCall } from '../core/messages.js';
import type { FinishReason, Usage } from '../core/usage.js';
import type { AttemptRecord } from './attempt.js';
import type { ObjectOf, SchemaInput } from './output-schema.js';
import { parsePartialJson } from './partial-json.js';
import { StructuredRun, type AnswerForJudging, type StructuredOutputOptions, type StructuredResult } from './structured-run.js';

export type StreamObjectOptions<S extends SchemaInput> = StructuredOutputOptions<S>;

/** A value still being written: any property may be missing yet. */
export type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export type StreamObjectEvent<T> =
  /** The object so far (unvalidated), from attempt `attempt`. */
  | { type: 'partial'; partial: DeepPartial<T>; attempt: number }
  /** The attempt's output did not validate; a repair attempt follows and partials restart. */
  | { type: 'attempt-failed'; attempt: AttemptRecord }
  /** The validated object; always the last event. */
  | ({ type: 'object' } & StructuredResult<T>);

export async function* streamObject<S extends SchemaInput>(options: StreamObjectOptions<S>): AsyncGenerator<StreamObjectEvent<ObjectOf<S>>, void, undefined> {
  const run = new StructuredRun(options);
  while (run.attemptsLeft) {
    const attemptNumber = run.attempts.length + 1;
    let answer: AnswerForJudging | undefined;
    for await (const update of streamAttempt(run)) {
      if (update.type === 'partial') yield { type: 'partial', partial: update.partial as DeepPartial<ObjectOf<S>>, attempt: attemptNumber };
      else answer = update.answer;
    }
    if (answer === undefined) throw new ConduitError('provider_error', 'The model stream ended without a finish part', { provider: run.model.provider, model: run.model.modelId });
    const outcome = run.judge(answer);
    if (outcome.done) {
      yield { type: 'object', ...outcome.result };
      return;
    }
    yield { type: 'attempt-failed', attempt: outcome.attempt };
  }
  throw await run.failure();
}

type AttemptUpdate = { type: 'partial'; partial: unknown } | { type: 'answer'; answer: AnswerForJudging };

async function* streamAttempt(run: StructuredRun<SchemaInput>): AsyncGenerator<AttemptUpdate> {
  const viaTool = run.spec.strategy === 'tool';
  let text = '';
  let toolArguments = '';
  let toolIndex: number | undefined;
  let provider = run.model.provider;
  let model = run.model.modelId;
  let lastPartialJson: string | undefined;
  let finish: { finishReason: FinishReason; usage: Usage; toolCalls: ToolCall[]; costUsd?: number | undefined } | undefined;

  for await (const part of run.model.stream(run.nextRequest(), run.callOptions)) {
    let grew = false;
    switch (part.type) {
      case 'start':
        provider = part.provider ?? provider;
        model = part.model ?? model;
        break;
      case 'text-delta':
        text += part.delta;
        grew = !viaTool || toolIndex === undefined;
        break;
      case 'tool-call-start':
        // The tool is forced, so the first call carries the object.
        if (viaTool && toolIndex === undefined) toolIndex = part.index;
        break;
      case 'tool-call-delta':
        if (part.index === toolIndex) {
          toolArguments += part.argumentsDelta;
          grew = true;
        }
        break;
      case 'finish':
        finish = { finishReason: part.finishReason, usage: part.usage, toolCalls: part.toolCalls, costUsd: part.costUsd };
        break;
      default:
        break;
    }
    if (grew) {
      const partial = parsePartialJson(toolIndex !== undefined ? toolArguments : text);
      if (partial !== undefined) {
        const serialised = JSON.stringify(partial);
        if (serialised !== lastPartialJson) {
          lastPartialJson = serialised;
          yield { type: 'partial', partial };
        }
      }
    }
  }
  if (finish === undefined) return;
  yield { type: 'answer', answer: { text, toolCalls: finish.toolCalls, finishReason: finish.finishReason, usage: finish.usage, costUsd: finish.costUsd, provider, model } };
}
