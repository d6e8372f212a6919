/**
 * OpenAI embeddings (POST {baseURL}/embeddings), shared with openai-compatible servers. Inputs are
 * sent in batches no larger than the API accepts; vectors come back in input order.
 */
import { ConduitError } from '../../../core/errors.js';
import { providerFetch } from '../../http/index.js';
import type { CallOptions, EmbeddingModel, EmbeddingResult } from '../../language-model.js';
import { OPENAI_DEFAULT_BASE_URL, joinURL, openAIHeaders } from './chat-model.js';
import { isRecord } from './chat-response.js';
import { mapOpenAIError } from './errors.js';

export interface OpenAIEmbeddingModelOptions {
  modelId: string;
  apiKey?: string;
  /** Default https://api.openai.com/v1. */
  baseURL?: string;
  /** Provider name reported in results and errors. Default `openai`. */
  provider?: string;
  /** Requested vector size (text-embedding-3 models shorten their vectors); not sent when absent. */
  dimensions?: number;
  organization?: string;
  headers?: Record<string, string>;
  /** Inputs per request. Default 2048 (OpenAI's limit). */
  maxBatchSize?: number;
}

/** Native sizes of OpenAI's embedding models, so `dimensions` is known before the first call. */
const KNOWN_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

export function createOpenAIEmbeddingModel(options: OpenAIEmbeddingModelOptions): EmbeddingModel {
  const provider = options.provider ?? 'openai';
  const modelId = options.modelId;
  const url = joinURL(options.baseURL ?? OPENAI_DEFAULT_BASE_URL, 'embeddings');
  const headers = openAIHeaders(options);
  const maxBatchSize = Math.max(1, options.maxBatchSize ?? 2048);
  const mapError = (status: number, h: Record<string, string | string[] | undefined>, bodyText: string) => mapOpenAIError({ provider, model: modelId, status, headers: h, bodyText });

  async function embedBatch(inputs: string[], callOptions: CallOptions): Promise<{ vectors: number[][]; tokens: number; model: string | undefined }> {
    const body: Record<string, unknown> = { model: modelId, input: inputs, encoding_format: 'float' };
    if (options.dimensions !== undefined) body.dimensions = options.dimensions;
    const response = await providerFetch({ provider, model: modelId, url, headers, body, options: callOptions, mapError });
    return parseEmbeddingResponse(await response.json(), inputs.length, provider, modelId);
  }

  return {
    provider,
    modelId,
    dimensions: options.dimensions ?? KNOWN_DIMENSIONS[modelId],
    async embed(inputs: string[], callOptions: CallOptions = {}): Promise<EmbeddingResult> {
      const embeddings: number[][] = [];
      let inputTokens = 0;
      let model = modelId;
      for (let start = 0; start < inputs.length; start += maxBatchSize) {
        const batch = await embedBatch(inputs.slice(start, start + maxBatchSize), callOptions);
        embeddings.push(...batch.vectors);
        inputTokens += batch.tokens;
        if (batch.model) model = batch.model;
      }
      return { embeddings, usage: { inputTokens }, model, provider };
    },
  };
}

/** Pure: an embeddings response → vectors in input order (by `index`), token count and model. */
export function parseEmbeddingResponse(body: unknown, expected: number, provider: string, modelId: string): { vectors: number[][]; tokens: number; model: string | undefined } {
  const fail = (why: string) => new ConduitError('provider_error', `${provider} (${modelId}): unexpected embeddings response: ${why}`, { provider, model: modelId, upstreamStatus: 200 });
  if (!isRecord(body) || !Array.isArray(body.data)) throw fail('no data array');
  const vectors = new Array<number[] | undefined>(expected);
  for (const [position, item] of body.data.entries()) {
    if (!isRecord(item)) throw fail('an item is not an object');
    const index = typeof item.index === 'number' ? item.index : position;
    if (index < 0 || index >= expected) throw fail(`index ${index} out of range`);
    vectors[index] = decodeEmbedding(item.embedding, fail);
  }
  const missing = vectors.findIndex((v) => v === undefined);
  if (missing !== -1) throw fail(`no vector for input ${missing} (got ${body.data.length} of ${expected})`);
  const usage = isRecord(body.usage) ? body.usage : {};
  const tokens = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : typeof usage.total_tokens === 'number' ? usage.total_tokens : 0;
  return { vectors: vectors as number[][], tokens, model: typeof body.model === 'string' ? body.model : undefined };
}

/** A float array, or base64 little-endian float32 (what `encoding_format: base64` returns). */
function decodeEmbedding(value: unknown, fail: (why: string) => ConduitError): number[] {
  if (Array.isArray(value) && value.every((x) => typeof x === 'number')) return value as number[];
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'base64');
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
    return Array.from(floats);
  }
  throw fail('an embedding is neither a number array nor base64');
}
