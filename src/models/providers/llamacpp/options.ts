/**
 * Options of the llamacpp provider, validated once when the model is created so that a bad
 * configuration fails at startup with a clear message rather than on the first request.
 */
import { cpus } from 'node:os';
import { ConduitError } from '../../../core/errors.js';
import { isPromptFormatName, PROMPT_FORMATS, type PromptFormatName } from '../../templates/index.js';

export type LlamaCppGpu = false | 'auto' | 'cuda' | 'vulkan';

/** `auto` uses the model's own chat template (node-llama-cpp's chat-wrapper resolution); the others force a Conduit template. */
export type LlamaCppPromptFormat = 'auto' | PromptFormatName;

/** What each request's llama.cpp context was actually configured with (for diagnostics and tests). */
export interface LlamaCppContextInfo {
  /** Threads llama.cpp will use for this context (node-llama-cpp's `idealThreads`). */
  threads: number;
  contextSize: number;
}

export interface LlamaCppModelOptions {
  /** Path of a local GGUF file. */
  modelPath: string;
  /**
   * CPU threads per request. Required on purpose: node-llama-cpp's default can exceed the cores a
   * container really has, and oversubscribed llama.cpp threads slow generation down by orders of
   * magnitude. Must be an integer from 1 to the number of CPUs.
   */
  threads: number;
  /** GPU backend; default `false` (CPU only). Prebuilt binaries only: nothing is ever compiled. */
  gpu?: LlamaCppGpu;
  /** Context window per request; default: the model's training context, capped at 4096. */
  contextSize?: number;
  /** Default `auto`. */
  promptFormat?: LlamaCppPromptFormat;
  /** Default sampling seed when a request gives none (none: random). */
  seed?: number;
  /** Provider name reported on results; default `llamacpp`. */
  provider?: string;
  /** Called with each request's context settings right after the context is created. */
  onContextCreated?: (info: LlamaCppContextInfo) => void;
}

export interface ResolvedLlamaCppOptions {
  modelPath: string;
  threads: number;
  gpu: LlamaCppGpu;
  contextSize: number | undefined;
  promptFormat: LlamaCppPromptFormat;
  seed: number | undefined;
  provider: string;
  onContextCreated: ((info: LlamaCppContextInfo) => void) | undefined;
}

const GPU_VALUES: readonly LlamaCppGpu[] = [false, 'auto', 'cuda', 'vulkan'];

function invalid(message: string, param: string): ConduitError {
  return new ConduitError('invalid_request', `llamacpp: ${message}`, { param, provider: 'llamacpp' });
}

export function resolveLlamaCppOptions(options: LlamaCppModelOptions): ResolvedLlamaCppOptions {
  if (typeof options.modelPath !== 'string' || options.modelPath.trim() === '') {
    throw invalid('modelPath must be the path of a GGUF file', 'modelPath');
  }
  const maxThreads = Math.max(1, cpus().length); // cpus() can be empty in odd sandboxes
  if (!Number.isInteger(options.threads) || options.threads < 1 || options.threads > maxThreads) {
    throw invalid(`threads must be an integer from 1 to ${maxThreads} (the CPUs of this machine), got ${String(options.threads)}`, 'threads');
  }
  const gpu = options.gpu ?? false;
  if (!GPU_VALUES.includes(gpu)) {
    throw invalid(`gpu must be one of false, 'auto', 'cuda', 'vulkan', got ${JSON.stringify(gpu)}`, 'gpu');
  }
  if (options.contextSize !== undefined && (!Number.isInteger(options.contextSize) || options.contextSize < 16)) {
    throw invalid(`contextSize must be an integer of at least 16, got ${String(options.contextSize)}`, 'contextSize');
  }
  const promptFormat = options.promptFormat ?? 'auto';
  if (promptFormat !== 'auto' && !isPromptFormatName(promptFormat)) {
    throw invalid(`promptFormat must be 'auto' or one of ${PROMPT_FORMATS.join(', ')}, got ${JSON.stringify(promptFormat)}`, 'promptFormat');
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) {
    throw invalid(`seed must be an integer, got ${String(options.seed)}`, 'seed');
  }
  return {
    modelPath: options.modelPath,
    threads: options.threads,
    gpu,
    contextSize: options.contextSize,
    promptFormat,
    seed: options.seed,
    provider: options.provider ?? 'llamacpp',
    onContextCreated: options.onContextCreated,
  };
}
