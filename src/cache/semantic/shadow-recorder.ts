/**
 * Evidence for choosing a semantic threshold: the best similarity of every lookup that had a
 * candidate (a histogram), how many lookups each candidate threshold would have served, and the
 * most recent would-be hits with both prompts and both answers, so an operator can read whether
 * serving them would have been right. Kept in memory, bounded; prompts are truncated.
 */
import type { SemanticScopeDescription } from './semantic-scope.js';

export interface ShadowRecord {
  at: number;
  similarity: number;
  scope: SemanticScopeDescription;
  cachedPrompt: string;
  newPrompt: string;
  /** The answer the cache would have served. */
  cachedResponseText: string;
  /** The answer the model actually gave (set once it arrived; absent if the call failed). */
  freshResponseText?: string;
  /** False when the numbers in the two prompts differ: never served, whatever the similarity. */
  numbersMatch: boolean;
}

export interface ShadowReport {
  /** The threshold in force: records below are at or above it. */
  threshold: number;
  /** Lookups that found at least one candidate in their scope. */
  lookupsWithCandidate: number;
  /** Lookups whose scope was empty. */
  lookupsWithoutCandidate: number;
  /** Best-candidate similarity: one bin below 0.80, then 0.01-wide bins up to 1.00. */
  histogram: { from: number; to: number; count: number }[];
  /** For each candidate threshold, how many lookups would have been served (numbers guard applied). */
  wouldBeHits: { threshold: number; count: number }[];
  /** The most recent would-be hits at the configured threshold, newest last. */
  records: ShadowRecord[];
}

/** Similarities below this are not told apart (the histogram's first bin): no sane threshold lies there. */
export const HISTOGRAM_FLOOR = 0.8;
export const SHADOW_THRESHOLDS: readonly number[] = [0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99];
const BIN_WIDTH = 0.01;
const BINS = Math.round((1 - HISTOGRAM_FLOOR) / BIN_WIDTH);
const MAX_PROMPT_CHARS = 500;

export class ShadowRecorder {
  /** bins[0] is "below 0.80"; bins[i] covers [0.80 + (i-1)·0.01, +0.01). */
  private readonly bins = new Array<number>(BINS + 1).fill(0);
  private readonly atThreshold = new Array<number>(SHADOW_THRESHOLDS.length).fill(0);
  private withCandidate = 0;
  private withoutCandidate = 0;
  private readonly records: ShadowRecord[] = [];

  constructor(
    private readonly threshold: number,
    private readonly maxRecords = 1000,
  ) {}

  /**
   * Records a lookup: its best similarity when one reached the histogram floor (0.80), else
   * undefined; `hadCandidates` says whether the scope held anything at all.
   */
  observe(similarity: number | undefined, numbersMatch: boolean, hadCandidates: boolean): void {
    if (!hadCandidates) {
      this.withoutCandidate++;
      return;
    }
    if (similarity === undefined) {
      this.withCandidate++;
      this.bins[0]!++;
      return;
    }
    this.withCandidate++;
    const bin = similarity < HISTOGRAM_FLOOR ? 0 : Math.min(BINS, 1 + Math.floor((similarity - HISTOGRAM_FLOOR + 1e-9) / BIN_WIDTH));
    this.bins[bin]!++;
    if (!numbersMatch) return;
    SHADOW_THRESHOLDS.forEach((t, i) => {
      if (similarity >= t) this.atThreshold[i]!++;
    });
  }

  /** Keeps a would-be hit; returns it so the fresh answer can be attached when it arrives. */
  record(record: ShadowRecord): ShadowRecord {
    const kept: ShadowRecord = { ...record, cachedPrompt: truncate(record.cachedPrompt), newPrompt: truncate(record.newPrompt), cachedResponseText: truncate(record.cachedResponseText) };
    this.records.push(kept);
    if (this.records.length > this.maxRecords) this.records.shift();
    return kept;
  }

  report(): ShadowReport {
    const histogram = this.bins.map((count, i) =>
      i === 0 ? { from: -1, to: HISTOGRAM_FLOOR, count } : { from: round2(HISTOGRAM_FLOOR + (i - 1) * BIN_WIDTH), to: round2(HISTOGRAM_FLOOR + i * BIN_WIDTH), count },
    );
    return {
      threshold: this.threshold,
      lookupsWithCandidate: this.withCandidate,
      lookupsWithoutCandidate: this.withoutCandidate,
      histogram,
      wouldBeHits: SHADOW_THRESHOLDS.map((threshold, i) => ({ threshold, count: this.atThreshold[i]! })),
      records: this.records.map((r) => ({ ...r })),
    };
  }

  clear(): void {
    this.bins.fill(0);
    this.atThreshold.fill(0);
    this.withCandidate = 0;
    this.withoutCandidate = 0;
    this.records.length = 0;
  }
}

export function truncate(text: string): string {
  return text.length <= MAX_PROMPT_CHARS ? text : `${text.slice(0, MAX_PROMPT_CHARS)}…`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
