/**
 * Semantic-cache lookup latency at 100,000 cached entries (issue 3's benchmark line).
 *
 *   npx tsx bench/semantic-cache.ts [--entries 100000] [--queries 2000] [--dimensions 512] [--embed]
 *
 * Fills one scope (the worst case: every entry is a candidate) of ScopedVectorIndex with synthetic
 * 512-d vectors (the embedded model's size), then times `search` — normalising the query and the
 * brute-force scan over one contiguous Float32Array — and reports p50/p90/p99/max in µs, for
 * several index sizes so the linear growth is visible. Three workloads:
 *   - `full scan`: no floor (minSimilarity −∞), every dot product computed to the end;
 *   - `cache, random`: the semantic cache's real call (floor 0.80), uniformly random vectors
 *     (nearly orthogonal: the pruning's best case);
 *   - `cache, clustered`: floor 0.80, vectors drawn around 200 topics sharing a common direction
 *     (pairwise cosine ≈ 0.3–0.7 like real sentence embeddings), a quarter of queries being
 *     near-duplicates of a cached entry (hits) — the realistic case.
 * `--embed` also times the embedded model on one short prompt, which a real lookup adds first.
 */
import { performance } from 'node:perf_hooks';
import { ScopedVectorIndex } from '../src/cache/semantic/vector-index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ENTRIES = arg('entries', 100_000);
const QUERIES = arg('queries', 2000);
const DIMENSIONS = arg('dimensions', 512);

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomVector(rand: () => number): Float32Array {
  const v = new Float32Array(DIMENSIONS);
  for (let i = 0; i < DIMENSIONS; i++) v[i] = rand() * 2 - 1;
  return v;
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = 1 / Math.sqrt(n);
  return v.map((x) => x * inv);
}

/** Sentence-embedding-like vectors: a shared direction + one of `topics` centres + noise. */
function clusteredSource(rand: () => number, topics = 200): () => Float32Array {
  const common = unit(randomVector(rand));
  const centres = Array.from({ length: topics }, () => unit(randomVector(rand)));
  return () => {
    const centre = centres[Math.floor(rand() * topics)]!;
    const noise = unit(randomVector(rand));
    const v = new Float32Array(DIMENSIONS);
    for (let i = 0; i < DIMENSIONS; i++) v[i] = 0.55 * common[i]! + 0.6 * centre[i]! + 0.55 * noise[i]!;
    return unit(v);
  };
}

/** A near-duplicate (cosine ≈ 0.98) of `v`. */
function nearDuplicate(rand: () => number, v: Float32Array): Float32Array {
  const noise = unit(randomVector(rand));
  return unit(v.map((x, i) => x + 0.2 * noise[i]!));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

function measure(index: ScopedVectorIndex<number>, nextQuery: () => Float32Array, queries: number, minSimilarity: number): Percentiles & { hits: number } {
  const times: number[] = [];
  let hits = 0;
  for (let w = 0; w < 30; w++) index.search('scope', nextQuery(), 0, minSimilarity); // warm-up (JIT)
  for (let q = 0; q < queries; q++) {
    const query = nextQuery();
    const t0 = performance.now();
    const match = index.search('scope', query, 0, minSimilarity);
    times.push((performance.now() - t0) * 1000);
    if (match && match.similarity >= 0.95) hits++;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99), max: times.at(-1)!, mean: times.reduce((s, x) => s + x, 0) / times.length, hits };
}

interface Workload {
  name: string;
  minSimilarity: number;
  source: () => Float32Array;
  /** Builds the query generator once the index holds `stored`. */
  queries: (stored: Float32Array[]) => () => Float32Array;
}

async function main(): Promise<void> {
  const checkpoints = [1_000, 10_000, 50_000, ENTRIES].filter((n, i, all) => n <= ENTRIES && all.indexOf(n) === i);
  console.log(`semantic-cache lookup: one scope, ${DIMENSIONS}-d float32 unit vectors, exact brute-force cosine; node ${process.version}`);
  const rand = rng(42);
  const clustered = clusteredSource(rand);
  const workloads: Workload[] = [
    { name: 'full scan (no floor)', minSimilarity: -Infinity, source: () => randomVector(rand), queries: () => () => randomVector(rand) },
    { name: 'cache, random vectors (floor 0.80)', minSimilarity: 0.8, source: () => randomVector(rand), queries: () => () => randomVector(rand) },
    {
      name: 'cache, clustered vectors, 25% near-duplicate queries (floor 0.80)',
      minSimilarity: 0.8,
      source: clustered,
      queries: (stored) => () => (rand() < 0.25 ? nearDuplicate(rand, stored[Math.floor(rand() * stored.length)]!) : clustered()),
    },
  ];
  let final: Percentiles | undefined;
  for (const workload of workloads) {
    console.log(`\n${workload.name}`);
    console.log('entries     p50 µs    p90 µs    p99 µs    max µs   mean µs  hits≥0.95');
    const index = new ScopedVectorIndex<number>({ maxEntries: ENTRIES });
    const stored: Float32Array[] = [];
    let filled = 0;
    for (const target of checkpoints) {
      for (; filled < target; filled++) {
        const v = workload.source();
        stored.push(v);
        index.add('scope', v, filled, Number.POSITIVE_INFINITY);
      }
      const n = target === ENTRIES ? QUERIES : Math.min(QUERIES, 500);
      const r = measure(index, workload.queries(stored), n, workload.minSimilarity);
      const f = (x: number) => x.toFixed(0).padStart(9);
      console.log(`${String(target).padStart(7)}  ${f(r.p50)} ${f(r.p90)} ${f(r.p99)} ${f(r.max)} ${f(r.mean)}  ${String(r.hits).padStart(5)}/${n}`);
      if (target === ENTRIES && workload === workloads.at(-1)) final = r;
    }
  }
  console.log(`\nindex memory: vectors ${((ENTRIES * DIMENSIONS * 4) / (1024 * 1024)).toFixed(0)} MiB per ${ENTRIES} entries (+ 12 bytes of tail norms each)`);

  if (process.argv.includes('--embed')) {
    const { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } = await import('../src/models/embeddings/default-embedding-model.js');
    await loadDefaultEmbeddingModel();
    const model = createDefaultEmbeddingModel();
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      await model.embed([`How do I reset my password for account number ${i}?`]);
      times.push(performance.now() - t0);
    }
    times.splice(0, 10); // warm-up
    times.sort((a, b) => a - b);
    console.log(`embedding one prompt (use-lite): p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`);
  }
  if (final) console.log(`RESULT realistic entries=${ENTRIES} p50_us=${final.p50.toFixed(0)} p99_us=${final.p99.toFixed(0)}`);
}

await main();
