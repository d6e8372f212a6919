/**
 * Counters for `conduit cache stats`: what each cache layer did and what hits saved. One collector
 * per process by default (`defaultCacheStats`), shared by every cache middleware that is not given
 * its own, so the CLI/admin endpoint reads one number for the whole gateway.
 */
import type { Usage } from '../core/usage.js';
import type { CacheStoreStats } from './cache-store.js';

export interface CacheStatsSnapshot {
  exact: { hits: number; misses: number; bypasses: number; writes: number };
  semantic: { hits: number; misses: number; skipped: number; shadowWouldBeHits: number; writes: number };
  /** Store or embedding failures (the caches fail open: the request went to the model). */
  errors: number;
  /**
   * Answers served from a cache / lookups. With both layers stacked (exact outside semantic), every
   * request is one exact lookup, so this is (exact + semantic hits) / exact lookups; with only a
   * semantic cache it is semantic hits / semantic lookups.
   */
  hitRate: number;
  savedUsd: number;
  /** Hits whose original cost was unknown: their savings are missing from savedUsd. */
  hitsWithUnknownCost: number;
  savedInputTokens: number;
  savedOutputTokens: number;
}

export class CacheStatsCollector {
  private exact = { hits: 0, misses: 0, bypasses: 0, writes: 0 };
  private semantic = { hits: 0, misses: 0, skipped: 0, shadowWouldBeHits: 0, writes: 0 };
  private errors = 0;
  private savedUsd = 0;
  private hitsWithUnknownCost = 0;
  private savedInputTokens = 0;
  private savedOutputTokens = 0;

  recordExact(event: 'miss' | 'bypass' | 'write'): void {
    if (event === 'miss') this.exact.misses++;
    else if (event === 'bypass') this.exact.bypasses++;
    else this.exact.writes++;
  }

  recordSemantic(event: 'miss' | 'skipped' | 'shadow-would-be-hit' | 'write'): void {
    if (event === 'miss') this.semantic.misses++;
    else if (event === 'skipped') this.semantic.skipped++;
    else if (event === 'shadow-would-be-hit') this.semantic.shadowWouldBeHits++;
    else this.semantic.writes++;
  }

  recordHit(layer: 'exact' | 'semantic', usage: Usage, savedUsd: number | undefined): void {
    if (layer === 'exact') this.exact.hits++;
    else this.semantic.hits++;
    if (savedUsd === undefined) this.hitsWithUnknownCost++;
    else this.savedUsd += savedUsd;
    this.savedInputTokens += usage.inputTokens;
    this.savedOutputTokens += usage.outputTokens;
  }

  recordError(): void {
    this.errors++;
  }

  snapshot(): CacheStatsSnapshot {
    const exactLookups = this.exact.hits + this.exact.misses;
    const semanticLookups = this.semantic.hits + this.semantic.misses;
    const served = this.exact.hits + this.semantic.hits;
    const lookups = exactLookups > 0 ? exactLookups : semanticLookups;
    return {
      exact: { ...this.exact },
      semantic: { ...this.semantic },
      errors: this.errors,
      hitRate: lookups === 0 ? 0 : served / lookups,
      savedUsd: this.savedUsd,
      hitsWithUnknownCost: this.hitsWithUnknownCost,
      savedInputTokens: this.savedInputTokens,
      savedOutputTokens: this.savedOutputTokens,
    };
  }

  reset(): void {
    this.exact = { hits: 0, misses: 0, bypasses: 0, writes: 0 };
    this.semantic = { hits: 0, misses: 0, skipped: 0, shadowWouldBeHits: 0, writes: 0 };
    this.errors = 0;
    this.savedUsd = 0;
    this.hitsWithUnknownCost = 0;
    this.savedInputTokens = 0;
    this.savedOutputTokens = 0;
  }
}

/** The process-wide collector used by cache middleware that is not given one. */
export const defaultCacheStats = new CacheStatsCollector();

/** A snapshot of the given collector (default: the process-wide one). */
export function cacheStats(collector: CacheStatsCollector = defaultCacheStats): CacheStatsSnapshot {
  return collector.snapshot();
}

/** Human-readable report for `conduit cache stats`; store stats are appended when given. */
export function formatCacheStats(stats: CacheStatsSnapshot, stores: readonly CacheStoreStats[] = []): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `hit rate          ${pct(stats.hitRate)}`,
    `exact             ${stats.exact.hits} hits, ${stats.exact.misses} misses, ${stats.exact.bypasses} bypassed, ${stats.exact.writes} stored`,
    `semantic          ${stats.semantic.hits} hits, ${stats.semantic.misses} misses, ${stats.semantic.skipped} not eligible, ${stats.semantic.writes} stored`,
    `shadow            ${stats.semantic.shadowWouldBeHits} would-be hits (not served)`,
    `saved             $${stats.savedUsd.toFixed(4)}${stats.hitsWithUnknownCost > 0 ? ` (+${stats.hitsWithUnknownCost} hits of unknown price)` : ''}, ${stats.savedInputTokens} input + ${stats.savedOutputTokens} output tokens`,
    `errors            ${stats.errors}`,
  ];
  for (const s of stores) lines.push(`store ${s.kind.padEnd(11)} ${s.entries} entries${s.bytes === undefined ? '' : `, ${formatBytes(s.bytes)}`}${s.evictions ? `, ${s.evictions} evicted` : ''}`);
  return lines.join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
