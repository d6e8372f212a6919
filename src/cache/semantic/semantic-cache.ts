/**
 * Semantic response cache as model middleware, safe for agents: the last user message is embedded
 * (the embedded Universal Sentence Encoder by default) and compared only with earlier prompts in
 * exactly the same scope (semantic-scope.ts: tenant, model, system prompt, tool set, parameters,
 * prior turns). A candidate is served when its cosine similarity reaches the threshold AND its
 * numbers match the new prompt's.
 *
 * Threshold: 0.95 by default. The reference guides name semantic caching but give no threshold
 * (their "semantic" caches are exact-match), so the default comes from measurement with the
 * embedded model: paraphrases score 0.97–0.99 ("How do I reset my password?" / "How can I…" 0.988),
 * while different questions that share most words score 0.71–0.90 ("…reset my router?" 0.77,
 * "capital of France/Germany" 0.84, "Delete all files" / "Do not delete any files" 0.90).
 * Use shadow mode on real traffic to pick your own.
 *
 * Shadow mode (`mode: 'shadow'`) never serves: every request goes to the model, and would-be hits
 * are recorded with both prompts and both answers (`shadowReport()`).
 *
 * The index lives in this process's memory (vectors are not persisted or shared between replicas);
 * entries expire after `ttlMs` and the index is bounded by `maxEntries`. Embedding failures fail
 * open: the request goes to the model.
 */
import { ConduitError, toConduitError } from '../../core/errors.js';
import type { CacheOutcomeEvent, CallOptions, EmbeddingModel, GenerateResult, ModelRequest, StreamPart } from '../../models/language-model.js';
import { createDefaultEmbeddingModel } from '../../models/embeddings/default-embedding-model.js';
import type { LanguageModelMiddleware } from '../../models/wrap-language-model.js';
import { systemNow, type NowClock } from '../cache-store.js';
import { defaultCacheStats, type CacheStatsCollector } from '../cache-stats.js';
import { fromCachedResponse, hitInfo, isCacheable, StreamAssembler, toCachedResponse, replayStream, type CachedResponse } from '../cached-response.js';
import { DEFAULT_CACHE_TTL_MS } from '../exact-cache-middleware.js';
import { numbersIn, semanticLookupKey, type SemanticScopeDescription } from './semantic-scope.js';
import { HISTOGRAM_FLOOR, ShadowRecorder, type ShadowRecord, type ShadowReport } from './shadow-recorder.js';
import { ScopedVectorIndex } from './vector-index.js';

export const DEFAULT_SEMANTIC_THRESHOLD = 0.95;
export const DEFAULT_MAX_ENTRIES_PER_SCOPE = 10_000;

export interface SemanticCacheOptions {
  /** Default: the embedded model (`createDefaultEmbeddingModel()`). */
  embeddingModel?: EmbeddingModel;
  /** Cosine similarity a candidate must reach to be served. Default 0.95. */
  threshold?: number;
  /** `serve` (default) answers hits from the cache; `shadow` only records them. */
  mode?: 'serve' | 'shadow';
  /** Default 24 h. */
  ttlMs?: number;
  /** Bound on cached prompts across all scopes (oldest evicted). Default 100,000. */
  maxEntries?: number;
  /**
   * Bound on cached prompts in one scope (oldest evicted). A lookup scans its whole scope, so this
   * caps lookup latency: see bench/semantic-cache.ts. Default 10,000.
   */
  maxEntriesPerScope?: number;
  /** The tenant of a request. Default: `options.cache?.scope`, else ''. */
  scope?: (options: CallOptions, request: ModelRequest) => string;
  /** Refuse candidates whose numbers differ from the new prompt's. Default true. */
  requireSameNumbers?: boolean;
  /** Requests with a higher temperature are neither looked up nor stored. Default: no limit. */
  maxTemperature?: number;
  stats?: CacheStatsCollector;
  clock?: NowClock;
  /** Would-be hits kept for `shadowReport()`. Default 1000. */
  maxShadowRecords?: number;
  /** Told about embedding failures (the request itself proceeds). */
  onError?: (error: ConduitError) => void;
}

export interface SemanticCache extends LanguageModelMiddleware {
  readonly mode: 'serve' | 'shadow';
  readonly threshold: number;
  /** Similarity histogram, would-be hits per threshold, and recent would-be hits. */
  shadowReport(): ShadowReport;
  /** Cached prompts currently indexed. */
  readonly size: number;
  clear(): void;
}

interface IndexedAnswer {
  prompt: string;
  numbers: string;
  response: CachedResponse;
}

type Decision =
  | { kind: 'serve'; answer: IndexedAnswer; similarity: number }
  | { kind: 'call'; store?: { scope: string; vector: Float32Array; prompt: string }; shadow?: ShadowRecord };

const SWEEP_EVERY_ADDS = 1000;

export function createSemanticCache(config: SemanticCacheOptions = {}): SemanticCache {
  const embeddingModel = config.embeddingModel ?? createDefaultEmbeddingModel();
  const threshold = config.threshold ?? DEFAULT_SEMANTIC_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) throw new ConduitError('invalid_request', `semantic cache threshold must be in (0, 1], got ${threshold}`, { param: 'threshold' });
  const mode = config.mode ?? 'serve';
  const ttlMs = config.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const requireSameNumbers = config.requireSameNumbers ?? true;
  const stats = config.stats ?? defaultCacheStats;
  const clock = config.clock ?? systemNow;
  const tenantOf = config.scope ?? ((options: CallOptions) => options.cache?.scope ?? '');
  const maxEntries = config.maxEntries ?? 100_000;
  const index = new ScopedVectorIndex<IndexedAnswer>({ maxEntries, maxEntriesPerScope: Math.min(maxEntries, config.maxEntriesPerScope ?? DEFAULT_MAX_ENTRIES_PER_SCOPE) });
  const shadow = new ShadowRecorder(threshold, config.maxShadowRecords ?? 1000);
  let addsSinceSweep = 0;

  const report = (options: CallOptions, event: CacheOutcomeEvent): void => options.cache?.onOutcome?.(event);

  async function decide(request: ModelRequest, options: CallOptions, provider: string, modelId: string): Promise<Decision> {
    if (config.maxTemperature !== undefined && (request.temperature ?? 0) > config.maxTemperature) {
      stats.recordSemantic('skipped');
      report(options, { layer: 'semantic', outcome: 'bypass', reason: 'temperature' });
      return { kind: 'call' };
    }
    const key = semanticLookupKey(request, { provider, modelId, tenant: tenantOf(options, request) });
    if (!key.eligible) {
      stats.recordSemantic('skipped');
      report(options, { layer: 'semantic', outcome: 'miss', reason: key.reason });
      return { kind: 'call' };
    }
    let vector: Float32Array;
    try {
      const embedded = await embeddingModel.embed([key.prompt], options.signal ? { signal: options.signal } : {});
      const first = embedded.embeddings[0];
      if (!first) throw new ConduitError('provider_error', 'the embedding model returned no vector');
      vector = Float32Array.from(first);
    } catch (err) {
      if (options.signal?.aborted) throw toConduitError(err);
      stats.recordError();
      config.onError?.(new ConduitError('internal', `Semantic cache embedding failed: ${err instanceof Error ? err.message : String(err)}`, { cause: toConduitError(err) }));
      report(options, { layer: 'semantic', outcome: 'miss', reason: 'embedding-error' });
      return { kind: 'call' };
    }
    const store = options.cache?.noStore ? undefined : { scope: key.scope, vector, prompt: key.prompt };
    if (options.cache?.bypass) {
      stats.recordSemantic('skipped');
      report(options, { layer: 'semantic', outcome: 'bypass', reason: 'no-cache' });
      return store ? { kind: 'call', store } : { kind: 'call' };
    }

    // Candidates below the histogram floor are neither served nor told apart, so the scan may prune them.
    const hadCandidates = index.scopeSize(key.scope) > 0;
    const match = hadCandidates ? index.search(key.scope, vector, clock.now(), Math.min(threshold, HISTOGRAM_FLOOR)) : undefined;
    const numbers = numbersIn(key.prompt);
    const numbersMatch = match !== undefined && (!requireSameNumbers || match.payload.numbers === numbers);
    shadow.observe(match?.similarity, numbersMatch, hadCandidates);
    if (match && numbersMatch && match.similarity >= threshold) {
      if (mode === 'serve') return { kind: 'serve', answer: match.payload, similarity: match.similarity };
      stats.recordSemantic('shadow-would-be-hit');
      const record = shadow.record(shadowRecord(key.description, match.payload, key.prompt, match.similarity, true));
      stats.recordSemantic('miss');
      report(options, { layer: 'semantic', outcome: 'miss', reason: 'shadow', similarity: match.similarity });
      return store ? { kind: 'call', store, shadow: record } : { kind: 'call', shadow: record };
    }
    stats.recordSemantic('miss');
    const event: CacheOutcomeEvent = { layer: 'semantic', outcome: 'miss' };
    if (match) event.similarity = match.similarity;
    report(options, event);
    return store ? { kind: 'call', store } : { kind: 'call' };
  }

  function shadowRecord(scope: SemanticScopeDescription, cached: IndexedAnswer, newPrompt: string, similarity: number, numbersMatch: boolean): ShadowRecord {
    return { at: clock.now(), similarity, scope, cachedPrompt: cached.prompt, newPrompt, cachedResponseText: cached.response.text, numbersMatch };
  }

  function serve(decision: Extract<Decision, { kind: 'serve' }>, options: CallOptions) {
    const info = hitInfo(decision.answer.response, 'semantic-hit', clock.now(), decision.similarity);
    stats.recordHit('semantic', decision.answer.response.usage, info.savedUsd);
    const event: CacheOutcomeEvent = { layer: 'semantic', outcome: 'semantic-hit', similarity: decision.similarity, ageMs: info.ageMs };
    if (info.savedUsd !== undefined) event.savedUsd = info.savedUsd;
    report(options, event);
    return info;
  }

  function remember(decision: Extract<Decision, { kind: 'call' }>, result: GenerateResult): void {
    if (decision.shadow) decision.shadow.freshResponseText = result.text;
    if (!decision.store || !isCacheable(result)) return;
    const now = clock.now();
    const { scope, vector, prompt } = decision.store;
    index.add(scope, vector, { prompt, numbers: numbersIn(prompt), response: toCachedResponse(result, now) }, now + ttlMs);
    stats.recordSemantic('write');
    if (++addsSinceSweep >= SWEEP_EVERY_ADDS) {
      addsSinceSweep = 0;
      index.sweepExpired(now);
    }
  }

  return {
    name: 'semantic-cache',
    mode,
    threshold,
    get size() {
      return index.size;
    },
    shadowReport: () => shadow.report(),
    clear() {
      index.clear();
      shadow.clear();
    },

    async wrapGenerate({ doGenerate, request, options, model }): Promise<GenerateResult> {
      const decision = await decide(request, options, model.provider, model.modelId);
      if (decision.kind === 'serve') return fromCachedResponse(decision.answer.response, serve(decision, options));
      const result = await doGenerate(request, options);
      remember(decision, result);
      return result;
    },

    async *wrapStream({ doStream, request, options, model }): AsyncIterable<StreamPart> {
      const decision = await decide(request, options, model.provider, model.modelId);
      if (decision.kind === 'serve') {
        yield* replayStream(decision.answer.response, serve(decision, options));
        return;
      }
      const assembler = new StreamAssembler({ provider: model.provider, model: model.modelId });
      for await (const part of doStream(request, options)) {
        assembler.add(part);
        if (part.type === 'finish') {
          const result = assembler.result();
          if (result) remember(decision, result);
        }
        yield part;
      }
    },
  };
}
