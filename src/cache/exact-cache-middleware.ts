/**
 * Exact response cache as model middleware: a request whose normalised form (request-key.ts), model
 * and scope match a stored answer gets that answer back — as a result for `generate`, replayed as
 * a stream for `stream` — without calling the model.
 *
 * Decisions, stated plainly:
 * - Temperature: cached at any temperature by default, like LiteLLM. The caller opted into caching,
 *   temperature is part of the key, and a stored sample is as valid an answer as a fresh one. Set
 *   `maxTemperature` to leave more random requests uncached (they are then reported as `bypass`).
 * - Never cached: thrown errors, `finishReason: 'error'`, streams that did not finish, and answers
 *   that were themselves cache hits (a semantic hit is not promoted into the exact cache).
 * - Per request (CallOptions.cache): `bypass` (Cache-Control: no-cache) skips the lookup but still
 *   stores the fresh answer; `noStore` (no-store) skips the write.
 * - Store failures fail open: the request goes to the model, the error is counted and reported to
 *   `onError`, and the outcome is `miss`.
 */
import { ConduitError, toConduitError } from '../core/errors.js';
import type { CacheOutcomeEvent, CallOptions, GenerateResult, ModelRequest, StreamPart } from '../models/language-model.js';
import type { LanguageModelMiddleware } from '../models/wrap-language-model.js';
import { systemNow, type CacheStore, type NowClock } from './cache-store.js';
import { defaultCacheStats, type CacheStatsCollector } from './cache-stats.js';
import { fromCachedResponse, hitInfo, isCacheable, parseCachedResponse, replayStream, serialiseCachedResponse, StreamAssembler, toCachedResponse, type CachedResponse } from './cached-response.js';
import { exactCacheKey } from './request-key.js';

/** 24 hours: the response-cache TTL the reference guides use (LLMCache, PromptCache, the banking bot). */
export const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

export interface ExactCacheOptions {
  store: CacheStore;
  /** Default 24 h. */
  ttlMs?: number;
  /** The isolation scope of a request (tenant/key/team). Default: `options.cache?.scope`, else '' (one shared scope). */
  scope?: (options: CallOptions, request: ModelRequest) => string;
  /** Requests with a higher temperature are neither looked up nor stored. Default: no limit. */
  maxTemperature?: number;
  stats?: CacheStatsCollector;
  clock?: NowClock;
  /** Told about store failures (the request itself proceeds). */
  onError?: (error: ConduitError) => void;
}

export function exactCacheMiddleware(config: ExactCacheOptions): LanguageModelMiddleware {
  const { store } = config;
  const ttlMs = config.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const stats = config.stats ?? defaultCacheStats;
  const clock = config.clock ?? systemNow;
  const scopeOf = config.scope ?? ((options: CallOptions) => options.cache?.scope ?? '');

  const failed = (err: unknown, what: string): void => {
    stats.recordError();
    const error = new ConduitError('internal', `Response cache ${what} failed (${store.kind}): ${err instanceof Error ? err.message : String(err)}`, { cause: toConduitError(err) });
    config.onError?.(error);
  };

  const report = (options: CallOptions, event: CacheOutcomeEvent): void => {
    options.cache?.onOutcome?.(event);
  };

  /** Decides what to do before calling the model: serve a hit, or go to the model (and whether to store). */
  async function lookup(request: ModelRequest, options: CallOptions, provider: string, modelId: string): Promise<{ hit: CachedResponse; key: string } | { hit: undefined; key: string | undefined }> {
    if (config.maxTemperature !== undefined && (request.temperature ?? 0) > config.maxTemperature) {
      stats.recordExact('bypass');
      report(options, { layer: 'exact', outcome: 'bypass', reason: 'temperature' });
      return { hit: undefined, key: undefined };
    }
    const key = exactCacheKey(request, { provider, modelId, scope: scopeOf(options, request) });
    if (options.cache?.bypass) {
      stats.recordExact('bypass');
      report(options, { layer: 'exact', outcome: 'bypass', reason: 'no-cache' });
      return { hit: undefined, key };
    }
    let cached: CachedResponse | undefined;
    try {
      const value = await store.get(key);
      cached = value === undefined ? undefined : parseCachedResponse(value);
    } catch (err) {
      failed(err, 'read');
    }
    if (cached) return { hit: cached, key };
    stats.recordExact('miss');
    report(options, { layer: 'exact', outcome: 'miss' });
    return { hit: undefined, key };
  }

  function serve(cached: CachedResponse, options: CallOptions) {
    const info = hitInfo(cached, 'hit', clock.now());
    stats.recordHit('exact', cached.usage, info.savedUsd);
    const event: CacheOutcomeEvent = { layer: 'exact', outcome: 'hit', ageMs: info.ageMs };
    if (info.savedUsd !== undefined) event.savedUsd = info.savedUsd;
    report(options, event);
    return info;
  }

  async function remember(key: string | undefined, result: GenerateResult, options: CallOptions): Promise<void> {
    if (key === undefined || options.cache?.noStore || !isCacheable(result)) return;
    try {
      await store.set(key, serialiseCachedResponse(toCachedResponse(result, clock.now())), ttlMs);
      stats.recordExact('write');
    } catch (err) {
      failed(err, 'write');
    }
  }

  return {
    name: 'exact-cache',

    async wrapGenerate({ doGenerate, request, options, model }): Promise<GenerateResult> {
      const found = await lookup(request, options, model.provider, model.modelId);
      if (found.hit) return fromCachedResponse(found.hit, serve(found.hit, options));
      const result = await doGenerate(request, options);
      await remember(found.key, result, options);
      return result;
    },

    async *wrapStream({ doStream, request, options, model }): AsyncIterable<StreamPart> {
      const found = await lookup(request, options, model.provider, model.modelId);
      if (found.hit) {
        yield* replayStream(found.hit, serve(found.hit, options));
        return;
      }
      const assembler = new StreamAssembler({ provider: model.provider, model: model.modelId });
      for await (const part of doStream(request, options)) {
        assembler.add(part);
        if (part.type === 'finish') {
          // Stored before `finish` is passed on: a consumer may stop reading right after it.
          const result = assembler.result();
          if (result) await remember(found.key, result, options);
        }
        yield part;
      }
    },
  };
}
