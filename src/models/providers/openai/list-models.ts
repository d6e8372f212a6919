/**
 * GET {baseURL}/models: what an OpenAI(-compatible) endpoint serves. Used by the gateway's
 * `GET /v1/models` and by health checks as a cheap reachability probe.
 */
import { ConduitError } from '../../../core/errors.js';
import { providerFetch } from '../../http/index.js';
import type { CallOptions, ModelInfo } from '../../language-model.js';
import { OPENAI_DEFAULT_BASE_URL, joinURL, openAIHeaders } from './chat-model.js';
import { isRecord } from './chat-response.js';
import { mapOpenAIError } from './errors.js';

export interface ListOpenAIModelsOptions {
  apiKey?: string;
  /** Default https://api.openai.com/v1. */
  baseURL?: string;
  organization?: string;
  headers?: Record<string, string>;
  /** Provider name put on each ModelInfo and on errors. Default `openai`. */
  provider?: string;
  /** Signal, timeouts; give an attemptTimeoutMs for probes. */
  options?: CallOptions;
}

export async function listOpenAIModels(opts: ListOpenAIModelsOptions = {}): Promise<ModelInfo[]> {
  const provider = opts.provider ?? 'openai';
  const response = await providerFetch({
    provider,
    model: 'models',
    url: joinURL(opts.baseURL ?? OPENAI_DEFAULT_BASE_URL, 'models'),
    method: 'GET',
    headers: openAIHeaders(opts),
    options: opts.options ?? {},
    mapError: (status, headers, bodyText) => mapOpenAIError({ provider, model: 'models', status, headers, bodyText }),
  });
  return parseModelList(await response.json(), provider);
}

/** Pure: `{"object":"list","data":[{id, owned_by}]}` → ModelInfo[] (Ollama's `/v1/models` has the same shape). */
export function parseModelList(body: unknown, provider: string): ModelInfo[] {
  if (!isRecord(body) || !Array.isArray(body.data)) {
    throw new ConduitError('provider_error', `${provider}: unexpected /models response (no data array)`, { provider, upstreamStatus: 200 });
  }
  const out: ModelInfo[] = [];
  for (const item of body.data) {
    if (!isRecord(item) || typeof item.id !== 'string') continue;
    const info: ModelInfo = { id: item.id, provider, kind: /embed/i.test(item.id) ? 'embedding' : 'model' };
    if (typeof item.owned_by === 'string') info.ownedBy = item.owned_by;
    out.push(info);
  }
  return out;
}
