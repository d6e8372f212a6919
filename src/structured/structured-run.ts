/**
 * The repair loop's state, shared by generateObject and streamObject: the conversation so far,
 * every attempt, and what happens at the end (a result, or a dead-letter item and a typed error).
 * Provider errors never pass through here: they propagate from the model call untouched, because
 * retrying them is the reliability layer's job, not the repair loop's.
 */
import { ConduitError } from '../core/errors.js';
import type { Message } from '../core/messages.js';
import { addUsage, emptyUsage, type FinishReason, type Usage } from '../core/usage.js';
import type { CallOptions, LanguageModel, ModelRequest } from '../models/language-model.js';
import { bestPartialOf, judge, type AttemptRecord } from './attempt.js';
import { attemptErrorLines, type DeadLetterSink } from './dead-letter-sink.js';
import { toOutputSchema, type ObjectOf, type OutputSchema, type SchemaInput } from './output-schema.js';
import { buildRequest, chooseStrategy, rawOutputOf, repairMessages, type StrategyChoice, type StructuredRequestSpec, type StructuredStrategy } from './strategy.js';
import { StructuredOutputError } from './structured-output-error.js';
import type { ToolCall } from '../core/messages.js';

export interface StructuredOutputOptions<S extends SchemaInput> {
  model: LanguageModel;
  /** A zod schema (the result is typed) or a JSON Schema object. */
  schema: S;
  /** A single user turn; give this or `messages`. */
  prompt?: string;
  messages?: Message[];
  /** A system prompt placed before `prompt`/`messages`. */
  system?: string;
  /** Name of the schema: the response format's name, or the forced tool's name. Default `response`. */
  schemaName?: string;
  schemaDescription?: string;
  /** Default `auto`: chosen from the model's provider and capabilities. */
  strategy?: StrategyChoice;
  /** Attempts in all, the first included. Default 3. */
  maxAttempts?: number;
  signal?: AbortSignal;
  callOptions?: CallOptions;
  /** Sampling settings passed through (temperature, maxTokens…). */
  settings?: Omit<ModelRequest, 'messages' | 'tools' | 'toolChoice' | 'responseFormat'>;
  /** On final failure the item is stored here and the error carries its id. */
  deadLetterQueue?: DeadLetterSink;
}

export interface StructuredResult<T> {
  object: T;
  attempts: AttemptRecord[];
  /** Summed over every attempt. */
  usage: Usage;
  /** Summed over every attempt; undefined unless every attempt reported a cost. */
  costUsd?: number;
  strategy: StructuredStrategy;
  provider: string;
  model: string;
}

export interface AnswerForJudging {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  costUsd?: number | undefined;
  provider: string;
  model: string;
}

export type AttemptOutcome<T> = { done: true; result: StructuredResult<T> } | { done: false; attempt: AttemptRecord };

export const DEFAULT_MAX_ATTEMPTS = 3;

export class StructuredRun<S extends SchemaInput> {
  readonly schema: OutputSchema<ObjectOf<S>>;
  readonly spec: StructuredRequestSpec;
  readonly maxAttempts: number;
  readonly callOptions: CallOptions;
  readonly attempts: AttemptRecord[] = [];
  private readonly input: Message[];
  private readonly conversation: Message[];

  constructor(private readonly options: StructuredOutputOptions<S>) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new ConduitError('invalid_request', `maxAttempts must be a positive integer, got ${this.maxAttempts}`, { param: 'maxAttempts' });
    }
    this.schema = toOutputSchema(options.schema);
    this.input = initialMessages(options);
    this.conversation = [...this.input];
    this.spec = {
      strategy: chooseStrategy(options.model, options.strategy),
      schema: this.schema.jsonSchema,
      schemaName: safeName(options.schemaName ?? 'response'),
      schemaDescription: options.schemaDescription,
    };
    const signal = options.signal ?? options.callOptions?.signal;
    this.callOptions = { ...options.callOptions, ...(signal !== undefined ? { signal } : {}) };
  }

  get model(): LanguageModel {
    return this.options.model;
  }

  get attemptsLeft(): boolean {
    return this.attempts.length < this.maxAttempts;
  }

  /** The request for the next attempt; throws `cancelled` when the caller has aborted. */
  nextRequest(): ModelRequest {
    if (this.callOptions.signal?.aborted) throw new ConduitError('cancelled', 'Structured output was cancelled', { cause: this.callOptions.signal.reason });
    return buildRequest(this.spec, [...this.conversation], this.options.settings);
  }

  /** Judges one answer: a result, or the failed attempt (with the repair turn queued for the next). */
  judge(answer: AnswerForJudging): AttemptOutcome<ObjectOf<S>> {
    const { raw, toolCall } = rawOutputOf(this.spec.strategy, this.spec.schemaName, answer);
    const verdict = judge(this.schema, raw);
    const record: AttemptRecord = { attempt: this.attempts.length + 1, raw, finishReason: answer.finishReason, usage: answer.usage, provider: answer.provider, model: answer.model };
    if (answer.costUsd !== undefined) record.costUsd = answer.costUsd;
    if (!verdict.ok) {
      if ('parseError' in verdict) record.parseError = verdict.parseError;
      else {
        record.issues = verdict.issues;
        record.parsed = verdict.parsed;
      }
    }
    this.attempts.push(record);
    if (verdict.ok) return { done: true, result: this.result(verdict.object, answer) };
    const problem = record.parseError !== undefined ? { parseError: record.parseError } : { issues: record.issues ?? [] };
    this.conversation.push(...repairMessages(this.spec.strategy, raw, toolCall, problem, answer.finishReason === 'length'));
    return { done: false, attempt: record };
  }

  /** Every attempt failed: store the dead-letter item (when a queue is set) and build the error. */
  async failure(): Promise<StructuredOutputError> {
    const bestPartial = bestPartialOf(this.attempts);
    const last = this.attempts.at(-1);
    let deadLetterId: string | undefined;
    let deadLetterError: unknown;
    if (this.options.deadLetterQueue !== undefined) {
      try {
        deadLetterId = await this.options.deadLetterQueue.add({
          schemaName: this.spec.schemaName,
          schema: this.spec.schema,
          input: this.input,
          attempts: this.attempts,
          errors: attemptErrorLines(this.attempts),
          bestPartial,
        });
      } catch (err) {
        // The caller still gets the structured-output error; the failed write rides along on it.
        deadLetterError = err;
      }
    }
    return new StructuredOutputError({
      schemaName: this.spec.schemaName,
      strategy: this.spec.strategy,
      attempts: this.attempts,
      bestPartial,
      provider: last?.provider ?? this.model.provider,
      model: last?.model ?? this.model.modelId,
      ...(deadLetterId !== undefined ? { deadLetterId } : {}),
      ...(deadLetterError !== undefined ? { deadLetterError } : {}),
    });
  }

  private result(object: ObjectOf<S>, answer: AnswerForJudging): StructuredResult<ObjectOf<S>> {
    const usage = this.attempts.reduce((sum, a) => addUsage(sum, a.usage), emptyUsage());
    const result: StructuredResult<ObjectOf<S>> = { object, attempts: this.attempts, usage, strategy: this.spec.strategy, provider: answer.provider, model: answer.model };
    if (this.attempts.every((a) => a.costUsd !== undefined)) result.costUsd = this.attempts.reduce((sum, a) => sum + (a.costUsd ?? 0), 0);
    return result;
  }
}

function initialMessages(options: Pick<StructuredOutputOptions<SchemaInput>, 'prompt' | 'messages' | 'system'>): Message[] {
  if ((options.prompt === undefined) === (options.messages === undefined)) {
    throw new ConduitError('invalid_request', 'Give exactly one of `prompt` or `messages`', { param: 'prompt' });
  }
  const messages: Message[] = options.messages !== undefined ? [...options.messages] : [{ role: 'user', content: options.prompt ?? '' }];
  if (messages.length === 0) throw new ConduitError('invalid_request', '`messages` is empty', { param: 'messages' });
  return options.system !== undefined ? [{ role: 'system', content: options.system }, ...messages] : messages;
}

/** Providers accept `^[a-zA-Z0-9_-]{1,64}$` for tool and response-format names. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? 'response' : cleaned;
}
