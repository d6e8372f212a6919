/**
 * Any server that speaks OpenAI's Chat Completions (Ollama, vLLM, llama.cpp server, LM Studio,
 * Together, Groq, …). A thin configuration of the OpenAI engine: same mapping, with the quirks
 * these servers need. Reasoning deltas (`reasoning_content` / `reasoning`) are read by the shared
 * stream assembler, so they need no switch here.
 *
 * Usage: these servers may omit usage entirely (no usage chunk, no `usage` field). Conduit then
 * reports zeros rather than an estimate, so a cost shown as 0 is never mistaken for a measured one;
 * token estimation belongs to the cost layer, which can tell "0 reported" from a real count by
 * looking at the provider.
 */
import type { LanguageModel, ModelCapabilities } from '../../language-model.js';
import { DEFAULT_IDLE_TIMEOUT_MS, createChatCompletionsModel, openAIHeaders } from '../openai/chat-model.js';

export interface OpenAICompatibleQuirks {
  /**
   * Field for `maxTokens`. Default `max_tokens`: the field every compatible server knows
   * (`max_completion_tokens` is OpenAI's newer name, unknown to many of them).
   */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens' | 'auto';
  /** Send `stream_options.include_usage` (default true; vLLM, Ollama, llama.cpp, LM Studio, Together and Groq accept it). */
  streamUsage?: boolean;
}

export interface OpenAICompatibleModelOptions {
  /** The server's OpenAI base URL, usually ending in `/v1` (e.g. http://127.0.0.1:11434/v1 for Ollama). */
  baseURL: string;
  modelId: string;
  apiKey?: string;
  /** Provider name reported in results, errors and metrics: `ollama`, `vllm`, `llamacpp-server`, `lmstudio`, `together`, `groq`… Default `openai-compatible`. */
  provider?: string;
  headers?: Record<string, string>;
  quirks?: OpenAICompatibleQuirks;
  /** What the served model can do; default: streaming and tools, JSON schema, no vision. */
  capabilities?: Partial<ModelCapabilities>;
  /** Max gap between stream chunks before the call fails with `timeout`. Default 30 s. */
  idleTimeoutMs?: number;
}

export function createOpenAICompatibleModel(options: OpenAICompatibleModelOptions): LanguageModel {
  const provider = options.provider ?? 'openai-compatible';
  return createChatCompletionsModel({
    provider,
    modelId: options.modelId,
    baseURL: options.baseURL,
    headers: openAIHeaders({ ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}), ...(options.headers !== undefined ? { headers: options.headers } : {}) }),
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    dialect: {
      maxTokensParam: options.quirks?.maxTokensParam ?? 'max_tokens',
      streamUsage: options.quirks?.streamUsage ?? true,
      // `openai-compatible` options apply to every such server, the named provider's own on top.
      providerOptionsKeys: provider === 'openai-compatible' ? ['openai-compatible'] : ['openai-compatible', provider],
      capabilities: { streaming: true, tools: true, jsonSchema: true, vision: false, ...options.capabilities },
    },
  });
}
