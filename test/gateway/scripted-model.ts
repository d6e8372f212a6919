/**
 * In-memory scripted models and a resolver over them, for driving the gateway in tests without
 * any provider. Each call takes the next script (or the last one, repeatedly) and records the
 * request and options it was called with.
 */
import { ConduitError } from '../../src/core/errors.js';
import type { ToolCall } from '../../src/core/messages.js';
import type { FinishReason, Usage } from '../../src/core/usage.js';
import type {
  CallOptions,
  EmbeddingModel,
  EmbeddingResult,
  GenerateResult,
  LanguageModel,
  ModelInfo,
  ModelRequest,
  ModelResolver,
  StreamPart,
} from '../../src/models/language-model.js';

export interface ReplyScript {
  kind: 'reply';
  text?: string;
  /** Stream text in exactly these pieces (default: ~4-char pieces of `text`). */
  chunks?: string[];
  toolCalls?: ToolCall[];
  /** Stream each tool call's arguments in pieces of this size (default 5). */
  argChunkSize?: number;
  reasoning?: string;
  finishReason?: FinishReason;
  usage?: Partial<Usage>;
  costUsd?: number;
  /** Provider reported back (simulates routing/fallback choosing another one). */
  provider?: string;
  model?: string;
  id?: string;
  /** Wait before answering / before the first part. */
  delayMs?: number;
}

export interface ErrorScript {
  kind: 'error';
  error: ConduitError;
  /** Streams only: emit this many text chunks of `text` first, then throw. */
  afterChunks?: number;
  text?: string;
  provider?: string;
}

/** Never answers; settles only when the call is aborted (records the abort). */
export interface HangScript {
  kind: 'hang';
  /** Streams: emit these chunks first, then hang. */
  chunks?: string[];
  /** Ignore the abort signal (a misbehaving model), to test the gateway's own deadline. */
  ignoreAbort?: boolean;
}

export type Script = ReplyScript | ErrorScript | HangScript;

export interface RecordedCall {
  method: 'generate' | 'stream';
  request: ModelRequest;
  options: CallOptions | undefined;
  aborted: boolean;
  abortReason: unknown;
}

function usageOf(u: Partial<Usage> | undefined): Usage {
  return {
    inputTokens: u?.inputTokens ?? 10,
    outputTokens: u?.outputTokens ?? 5,
    cachedInputTokens: u?.cachedInputTokens ?? 0,
    cacheWriteTokens: u?.cacheWriteTokens ?? 0,
    reasoningTokens: u?.reasoningTokens ?? 0,
  };
}

function split(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new ConduitError('cancelled', 'aborted'));
    });
  });
}

export class ScriptedModel implements LanguageModel {
  readonly capabilities = { streaming: true, tools: true, jsonSchema: true, vision: true };
  readonly calls: RecordedCall[] = [];
  private readonly scripts: Script[];

  constructor(
    readonly provider: string,
    readonly modelId: string,
    scripts: Script | Script[],
  ) {
    this.scripts = Array.isArray(scripts) ? [...scripts] : [scripts];
  }

  /** Replace the script(s) for following calls. */
  setScripts(scripts: Script | Script[]): void {
    this.scripts.length = 0;
    this.scripts.push(...(Array.isArray(scripts) ? scripts : [scripts]));
  }

  private next(): Script {
    return this.scripts.length > 1 ? this.scripts.shift()! : this.scripts[0]!;
  }

  private record(method: 'generate' | 'stream', request: ModelRequest, options: CallOptions | undefined): RecordedCall {
    const rec: RecordedCall = { method, request, options, aborted: false, abortReason: undefined };
    this.calls.push(rec);
    options?.signal?.addEventListener('abort', () => {
      rec.aborted = true;
      rec.abortReason = options.signal?.reason;
    });
    return rec;
  }

  async generate(request: ModelRequest, options?: CallOptions): Promise<GenerateResult> {
    this.record('generate', request, options);
    const s = this.next();
    if (s.kind === 'error') throw s.error;
    if (s.kind === 'hang') return hang(options?.signal, s.ignoreAbort === true) as Promise<never>;
    if (s.delayMs !== undefined) await sleep(s.delayMs, options?.signal);
    const result: GenerateResult = {
      text: s.text ?? '',
      toolCalls: s.toolCalls ?? [],
      finishReason: s.finishReason ?? (s.toolCalls?.length ? 'tool_calls' : 'stop'),
      usage: usageOf(s.usage),
      provider: s.provider ?? this.provider,
      model: s.model ?? this.modelId,
    };
    if (s.id !== undefined) result.id = s.id;
    if (s.reasoning !== undefined) result.reasoning = s.reasoning;
    if (s.costUsd !== undefined) result.costUsd = s.costUsd;
    return result;
  }

  stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamPart> {
    this.record('stream', request, options);
    return this.run(this.next(), options?.signal);
  }

  private async *run(s: Script, signal: AbortSignal | undefined): AsyncGenerator<StreamPart> {
    const self = { provider: this.provider, modelId: this.modelId };
    {
      if (s.kind === 'hang') {
        yield { type: 'start', provider: self.provider, model: self.modelId };
        for (const c of s.chunks ?? []) yield { type: 'text-delta', delta: c };
        await hang(signal, s.ignoreAbort === true);
        return;
      }
      if (s.kind === 'error') {
        const chunks = split(s.text ?? 'partial output here');
        const n = s.afterChunks ?? 0;
        if (n > 0) {
          yield { type: 'start', provider: s.provider ?? self.provider, model: self.modelId };
          for (let i = 0; i < n && i < chunks.length; i++) yield { type: 'text-delta', delta: chunks[i]! };
        }
        throw s.error;
      }
      if (s.delayMs !== undefined) await sleep(s.delayMs, signal);
      const start: StreamPart = { type: 'start', provider: s.provider ?? self.provider, model: s.model ?? self.modelId };
      if (s.id !== undefined) start.id = s.id;
      yield start;
      if (s.reasoning !== undefined) for (const c of split(s.reasoning)) yield { type: 'reasoning-delta', delta: c };
      for (const c of s.chunks ?? split(s.text ?? '')) yield { type: 'text-delta', delta: c };
      const calls = s.toolCalls ?? [];
      for (let index = 0; index < calls.length; index++) {
        const call = calls[index]!;
        yield { type: 'tool-call-start', index, id: call.id, name: call.name };
        for (const piece of split(call.arguments, s.argChunkSize ?? 5)) yield { type: 'tool-call-delta', index, argumentsDelta: piece };
      }
      const finish: StreamPart = {
        type: 'finish',
        finishReason: s.finishReason ?? (calls.length ? 'tool_calls' : 'stop'),
        usage: usageOf(s.usage),
        toolCalls: calls,
      };
      if (s.costUsd !== undefined) finish.costUsd = s.costUsd;
      yield finish;
    }
  }
}

function hang(signal: AbortSignal | undefined, ignoreAbort: boolean): Promise<void> {
  return new Promise((_resolve, reject) => {
    if (ignoreAbort || signal === undefined) return; // never settles
    signal.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new ConduitError('cancelled', 'aborted')));
  });
}

export class ScriptedEmbeddingModel implements EmbeddingModel {
  readonly calls: string[][] = [];
  constructor(
    readonly provider: string,
    readonly modelId: string,
    readonly dimensions: number,
  ) {}

  embed(inputs: string[]): Promise<EmbeddingResult> {
    this.calls.push(inputs);
    // Deterministic vectors: [len, index, 0.5, 0.25, …] — exactly representable in float32.
    const embeddings = inputs.map((text, i) => Array.from({ length: this.dimensions }, (_, d) => (d === 0 ? text.length : d === 1 ? i : 1 / 2 ** (d - 1))));
    return Promise.resolve({ embeddings, usage: { inputTokens: inputs.length * 3 }, model: this.modelId, provider: this.provider, costUsd: 0.000001 });
  }
}

export class ScriptedResolver implements ModelResolver {
  constructor(
    readonly models: Record<string, LanguageModel>,
    readonly embeddings: Record<string, EmbeddingModel> = {},
  ) {}

  resolve(name: string): LanguageModel {
    const m = this.models[name];
    if (m === undefined) throw new ConduitError('not_found', `The model '${name}' does not exist`, { code: 'model_not_found', param: 'model' });
    return m;
  }

  resolveEmbedding(name: string): EmbeddingModel {
    const m = this.embeddings[name];
    if (m === undefined) throw new ConduitError('not_found', `The embedding model '${name}' does not exist`, { code: 'model_not_found', param: 'model' });
    return m;
  }

  list(): ModelInfo[] {
    return [
      ...Object.entries(this.models).map(([id, m]): ModelInfo => ({ id, provider: m.provider, kind: 'model' })),
      ...Object.entries(this.embeddings).map(([id, m]): ModelInfo => ({ id, provider: m.provider, kind: 'embedding' })),
    ];
  }

  defaultModelName(): string {
    return Object.keys(this.models)[0] ?? 'offline';
  }
}
