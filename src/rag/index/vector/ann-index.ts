/**
 * Approximate nearest-neighbour search over unit vectors keyed by slot, backed by USearch (an HNSW
 * graph in C++ with SIMD distance kernels, shipped as a prebuilt N-API binary inside the npm
 * package, so it installs offline with no compiler). Vectors are stored int8-quantised in the graph;
 * callers re-rank the candidates exactly against their float32 copies, so quantisation costs a
 * little candidate recall, never score accuracy.
 *
 * The module is loaded lazily through `require` (its CommonJS build locates the native binary from
 * `__dirname`; the ESM build guesses its own path from a stack trace, which fails under some
 * loaders), and only when a collection grows past the exact-scan threshold.
 */
import { createRequire } from 'node:module';
import type * as Usearch from 'usearch';

export interface AnnOptions {
  /** HNSW graph degree (M). */
  connectivity?: number;
  /** Beam width while inserting (efConstruction): build time against graph quality. */
  expansionAdd?: number;
  /** Beam width while searching (ef): latency against recall. */
  expansionSearch?: number;
}

export const DEFAULT_ANN_OPTIONS: Required<AnnOptions> = { connectivity: 16, expansionAdd: 128, expansionSearch: 128 };

type UsearchModule = typeof Usearch;
let loaded: UsearchModule | undefined;

function usearch(): UsearchModule {
  loaded ??= createRequire(import.meta.url)('usearch') as UsearchModule;
  return loaded;
}

export class AnnIndex {
  private readonly index: Usearch.Index;

  constructor(readonly dimensions: number, options: AnnOptions = {}) {
    const { Index, MetricKind, ScalarKind } = usearch();
    const o = { ...DEFAULT_ANN_OPTIONS, ...options };
    this.index = new Index({
      dimensions,
      metric: MetricKind.Cos,
      quantization: ScalarKind.I8,
      connectivity: o.connectivity,
      expansion_add: o.expansionAdd,
      expansion_search: o.expansionSearch,
      multi: false,
    });
  }

  get size(): number {
    return this.index.size();
  }

  /** Adds vectors (slot-major, `slots.length × dimensions`) using every core. */
  add(slots: readonly number[], vectors: Float32Array): void {
    if (slots.length === 0) return;
    const keys = BigUint64Array.from(slots, (s) => BigInt(s));
    this.index.add(keys, vectors, 0);
  }

  remove(slots: readonly number[]): void {
    if (slots.length === 0) return;
    this.index.remove(BigUint64Array.from(slots, (s) => BigInt(s)));
  }

  /** Up to k candidate slots, nearest first. */
  search(q: Float32Array, k: number): number[] {
    if (this.index.size() === 0 || k <= 0) return [];
    const matches = this.index.search(q, Math.min(k, this.index.size()), 1);
    return Array.from(matches.keys, (key) => Number(key));
  }

  save(path: string): void {
    this.index.save(path);
  }

  load(path: string): void {
    this.index.load(path);
  }
}
