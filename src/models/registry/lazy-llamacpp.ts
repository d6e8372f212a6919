/**
 * The llamacpp provider behind a lazy import. Importing node-llama-cpp costs seconds of startup, so
 * `conduit serve` and every CLI command would pay it even when no local model is used. This wrapper
 * validates the options at construction (cheap, so a bad config still fails at startup) and loads
 * the provider module on the first call.
 */
import { basename } from 'node:path';
import type { CallOptions, GenerateResult, LanguageModel, ModelCapabilities, ModelRequest, StreamPart } from '../language-model.js';
import type { LlamaCppModelOptions } from '../providers/llamacpp/index.js';
import { resolveLlamaCppOptions } from '../providers/llamacpp/options.js';

/** Mirrors the provider's own capabilities (llamacpp-model.ts): known before the module loads. */
const LLAMACPP_CAPABILITIES: ModelCapabilities = { streaming: true, tools: false, jsonSchema: true, vision: false };

export function createLazyLlamaCppModel(options: LlamaCppModelOptions): LanguageModel {
  const resolved = resolveLlamaCppOptions(options);
  let loading: Promise<LanguageModel> | undefined;
  const load = (): Promise<LanguageModel> => {
    loading ??= import('../providers/llamacpp/index.js').then((m) => m.createLlamaCppModel(options));
    // A failed import may be transient (e.g. a file being replaced): let the next call try again.
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
  return {
    provider: resolved.provider,
    modelId: basename(resolved.modelPath),
    capabilities: LLAMACPP_CAPABILITIES,
    async generate(request: ModelRequest, callOptions?: CallOptions): Promise<GenerateResult> {
      return (await load()).generate(request, callOptions);
    },
    async *stream(request: ModelRequest, callOptions?: CallOptions): AsyncIterable<StreamPart> {
      yield* (await load()).stream(request, callOptions);
    },
  };
}
