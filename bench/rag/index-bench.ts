/**
 * RAG index benchmark (issue 5): the embedded ChunkIndex at 10,000 and 100,000 chunks of 512-d
 * unit vectors — build time, vector query latency (ANN and exact) with ANN recall@10 against exact
 * search, filtered vector queries, BM25 keyword latency, memory, and the persisted store's write,
 * snapshot and re-open times.
 *
 *   npx tsx bench/rag/index-bench.ts            # 10k and 100k
 *   npx tsx bench/rag/index-bench.ts --quick    # 10k only
 *   options: --queries 200 --sizes 10000,100000
 *
 * Vectors are CLUSTERED like real embeddings (50 topics × 20 sub-topic clusters, a direction shared
 * by all vectors, Gaussian noise; see test/rag/index/clustered-vectors.ts), not uniform noise:
 * uniform random 512-d vectors are all nearly orthogonal, which misstates ANN difficulty. The
 * script prints the distribution it produced (nearest-neighbour and random-pair cosines). Queries
 * are fresh samples from the same distribution, not stored vectors. Chunk texts are ~80 words drawn
 * from a Zipf-distributed 20,000-word vocabulary plus a few technical identifiers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { createMemoryCollectionStore, openEmbeddedCollectionStore, type EmbeddedChunkIndex } from '../../src/rag/index/index.js';
import type { IndexedChunk } from '../../src/rag/types.js';
import { clusteredVectors, seededRandom } from '../../test/rag/index/clustered-vectors.js';

const DIMS = 512;
const quick = process.argv.includes('--quick');
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const QUERIES = Number(arg('queries') ?? 200);
const SIZES = (arg('sizes') ?? (quick ? '10000' : '10000,100000')).split(',').map(Number);

const rnd = seededRandom(99);
const VOCAB = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
const TECH = ['fs.readFile', '--max-old-space-size', 'node:test', 'process.env.NODE_ENV', 'Buffer.from', 'http.createServer'];
/** Zipf(1) over the vocabulary via inverse CDF on harmonic numbers (approximate, fast). */
function zipfWord(): string {
  const h = Math.log(VOCAB.length) + 0.5772;
  const i = Math.min(VOCAB.length - 1, Math.floor(Math.exp(rnd() * h - 0.5772)));
  return VOCAB[i]!;
}
function text(): string {
  const words = Array.from({ length: 80 }, zipfWord);
  if (rnd() < 0.3) words.splice(Math.floor(rnd() * 80), 0, TECH[Math.floor(rnd() * TECH.length)]!);
  return words.join(' ');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}
function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 0.5).toFixed(2)} ms, p99 ${percentile(s, 0.99).toFixed(2)} ms`;
}
function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
function memory(): { rss: number; heap: number; external: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
}
/** Wall time and this process's CPU time (user + system) of a phase: on a shared machine the CPU figure is the one that does not depend on other load. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ result: T; wallS: number; cpuS: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const result = await fn();
  const used = process.cpuUsage(cpu);
  return { result, wallS: (performance.now() - t) / 1000, cpuS: (used.user + used.system) / 1e6 };
}
function phase(p: { wallS: number; cpuS: number }): string {
  return `${p.wallS.toFixed(1)} s (CPU ${p.cpuS.toFixed(1)} s)`;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function makeChunks(n: number): { chunks: IndexedChunk[]; queries: Float32Array[]; keywordQueries: string[] } {
  const gen = clusteredVectors(DIMS, 42, 50, 20, 0.9, 0.6);
  const chunks: IndexedChunk[] = [];
  for (let i = 0; i < n; i++) {
    const t = text();
    chunks.push({
      id: `doc${Math.floor(i / 10)}#${i % 10}`,
      documentId: `doc${Math.floor(i / 10)}`,
      index: i % 10,
      text: t,
      metadata: { shard: i % 10 === 0 ? 'rare' : 'common', n: i },
      embedding: gen.sample(),
      contentHash: createHash('sha256').update(t).digest('hex'),
    });
  }
  const queries = Array.from({ length: QUERIES }, () => gen.sample());
  const keywordQueries = Array.from({ length: QUERIES }, (_, i) =>
    i % 5 === 0 ? `how to use ${TECH[i % TECH.length]}` : Array.from({ length: 2 + (i % 3) }, zipfWord).join(' '),
  );
  return { chunks, queries, keywordQueries };
}

function distribution(chunks: IndexedChunk[]): string {
  const sample = chunks.slice(0, 2_000);
  const dot = (a: Float32Array, b: Float32Array): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    return s;
  };
  const pairs: number[] = [];
  const nearest: number[] = [];
  for (let i = 0; i < 200; i++) {
    pairs.push(dot(sample[i]!.embedding, sample[(i * 7 + 13) % sample.length]!.embedding));
    let best = -1;
    for (let j = 0; j < sample.length; j++) if (j !== i) best = Math.max(best, dot(sample[i]!.embedding, sample[j]!.embedding));
    nearest.push(best);
  }
  pairs.sort((a, b) => a - b);
  nearest.sort((a, b) => a - b);
  return `random-pair cosine median ${percentile(pairs, 0.5).toFixed(2)}; nearest-neighbour cosine (within 2,000) median ${percentile(nearest, 0.5).toFixed(2)}`;
}

async function timeQueries<T>(inputs: readonly T[], run: (q: T) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (const q of inputs) {
    const t = performance.now();
    await run(q);
    out.push(performance.now() - t);
  }
  return out;
}

async function recall(index: EmbeddedChunkIndex, queries: Float32Array[], filter?: { shard: string }): Promise<number> {
  let found = 0;
  let total = 0;
  for (const q of queries) {
    const exact = await index.exactVectorSearch({ embedding: q, topK: 10, ...(filter ? { filter } : {}) });
    const approx = await index.vectorSearch({ embedding: q, topK: 10, ...(filter ? { filter } : {}) });
    const want = new Set(exact.map((h) => h.chunk.id));
    found += approx.filter((h) => want.has(h.chunk.id)).length;
    total += want.size;
  }
  return found / total;
}

async function benchSize(n: number): Promise<void> {
  console.log(`\n## ${n.toLocaleString('en-US')} chunks × ${DIMS}-d`);
  const { chunks, queries, keywordQueries } = makeChunks(n);
  console.log(`data: ${distribution(chunks)}`);
  gc();
  const before = memory();

  // In-memory index: rows + BM25 postings + vector slab, then the HNSW graph.
  const store = createMemoryCollectionStore();
  await store.create('bench');
  const index = (await store.open('bench')) as EmbeddedChunkIndex;
  const upsert = await timed(async () => {
    for (let i = 0; i < n; i += 1_000) await index.upsert(chunks.slice(i, i + 1_000));
  });
  const graph = await timed(() => index.buildAnn());
  gc();
  const after = memory();
  console.log(`build: upsert (rows, BM25, vectors) ${phase(upsert)} = ${Math.round(n / upsert.wallS)} chunks/s; HNSW graph (all cores) ${phase(graph)}`);
  console.log(`memory: +${mb(after.rss - before.rss)} RSS (heap +${mb(after.heap - before.heap)}, array buffers/native +${mb(after.external - before.external)})`);

  // Warm up (JIT, caches) before timing. Latencies are wall-clock: on a loaded machine p99 shows the scheduler.
  for (const q of queries.slice(0, 20)) await index.vectorSearch({ embedding: q, topK: 10 });
  const ann = await timeQueries(queries, (q) => index.vectorSearch({ embedding: q, topK: 10 }));
  const exact = await timeQueries(queries.slice(0, 50), (q) => index.exactVectorSearch({ embedding: q, topK: 10 }));
  const filtered = await timeQueries(queries, (q) => index.vectorSearch({ embedding: q, topK: 10, filter: { shard: 'rare' } }));
  const r = await recall(index, queries);
  const rf = await recall(index, queries.slice(0, 50), { shard: 'rare' });
  for (const q of keywordQueries.slice(0, 20)) await index.keywordSearch({ text: q, topK: 10 });
  const keyword = await timeQueries(keywordQueries, (q) => index.keywordSearch({ text: q, topK: 10 }));
  console.log(`vector ANN top-10: ${summary(ann)}; recall@10 vs exact ${r.toFixed(3)} (${QUERIES} queries)`);
  console.log(`vector ANN top-10, filter matching 10%: ${summary(filtered)}; recall@10 ${rf.toFixed(3)}`);
  console.log(`vector exact top-10 (baseline): ${summary(exact)}`);
  console.log(`keyword BM25 top-10: ${summary(keyword)}`);
  await store.close();
  gc();

  // Persisted store: write, close (snapshots the graph), re-open with and without the snapshot.
  const dir = mkdtempSync(join(tmpdir(), 'conduit-rag-bench-'));
  try {
    let persisted = await openEmbeddedCollectionStore({ dir });
    await persisted.create('bench');
    let p = (await persisted.open('bench')) as EmbeddedChunkIndex;
    const write = await timed(async () => {
      for (let i = 0; i < n; i += 1_000) await p.upsert(chunks.slice(i, i + 1_000));
    });
    const close = await timed(async () => {
      p.buildAnn();
      await persisted.close();
    });
    const reopen = await timed(async () => {
      persisted = await openEmbeddedCollectionStore({ dir });
      p = (await persisted.open('bench')) as EmbeddedChunkIndex;
    });
    const t = performance.now();
    await p.vectorSearch({ embedding: queries[0]!, topK: 10 });
    const firstMs = performance.now() - t;
    console.log(`persisted: write ${phase(write)}; graph build + snapshot on close ${phase(close)}`);
    console.log(`persisted: re-open ${phase(reopen)} (graph snapshot loaded: ${p.usesAnn}); first query ${firstMs.toFixed(1)} ms`);
    await persisted.close();
    rmSync(join(dir, 'collections', 'bench', 'ann.usearch'));
    const reopenBare = await timed(async () => {
      persisted = await openEmbeddedCollectionStore({ dir });
      p = (await persisted.open('bench')) as EmbeddedChunkIndex;
    });
    const rebuild = await timed(() => p.vectorSearch({ embedding: queries[0]!, topK: 10 }));
    console.log(`persisted: re-open without a graph snapshot ${phase(reopenBare)}, then the first ANN query rebuilds the graph: ${phase(rebuild)}`);
    // Don't snapshot the rebuilt graph on this last close: the directory is removed anyway.
    await persisted.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`# RAG index benchmark (node ${process.version}, ${(await import('node:os')).cpus().length} cores, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')})`);
for (const n of SIZES) await benchSize(n);
