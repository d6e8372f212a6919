/**
 * Loading llama.cpp and GGUF models. The native runtime (one `Llama` per GPU setting) is shared by
 * every llamacpp model in the process; it is only ever loaded from node-llama-cpp's prebuilt
 * binaries (`build: 'never'`), so a missing binary is a clear error instead of a surprise
 * compilation.
 */
import { open, stat } from 'node:fs/promises';
import { GeneralChatWrapper, getLlama, LlamaLogLevel, resolveChatWrapper, type ChatWrapper, type Llama, type LlamaModel } from 'node-llama-cpp';
import { ConduitError } from '../../../core/errors.js';
import type { LlamaCppGpu } from './options.js';

const sharedLlamas = new Map<string, Promise<Llama>>();

/** The process-wide llama.cpp runtime for a GPU setting, loaded once (a failed load is retried next time). */
export function getSharedLlama(gpu: LlamaCppGpu): Promise<Llama> {
  const key = String(gpu);
  let pending = sharedLlamas.get(key);
  if (!pending) {
    pending = getLlama({ gpu, build: 'never', logLevel: LlamaLogLevel.error }).catch((err: unknown) => {
      sharedLlamas.delete(key);
      throw new ConduitError('provider_unavailable', `llamacpp: cannot load the llama.cpp runtime (gpu: ${key}): ${errorMessage(err)}`, {
        cause: err,
        provider: 'llamacpp',
        retryable: false,
      });
    });
    sharedLlamas.set(key, pending);
  }
  return pending;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Checks that `path` is a readable GGUF file before llama.cpp sees it, so the common mistakes (wrong
 * path, a non-GGUF file such as a safetensors or a HTML error page) get a message naming the path.
 */
export async function assertGgufFile(path: string): Promise<void> {
  let magic: Buffer;
  try {
    const file = await open(path, 'r');
    try {
      magic = Buffer.alloc(4);
      const { bytesRead } = await file.read(magic, 0, 4, 0);
      magic = magic.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    const what = code === 'ENOENT' ? 'model file not found' : code === 'EISDIR' ? 'model path is a directory' : 'cannot read model file';
    throw new ConduitError('provider_unavailable', `llamacpp: ${what}: ${path}`, {
      cause: err,
      provider: 'llamacpp',
      retryable: false,
      code: 'model_not_loadable',
    });
  }
  if (magic.toString('latin1') !== 'GGUF') {
    throw new ConduitError('provider_unavailable', `llamacpp: not a GGUF file (it does not start with the "GGUF" magic): ${path}`, {
      provider: 'llamacpp',
      retryable: false,
      code: 'model_not_loadable',
    });
  }
}

/** Loads a GGUF model; every failure becomes a non-retryable provider_unavailable naming the path. */
export async function loadGgufModel(llama: Llama, modelPath: string): Promise<LlamaModel> {
  await assertGgufFile(modelPath);
  try {
    return await llama.loadModel({ modelPath });
  } catch (err) {
    throw new ConduitError('provider_unavailable', `llamacpp: cannot load GGUF model ${modelPath}: ${errorMessage(err)}`, {
      cause: err,
      provider: 'llamacpp',
      retryable: false,
      code: 'model_not_loadable',
    });
  }
}

const chatWrappers = new Map<string, ChatWrapper>();

/**
 * The chat wrapper for the model's own template (node-llama-cpp's resolution, GeneralChatWrapper
 * when nothing matches). Resolution renders the Jinja template against every known wrapper, which
 * takes seconds on a busy CPU, so the result is cached per file (path, size, mtime); wrappers hold
 * no per-conversation state, so sharing one is safe.
 */
export async function resolveModelChatWrapper(model: LlamaModel, modelPath: string): Promise<ChatWrapper> {
  const info = await stat(modelPath).catch(() => undefined);
  const key = `${modelPath}\0${info?.size ?? ''}\0${info?.mtimeMs ?? ''}`;
  let wrapper = chatWrappers.get(key);
  if (!wrapper) {
    wrapper = resolveChatWrapper(model) ?? new GeneralChatWrapper();
    chatWrappers.set(key, wrapper);
  }
  return wrapper;
}
