/**
 * The `llamacpp` provider: a local GGUF file behind the LanguageModel interface, through
 * node-llama-cpp's prebuilt binaries (never compiled here, CPU unless a GPU is asked for, threads
 * always explicit).
 *
 * The runtime and the model are loaded lazily on the first call and shared by every later call;
 * concurrent first calls share the one load. Each request gets its own llama.cpp context, disposed
 * when the request ends (see generation.ts).
 */
import { basename } from 'node:path';
import { ConduitError, toConduitError } from '../../../core/errors.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelCapabilities, ModelRequest, StreamPart } from '../../language-model.js';
import { runGeneration, validateRequest, type GenerationDelta, type LoadedLlamaModel } from './generation.js';
import { GrammarCache } from './grammar.js';
import { resolveLlamaCppOptions, type LlamaCppModelOptions, type ResolvedLlamaCppOptions } from './options.js';
import { PartQueue } from './part-queue.js';
import { RequestAbort, untilAborted } from './request-abort.js';
import { getSharedLlama, loadGgufModel, resolveModelChatWrapper } from './runtime.js';

/** Context size used when the options give none: the model's training context, capped here. */
export const DEFAULT_MAX_CONTEXT_SIZE = 4096;

export interface LlamaCppModelInfo {
  modelPath: string;
  modelId: string;
  /** node-llama-cpp's name of the chat wrapper the `auto` format uses (e.g. `ChatML`, `Llama 3.1`); null with an explicit format. */
  chatWrapper: string | null;
  promptFormat: ResolvedLlamaCppOptions['promptFormat'];
  trainContextSize: number;
  contextSize: number;
  threads: number;
  /** The GPU backend llama.cpp actually uses (`false` for CPU). */
  gpu: string | false;
}

export interface LlamaCppLanguageModel extends LanguageModel {
  /** Loads the model now (otherwise the first request does) and describes it. */
  load(options?: CallOptions): Promise<LlamaCppModelInfo>;
  /** Frees the model's memory; a later call loads it again. The shared llama.cpp runtime stays. */
  dispose(): Promise<void>;
}

const CAPABILITIES: ModelCapabilities = { streaming: true, tools: false, jsonSchema: true, vision: false };

export function createLlamaCppModel(options: LlamaCppModelOptions): LlamaCppLanguageModel {
  const resolved = resolveLlamaCppOptions(options);
  const modelId = basename(resolved.modelPath);
  const provider = resolved.provider;
  const grammars = new GrammarCache();
  let loading: Promise<LoadedLlamaModel> | undefined;

  function ensureLoaded(): Promise<LoadedLlamaModel> {
    if (!loading) {
      const attempt = (async (): Promise<LoadedLlamaModel> => {
        const llama = await getSharedLlama(resolved.gpu);
        const model = await loadGgufModel(llama, resolved.modelPath);
        // Only the `auto` format uses the model's template; resolving it is slow, so skip it otherwise.
        const chatWrapper = resolved.promptFormat === 'auto' ? await resolveModelChatWrapper(model, resolved.modelPath) : undefined;
        const contextSize = resolved.contextSize ?? Math.min(model.trainContextSize, DEFAULT_MAX_CONTEXT_SIZE);
        return { llama, model, chatWrapper, contextSize };
      })();
      // A failed load is not cached: the file may appear or be fixed before the next call.
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
      loading = attempt;
    }
    return loading;
  }

  function withIdentity(err: unknown): ConduitError {
    const e = toConduitError(err, 'provider_error');
    if (e.provider !== undefined && e.model !== undefined) return e;
    return new ConduitError(e.kind, e.message, {
      cause: e.cause,
      status: e.status,
      retryable: e.retryable,
      retryAfterMs: e.retryAfterMs,
      provider: e.provider ?? provider,
      model: e.model ?? modelId,
      upstreamStatus: e.upstreamStatus,
      code: e.code,
      param: e.param,
    });
  }

  async function execute(request: ModelRequest, abort: RequestAbort, onDelta: (delta: GenerationDelta) => void) {
    validateRequest(request);
    const loaded = await untilAborted(ensureLoaded(), abort);
    return runGeneration({ loaded, options: resolved, grammars, request, abort, onDelta });
  }

  return {
    provider,
    modelId,
    capabilities: CAPABILITIES,

    async load(callOptions: CallOptions = {}) {
      const abort = new RequestAbort(callOptions);
      try {
        const { llama, model, chatWrapper, contextSize } = await untilAborted(ensureLoaded(), abort);
        return {
          modelPath: resolved.modelPath,
          modelId,
          chatWrapper: chatWrapper?.wrapperName ?? null,
          promptFormat: resolved.promptFormat,
          trainContextSize: model.trainContextSize,
          contextSize,
          threads: resolved.threads,
          gpu: llama.gpu,
        };
      } catch (err) {
        throw withIdentity(err);
      } finally {
        abort.dispose();
      }
    },

    async dispose() {
      const current = loading;
      loading = undefined;
      if (!current) return;
      const loaded = await current.catch(() => undefined);
      await loaded?.model.dispose();
    },

    async generate(request, callOptions = {}): Promise<GenerateResult> {
      const abort = new RequestAbort(callOptions);
      try {
        const out = await execute(request, abort, () => {});
        return {
          text: out.text,
          toolCalls: [],
          finishReason: out.finishReason,
          usage: out.usage,
          provider,
          model: modelId,
          ...(out.reasoning !== '' ? { reasoning: out.reasoning } : {}),
        };
      } catch (err) {
        throw withIdentity(err);
      } finally {
        abort.dispose();
      }
    },

    stream(request, callOptions = {}): AsyncIterable<StreamPart> {
      return (async function* (): AsyncGenerator<StreamPart> {
        const abort = new RequestAbort(callOptions);
        const queue = new PartQueue<StreamPart>();
        let finished = false;
        const run = execute(request, abort, (delta) => queue.push(delta)).then(
          (out) => {
            queue.push({ type: 'finish', finishReason: out.finishReason, usage: out.usage, toolCalls: [] });
            queue.end();
          },
          (err: unknown) => queue.fail(withIdentity(err)),
        );
        try {
          yield { type: 'start', provider, model: modelId };
          for await (const part of queue) {
            if (part.type === 'finish') finished = true;
            yield part;
          }
        } finally {
          // The consumer stopped early (break, return, throw): stop llama.cpp and free the context.
          if (!finished) abort.abort(new ConduitError('cancelled', 'llamacpp: the stream was closed by its consumer', { provider, model: modelId }));
          await run;
          abort.dispose();
        }
      })();
    },
  };
}
