/**
 * A scripted in-memory LanguageModel for tests: each call (generate or stream) takes the next
 * behaviour from a queue — a reply (text, reasoning, tool calls), a thrown ConduitError of some
 * kind, a delay, a hang, or a stream that yields N chunks and then fails, stalls or ends without
 * `finish`. It records every call, how many are in flight, and whether abandoned streams were
 * `return()`ed, so reliability, gateway and agent tests can assert exactly what happened.
 *
 *   const model = new ScriptedModel({ provider: 'openai' });
 *   model.enqueue(fail('rate_limited', { retryAfterMs: 100 }), reply('hello'));
 */
import { ConduitError, type ErrorKind } from '../../src/core/errors.js';
import type { ToolCall } from '../../src/core/messages.js';
import { emptyUsage, type FinishReason, type Usage } from '../../src/core/usage.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelCapabilities, ModelRequest, StreamPart } from '../../src/models/language-model.js';

export interface ReplyStep {
  type: 'reply';
  text?: string;
  /** How the text is streamed; default: pieces of up to 4 characters. */
  chunks?: string[];
  reasoning?: string;
  toolCalls?: ToolCall[];
  finishReason?: FinishReason;
  usage?: Partial<Usage>;
  /** Model id reported back (default: the model's id). */
  model?: string;
  costUsd?: number;
}

export interface ErrorStep {
  type: 'error';
  error: unknown;
}

/** Never answers (generate never settles; a stream never yields). */
export interface HangStep {
  type: 'hang';
}

/** Streams `chunks` as text deltas, then fails/stalls/ends without finish. Generate: throws / hangs / throws. */
export interface StreamFaultStep {
  type: 'stream-fault';
  chunks: string[];
  fault: { type: 'throw'; error: unknown } | { type: 'stall' } | { type: 'end-without-finish' };
}

export type ScriptStepBody = ReplyStep | ErrorStep | HangStep | StreamFaultStep;

export type ScriptStep = ScriptStepBody & {
  /** Wait before answering (generate) or before the first part (stream). */
  delayMs?: number;
  /** Streams: wait between parts. */
  chunkDelayMs?: number;
  /** Keep hanging/stalling/waiting even when the call's signal aborts (a badly behaved provider). Default false. */
  ignoreAbort?: boolean;
};

// ---------- step builders ----------

export function reply(text: string, extra: Partial<Omit<ReplyStep, 'type'>> & StepTiming = {}): ScriptStep {
  return { type: 'reply', text, ...extra };
}

export function toolCallReply(toolCalls: ToolCall[], extra: Partial<Omit<ReplyStep, 'type' | 'toolCalls'>> & StepTiming = {}): ScriptStep {
  return { type: 'reply', text: '', finishReason: 'tool_calls', toolCalls, ...extra };
}

/** Throws a ConduitError of `kind` (with options such as retryAfterMs, retryable, upstreamStatus). */
export function fail(kind: ErrorKind, options: ConstructorParameters<typeof ConduitError>[2] & StepTiming & { message?: string } = {}): ScriptStep {
  const { delayMs, chunkDelayMs, ignoreAbort, message, ...errorOptions } = options;
  return { type: 'error', error: new ConduitError(kind, message ?? `scripted ${kind}`, errorOptions), ...timing({ delayMs, chunkDelayMs, ignoreAbort }) };
}

/** Throws exactly `error` (anything: a plain Error, a custom ConduitError…). */
export function throwError(error: unknown, t: StepTiming = {}): ScriptStep {
  return { type: 'error', error, ...t };
}

export function hang(t: StepTiming = {}): ScriptStep {
  return { type: 'hang', ...t };
}

export function streamThenFail(chunks: string[], error: unknown = new ConduitError('provider_error', 'scripted mid-stream failure'), t: StepTiming = {}): ScriptStep {
  return { type: 'stream-fault', chunks, fault: { type: 'throw', error }, ...t };
}

export function streamThenStall(chunks: string[], t: StepTiming = {}): ScriptStep {
  return { type: 'stream-fault', chunks, fault: { type: 'stall' }, ...t };
}

export function streamWithoutFinish(chunks: string[], t: StepTiming = {}): ScriptStep {
  return { type: 'stream-fault', chunks, fault: { type: 'end-without-finish' }, ...t };
}

/** The same step with a delay before it answers. */
export function delayed(delayMs: number, step: ScriptStep): ScriptStep {
  return { ...step, delayMs };
}

export interface StepTiming {
  delayMs?: number | undefined;
  chunkDelayMs?: number | undefined;
  ignoreAbort?: boolean | undefined;
}

function timing(t: StepTiming): StepTiming {
  const out: StepTiming = {};
  if (t.delayMs !== undefined) out.delayMs = t.delayMs;
  if (t.chunkDelayMs !== undefined) out.chunkDelayMs = t.chunkDelayMs;
  if (t.ignoreAbort !== undefined) out.ignoreAbort = t.ignoreAbort;
  return out;
}

// ---------- the model ----------

export interface ScriptedCall {
  method: 'generate' | 'stream';
  request: ModelRequest;
  options: CallOptions;
  step: ScriptStep;
}

export interface ScriptedModelOptions {
  provider?: string;
  modelId?: string;
  capabilities?: Partial<ModelCapabilities>;
  /** Initial queue. */
  script?: ScriptStep[];
  /** Used when the queue is empty; default: throw an `internal` error saying the script ran out. */
  whenEmpty?: ScriptStep;
  /** Waits go through this (e.g. a ManualClock's sleep, for deterministic latency); default real timers. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class ScriptedModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  readonly calls: ScriptedCall[] = [];
  /** Calls in progress now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** How many times a stream's iterator had `return()` called before it finished (abandoned by the caller). */
  returnCalls = 0;
  /** How many calls saw their AbortSignal fire while in progress. */
  abortedCalls = 0;
  private readonly queue: ScriptStep[];
  private whenEmpty: ScriptStep | undefined;
  private readonly sleepFn: (ms: number, signal?: AbortSignal) => Promise<void>;
  private responseCounter = 0;

  constructor(options: ScriptedModelOptions = {}) {
    this.provider = options.provider ?? 'scripted';
    this.modelId = options.modelId ?? 'scripted-model';
    this.capabilities = { streaming: true, tools: true, jsonSchema: true, vision: true, ...options.capabilities };
    this.queue = [...(options.script ?? [])];
    this.whenEmpty = options.whenEmpty;
    this.sleepFn = options.sleep ?? realSleep;
  }

  enqueue(...steps: ScriptStep[]): this {
    this.queue.push(...steps);
    return this;
  }

  /** The step used once the queue is empty (e.g. `reply('ok')` for "always succeed"). */
  setWhenEmpty(step: ScriptStep | undefined): this {
    this.whenEmpty = step;
    return this;
  }

  get callCount(): number {
    return this.calls.length;
  }

  get pending(): number {
    return this.queue.length;
  }

  async generate(request: ModelRequest, options: CallOptions = {}): Promise<GenerateResult> {
    const step = this.take('generate', request, options);
    this.enter();
    const untrack = this.trackAbort(options.signal);
    try {
      await this.wait(step.delayMs, options.signal, step.ignoreAbort);
      switch (step.type) {
        case 'reply':
          return this.result(step);
        case 'error':
          throw step.error;
        case 'hang':
          return await this.forever(options.signal, step.ignoreAbort);
        case 'stream-fault':
          if (step.fault.type === 'throw') throw step.fault.error;
          if (step.fault.type === 'stall') return await this.forever(options.signal, step.ignoreAbort);
          throw new ConduitError('provider_error', 'scripted: response ended early', { provider: this.provider });
      }
    } finally {
      untrack();
      this.leave();
    }
  }

  stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<StreamPart> {
    const step = this.take('stream', request, options);
    const generator = this.streamSteps(step, options);
    // Wrap so that return() on an abandoned stream is observable even while the generator is stuck.
    const iterator: AsyncIterator<StreamPart> & AsyncIterable<StreamPart> = {
      next: () => generator.next(),
      return: (value?: unknown) => {
        this.returnCalls++;
        return generator.return(value as undefined);
      },
      throw: (err?: unknown) => generator.throw(err),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  }

  private async *streamSteps(step: ScriptStep, options: CallOptions): AsyncGenerator<StreamPart> {
    this.enter();
    const untrack = this.trackAbort(options.signal);
    try {
      await this.wait(step.delayMs, options.signal, step.ignoreAbort);
      if (step.type === 'error') throw step.error;
      if (step.type === 'hang') {
        await this.forever(options.signal, step.ignoreAbort);
        return;
      }
      const id = this.nextId();
      const model = step.type === 'reply' ? (step.model ?? this.modelId) : this.modelId;
      yield { type: 'start', id, model, provider: this.provider };
      if (step.type === 'stream-fault') {
        for (const chunk of step.chunks) {
          await this.wait(step.chunkDelayMs, options.signal, step.ignoreAbort);
          yield { type: 'text-delta', delta: chunk };
        }
        if (step.fault.type === 'throw') throw step.fault.error;
        if (step.fault.type === 'stall') await this.forever(options.signal, step.ignoreAbort);
        return; // end-without-finish
      }
      if (step.reasoning) {
        await this.wait(step.chunkDelayMs, options.signal, step.ignoreAbort);
        yield { type: 'reasoning-delta', delta: step.reasoning };
      }
      for (const chunk of step.chunks ?? splitText(step.text ?? '')) {
        await this.wait(step.chunkDelayMs, options.signal, step.ignoreAbort);
        yield { type: 'text-delta', delta: chunk };
      }
      const toolCalls = step.toolCalls ?? [];
      for (const [index, call] of toolCalls.entries()) {
        yield { type: 'tool-call-start', index, id: call.id, name: call.name };
        const half = Math.ceil(call.arguments.length / 2);
        for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
          if (piece) yield { type: 'tool-call-delta', index, argumentsDelta: piece };
        }
      }
      const finish: StreamPart = { type: 'finish', finishReason: finishReasonOf(step), usage: usageOf(step), toolCalls };
      if (step.costUsd !== undefined) finish.costUsd = step.costUsd;
      yield finish;
    } finally {
      untrack();
      this.leave();
    }
  }

  private take(method: 'generate' | 'stream', request: ModelRequest, options: CallOptions): ScriptStep {
    const step = this.queue.shift() ?? this.whenEmpty ?? { type: 'error', error: new ConduitError('internal', `ScriptedModel ${this.modelId}: script exhausted (call #${this.calls.length + 1})`) };
    this.calls.push({ method, request, options, step });
    return step;
  }

  private result(step: ReplyStep): GenerateResult {
    const result: GenerateResult = {
      text: step.text ?? '',
      toolCalls: step.toolCalls ?? [],
      finishReason: finishReasonOf(step),
      usage: usageOf(step),
      provider: this.provider,
      model: step.model ?? this.modelId,
      id: this.nextId(),
    };
    if (step.reasoning !== undefined) result.reasoning = step.reasoning;
    if (step.costUsd !== undefined) result.costUsd = step.costUsd;
    return result;
  }

  private nextId(): string {
    return `${this.modelId}-resp-${++this.responseCounter}`;
  }

  private enter(): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  private leave(): void {
    this.inFlight--;
  }

  private trackAbort(signal: AbortSignal | undefined): () => void {
    if (!signal) return () => undefined;
    const onAbort = () => this.abortedCalls++;
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  private async wait(ms: number | undefined, signal: AbortSignal | undefined, ignoreAbort: boolean | undefined): Promise<void> {
    if (ms === undefined || ms <= 0) return;
    try {
      await this.sleepFn(ms, ignoreAbort ? undefined : signal);
    } catch {
      throw abortError(signal);
    }
  }

  /** Never settles, unless the signal aborts (and the step honours it). */
  private forever(signal: AbortSignal | undefined, ignoreAbort: boolean | undefined): Promise<never> {
    return new Promise<never>((_resolve, reject) => {
      if (ignoreAbort || !signal) return;
      if (signal.aborted) reject(abortError(signal));
      else signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
    });
  }
}

/** What a well-behaved adapter throws when its signal aborts: the reason if it is a ConduitError, else 'cancelled'. */
function abortError(signal: AbortSignal | undefined): ConduitError {
  const reason: unknown = signal?.reason;
  if (reason instanceof ConduitError) return reason;
  return new ConduitError('cancelled', 'scripted: aborted', { cause: reason });
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function finishReasonOf(step: ReplyStep): FinishReason {
  return step.finishReason ?? (step.toolCalls && step.toolCalls.length > 0 ? 'tool_calls' : 'stop');
}

function usageOf(step: ReplyStep): Usage {
  const text = step.text ?? '';
  return { ...emptyUsage(), inputTokens: 10, outputTokens: Math.max(1, Math.ceil(text.length / 4)), ...step.usage };
}

function splitText(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 4) out.push(text.slice(i, i + 4));
  return out;
}

/** Collects a stream into its parts and text; rethrows the stream's error with what arrived before it. */
export async function collectStream(stream: AsyncIterable<StreamPart>): Promise<{ parts: StreamPart[]; text: string }> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return { parts, text: textOf(parts) };
}

/** Like collectStream, but never throws: returns the parts received and the error, if any. */
export async function drainStream(stream: AsyncIterable<StreamPart>): Promise<{ parts: StreamPart[]; text: string; error: unknown }> {
  const parts: StreamPart[] = [];
  try {
    for await (const part of stream) parts.push(part);
    return { parts, text: textOf(parts), error: undefined };
  } catch (error) {
    return { parts, text: textOf(parts), error };
  }
}

export function textOf(parts: readonly StreamPart[]): string {
  return parts.map((p) => (p.type === 'text-delta' ? p.delta : '')).join('');
}

/** The seeded PRNG (mulberry32) the dataset tools use, for reproducible "random" choices in tests. */
export { seededRandom } from '../../src/eval/dataset/seeded-random.js';
