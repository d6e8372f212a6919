/**
 * The Anthropic Messages API as a LanguageModel: the I/O half. Request/response shapes live in the
 * pure mapping modules; this file only sends, streams and classifies failures.
 */
import { ConduitError, toConduitError } from '../../../core/errors.js';
import { parseSSE, providerFetchJson, providerFetchStream } from '../../http/index.js';
import { isContentPart, type CallOptions, type GenerateResult, type LanguageModel, type ModelRequest, type StreamPart } from '../../language-model.js';
import { mapAnthropicHttpError } from './error-mapping.js';
import { ANTHROPIC_PROVIDER, toAnthropicRequest } from './request-mapping.js';
import { fromAnthropicResponse } from './response-mapping.js';
import { AnthropicStreamDecoder } from './stream-decoder.js';

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 30_000;

export interface AnthropicModelOptions {
  modelId: string;
  /** Sent as `x-api-key`. Falls back to ANTHROPIC_API_KEY; without either the upstream answers 401. */
  apiKey?: string;
  /** Origin of the API (default https://api.anthropic.com); requests go to `<baseURL>/v1/messages`. */
  baseURL?: string;
  anthropicVersion?: string;
  /** Extra headers on every request (e.g. `anthropic-beta`). */
  headers?: Record<string, string>;
  /** `max_tokens` when a request gives none; default per model, see defaultMaxTokensFor. */
  defaultMaxTokens?: number;
  /** Max silence between stream chunks before the stream counts as stalled (default 30 s; pings reset it). */
  idleTimeoutMs?: number;
}

/** `<baseURL>/v1/messages`, accepting a base URL given with or without the `/v1` suffix. */
export function anthropicMessagesURL(baseURL: string = DEFAULT_ANTHROPIC_BASE_URL): string {
  const trimmed = baseURL.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? `${trimmed}/messages` : `${trimmed}/v1/messages`;
}

export function createAnthropicModel(options: AnthropicModelOptions): LanguageModel {
  const modelId = options.modelId;
  const url = anthropicMessagesURL(options.baseURL);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS;
  const mapError = (status: number, headers: Record<string, string | string[] | undefined>, bodyText: string) =>
    mapAnthropicHttpError(status, headers, bodyText, modelId);

  const headers = (stream: boolean): Record<string, string> => {
    const h: Record<string, string> = {
      'anthropic-version': options.anthropicVersion ?? DEFAULT_ANTHROPIC_VERSION,
      accept: stream ? 'text/event-stream' : 'application/json',
      ...options.headers,
    };
    const apiKey = options.apiKey ?? process.env.ANTHROPIC_API_KEY;
    if (apiKey) h['x-api-key'] = apiKey;
    return h;
  };

  const requestContext = (stream: boolean) => ({
    modelId,
    stream,
    ...(options.defaultMaxTokens !== undefined ? { defaultMaxTokens: options.defaultMaxTokens } : {}),
  });

  async function generate(request: ModelRequest, callOptions: CallOptions = {}): Promise<GenerateResult> {
    const body = toAnthropicRequest(request, requestContext(false));
    const json = await providerFetchJson({ provider: ANTHROPIC_PROVIDER, model: modelId, url, method: 'POST', headers: headers(false), body, options: callOptions, mapError });
    const out = fromAnthropicResponse(json, modelId);
    const result: GenerateResult = {
      text: out.text,
      toolCalls: out.toolCalls,
      finishReason: out.finishReason,
      usage: out.usage,
      provider: ANTHROPIC_PROVIDER,
      model: out.model,
    };
    if (out.id !== undefined) result.id = out.id;
    if (out.reasoning !== undefined) result.reasoning = out.reasoning;
    return result;
  }

  async function* stream(request: ModelRequest, callOptions: CallOptions = {}): AsyncIterable<StreamPart> {
    const body = toAnthropicRequest(request, requestContext(true));
    const res = await providerFetchStream({
      provider: ANTHROPIC_PROVIDER,
      model: modelId,
      url,
      method: 'POST',
      headers: headers(true),
      body,
      options: callOptions,
      idleTimeoutMs,
      mapError,
    });
    const decoder = new AnthropicStreamDecoder(modelId);
    let contentSent = false;
    try {
      for await (const event of parseSSE(res.body)) {
        // After message_stop the rest is drained (and ignored) so the keep-alive connection is reusable.
        for (const part of decoder.push(event)) {
          if (isContentPart(part)) contentSent = true;
          yield part;
        }
      }
      if (!decoder.finished) {
        throw new ConduitError('provider_error', `${ANTHROPIC_PROVIDER} (${modelId}): stream ended without message_stop`, {
          provider: ANTHROPIC_PROVIDER,
          model: modelId,
        });
      }
    } catch (err) {
      // A consumer that stops early needs nothing here: parseSSE forwards return() to the body,
      // which releases the connection.
      throw interrupted(err, contentSent, decoder.finished, modelId);
    }
  }

  return {
    provider: ANTHROPIC_PROVIDER,
    modelId,
    capabilities: { streaming: true, tools: true, jsonSchema: false, vision: true },
    generate,
    stream,
  };
}

/**
 * Before any content, a failure is the underlying error (connect, status, stall, in-band
 * overloaded…), so a router can fail over transparently. After content was sent, the caller has
 * a partial answer: the failure becomes `stream_interrupted` (not retryable), cause kept — except
 * a stall (`timeout`) and a caller abort (`cancelled`), which keep their kind at any point, as
 * the conformance contract says: those name what happened better than "interrupted".
 */
function interrupted(err: unknown, contentSent: boolean, finished: boolean, modelId: string): ConduitError {
  const e = toConduitError(err, 'provider_error');
  if (!contentSent || finished || e.kind === 'cancelled' || e.kind === 'timeout' || e.kind === 'stream_interrupted') return e;
  return new ConduitError('stream_interrupted', `${ANTHROPIC_PROVIDER} (${modelId}): stream interrupted after content was sent: ${e.message}`, {
    cause: e,
    provider: ANTHROPIC_PROVIDER,
    model: modelId,
    ...(e.upstreamStatus !== undefined ? { upstreamStatus: e.upstreamStatus } : {}),
  });
}
