/**
 * The I/O half of the Chat Completions providers (cf. LiteLLM's handler.py): POST
 * {baseURL}/chat/completions through providerFetch, then the pure mappings of chat-request.ts,
 * chat-response.ts and chat-stream.ts. `createOpenAIModel` is OpenAI itself;
 * `createChatCompletionsModel` is the shared engine the openai-compatible provider configures.
 */
import { ConduitError, toConduitError } from '../../../core/errors.js';
import { SSEDecoder, providerFetchJson, providerFetchStream } from '../../http/index.js';
import type { SSEEvent } from '../../http/index.js';
import { isContentPart, type CallOptions, type GenerateResult, type LanguageModel, type ModelCapabilities, type ModelRequest, type StreamPart } from '../../language-model.js';
import { toChatCompletionsBody, type ChatRequestSettings } from './chat-request.js';
import { parseChatCompletion } from './chat-response.js';
import { ChatStreamAssembler } from './chat-stream.js';
import { interruptedAfterContent, mapOpenAIError } from './errors.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export interface OpenAIModelOptions {
  modelId: string;
  apiKey?: string;
  /** Default https://api.openai.com/v1 (the path /chat/completions is appended). */
  baseURL?: string;
  organization?: string;
  /** Extra headers on every request (per-call `CallOptions.headers` win over these). */
  headers?: Record<string, string>;
  /** Provider name reported in results and errors. Default `openai`. */
  provider?: string;
  /** Max gap between stream chunks before the call fails with `timeout`. Default 30 s. */
  idleTimeoutMs?: number;
}

/** The switches that distinguish one Chat Completions dialect from another. */
export interface ChatCompletionsDialect {
  /** See ChatRequestSettings.maxTokensParam. */
  maxTokensParam: NonNullable<ChatRequestSettings['maxTokensParam']>;
  /** Send `stream_options: { include_usage: true }` on streams. */
  streamUsage: boolean;
  /** Keys of `request.providerOptions` merged into the body. */
  providerOptionsKeys: string[];
  capabilities: ModelCapabilities;
}

export interface ChatCompletionsModelConfig {
  provider: string;
  modelId: string;
  baseURL: string;
  headers: Record<string, string>;
  idleTimeoutMs: number;
  dialect: ChatCompletionsDialect;
}

export function createOpenAIModel(options: OpenAIModelOptions): LanguageModel {
  return createChatCompletionsModel({
    provider: options.provider ?? 'openai',
    modelId: options.modelId,
    baseURL: options.baseURL ?? OPENAI_DEFAULT_BASE_URL,
    headers: openAIHeaders(options),
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    dialect: {
      maxTokensParam: 'auto',
      streamUsage: true,
      providerOptionsKeys: ['openai', ...(options.provider && options.provider !== 'openai' ? [options.provider] : [])],
      capabilities: { streaming: true, tools: true, jsonSchema: true, vision: true },
    },
  });
}

/** Authorization and organization headers (never logged: they live only in the request). */
export function openAIHeaders(options: { apiKey?: string; organization?: string; headers?: Record<string, string> }): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  if (options.organization) headers['openai-organization'] = options.organization;
  return { ...headers, ...options.headers };
}

/** `https://host/v1/` + `chat/completions` → `https://host/v1/chat/completions`. */
export function joinURL(baseURL: string, path: string): string {
  return `${baseURL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export function createChatCompletionsModel(config: ChatCompletionsModelConfig): LanguageModel {
  const { provider, modelId, dialect } = config;
  const url = joinURL(config.baseURL, 'chat/completions');
  const requestSettings: ChatRequestSettings = { modelId, maxTokensParam: dialect.maxTokensParam, providerOptionsKeys: dialect.providerOptionsKeys };
  const mapError = (status: number, headers: Record<string, string | string[] | undefined>, bodyText: string) =>
    mapOpenAIError({ provider, model: modelId, status, headers, bodyText });

  return {
    provider,
    modelId,
    capabilities: dialect.capabilities,

    async generate(request: ModelRequest, options: CallOptions = {}): Promise<GenerateResult> {
      const body = toChatCompletionsBody(request, requestSettings, { stream: false });
      const json = await providerFetchJson({ provider, model: modelId, url, headers: config.headers, body, options, idleTimeoutMs: config.idleTimeoutMs, mapError });
      return parseChatCompletion(json, provider, modelId);
    },

    stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<StreamPart> {
      const body = toChatCompletionsBody(request, requestSettings, { stream: true, includeUsage: dialect.streamUsage });
      return streamChat(config, url, body, options, mapError);
    },
  };
}

async function* streamChat(
  config: ChatCompletionsModelConfig,
  url: string,
  body: unknown,
  options: CallOptions,
  mapError: (status: number, headers: Record<string, string | string[] | undefined>, bodyText: string) => ConduitError,
): AsyncIterable<StreamPart> {
  const { provider, modelId } = config;
  const response = await providerFetchStream({ provider, model: modelId, url, headers: config.headers, body, options, idleTimeoutMs: config.idleTimeoutMs, mapError });
  const assembler = new ChatStreamAssembler(provider, modelId);
  const decoder = new SSEDecoder();
  let contentSent = false;
  let done = false;
  const source = response.body;
  let ended = false;
  try {
    // Events are decoded in place from each network chunk (no async layer per event: this loop
    // is on the gateway's time-to-first-token path). The body ends either at [DONE] (then it is
    // returned, which releases or aborts the connection) or when the upstream closes it.
    while (!done && !ended) {
      const step = await source.next();
      let events: readonly SSEEvent[];
      if (step.done === true) {
        ended = true;
        events = decoder.end();
      } else events = decoder.push(step.value);
      for (const event of events) {
        if (event.data === '[DONE]') {
          done = true;
          break;
        }
        let chunk: unknown;
        try {
          chunk = JSON.parse(event.data);
        } catch (err) {
          throw new ConduitError('provider_error', `${provider} (${modelId}): stream chunk is not valid JSON: ${event.data.slice(0, 200)}`, { cause: err, provider, model: modelId, upstreamStatus: 200 });
        }
        for (const part of assembler.push(chunk)) {
          if (isContentPart(part)) contentSent = true;
          yield part;
        }
      }
    }
  } catch (err) {
    const error = toConduitError(err, 'provider_error');
    throw contentSent ? interruptedAfterContent(error) : error;
  } finally {
    // Stopped before the body ended ([DONE], an error, or the consumer returned): release it.
    if (!ended) void source.return?.();
  }
  // A clean end of body without [DONE] is accepted only when the answer itself was complete (a
  // finish_reason arrived): some compatible servers omit [DONE]. Otherwise it is a cut stream.
  if (!done && !assembler.finished) {
    const error = new ConduitError('provider_error', `${provider} (${modelId}): the stream ended before it was complete (no finish_reason, no [DONE])`, {
      provider,
      model: modelId,
      upstreamStatus: 200,
    });
    throw contentSent ? interruptedAfterContent(error) : error;
  }
  yield assembler.finish();
}
