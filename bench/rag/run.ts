/**
 * RAG benchmark (issue 5), one command for every figure the issue asks:
 *
 *   npm run bench:rag -- [--quick] [--sizes 10000,100000] [--queries 49] [--skip-quality] [--skip-index]
 *
 * 1. Retrieval quality on the labelled Node.js API set (bench/rag/quality.ts): recall@5, MRR,
 *    nDCG@10 for vector, keyword, hybrid, and the rule "hybrid never worse than the best single".
 * 2. Ingestion throughput on six of those documents: chunks/s with the embedded embedding model
 *    (embedding included), and with embeddings replayed from the first run (embedding excluded:
 *    loading, chunking, hashing, index writes).
 * 3. Query latency p50/p99 at 10,000 and 100,000 chunks through the service's engine: vector,
 *    keyword and hybrid retrieval with the query embedding precomputed, and hybrid including it.
 *    The chunks are the corpus' real chunks and embeddings replicated with small noise.
 * 4. The index benchmark (bench/rag/index-bench.ts): ANN recall@10 against exact search and raw
 *    index latencies at the same sizes.
 *
 * Latencies are wall-clock on this machine, shared with other work: p99 includes the scheduler.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../src/models/embeddings/index.js';
import type { EmbeddingModel } from '../../src/models/language-model.js';
import { readEvalDataset } from '../../src/rag/eval/index.js';
import { createMemoryCollectionStore, openEmbeddedCollectionStore, type EmbeddedChunkIndex } from '../../src/rag/index/index.js';
import { loadFile } from '../../src/rag/loaders/index.js';
import { createDefaultRagEngine } from '../../src/rag/service/default-engine.js';
import type { IndexedChunk, RagDocument } from '../../src/rag/types.js';
import { formatQuality, NODE_DOCS_DIR, runQuality } from './quality.js';

const QUALITY_DIR = join(process.env.TMPDIR ?? '/tmp', 'conduit-bench-rag-quality');
const THROUGHPUT_FILES = ['path.md', 'timers.md', 'console.md', 'querystring.md', 'string_decoder.md', 'tty.md'];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const SIZES = (arg('sizes') ?? (quick ? '10000' : '10000,100000')).split(',').map(Number);
const t0 = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

/** An embedder answering from vectors computed earlier: ingestion and queries without the model's cost. */
function replayEmbedder(vectors: ReadonlyMap<string, Float32Array>, fallback: EmbeddingModel): EmbeddingModel {
  return {
    provider: 'replay',
    modelId: 'replay',
    dimensions: fallback.dimensions,
    async embed(inputs) {
      const missing = inputs.filter((t) => !vectors.has(t));
      const computed = missing.length > 0 ? (await fallback.embed(missing)).embeddings : [];
      let m = 0;
      return { embeddings: inputs.map((t) => Array.from(vectors.get(t) ?? computed[m++] ?? [])), usage: { inputTokens: 0 }, model: 'replay', provider: 'replay' };
    },
  };
}

function percentiles(ms: number[]): { p50: number; p99: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}
const fmt = (p: { p50: number; p99: number }) => `p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms`;

async function throughput(embedder: EmbeddingModel): Promise<void> {
  const documents: RagDocument[] = [];
  for (const f of THROUGHPUT_FILES) documents.push(...(await loadFile(join(NODE_DOCS_DIR, 'api', f))));
  const run = async (model: EmbeddingModel) => {
    const store = createMemoryCollectionStore();
    await store.create('t');
    const index = await store.open('t');
    const engine = createDefaultRagEngine({ embedder: model });
    const summary = await engine.ingest(index, documents);
    return { summary, index };
  };
  const first = await run(embedder);
  const rows = await first.index.getChunks([...(await Promise.all(documents.map((d) => first.index.documentHashes(d.id)))).flatMap((m) => [...m.keys()])]);
  const stored = await first.index.getEmbeddings(rows.map((r) => r.id));
  const byText = new Map(rows.map((r) => [r.text, stored.get(r.id) ?? new Float32Array()]));
  const second = await run(replayEmbedder(byText, embedder));
  const s1 = first.summary;
  const s2 = second.summary;
  console.log(`\nIngestion throughput (${documents.length} documents, ${s1.chunks} chunks, recursive 512-token chunks, in-memory index):`);
  console.log(`  embedding included (USE-lite): ${s1.seconds.toFixed(1)} s = ${(s1.chunks / s1.seconds).toFixed(1)} chunks/s (of which embedding ${s1.embeddingSeconds.toFixed(1)} s)`);
  console.log(`  embedding excluded (vectors replayed): ${s2.seconds.toFixed(2)} s = ${(s2.chunks / s2.seconds).toFixed(0)} chunks/s`);
}

async function latency(embedder: EmbeddingModel): Promise<void> {
  const source = await openEmbeddedCollectionStore({ dir: QUALITY_DIR });
  const base: IndexedChunk[] = [];
  try {
    // The labelled set's collection, embedded by the quality step (run it first: it is cached).
    const index = await source.open('node-docs');
    const ids: string[] = [];
    for (const doc of await listDocumentIds()) for (const id of (await index.documentHashes(doc)).keys()) ids.push(id);
    const chunks = await index.getChunks(ids);
    const vectors = await index.getEmbeddings(ids);
    for (const c of chunks) {
      const v = vectors.get(c.id);
      if (v) base.push({ ...c, embedding: v, contentHash: c.id });
    }
  } finally {
    await source.close();
  }
  const items = await readEvalDataset(join(NODE_DOCS_DIR, 'questions.jsonl'));
  const questions = items.map((i) => i.question);
  const queryVectors = new Map<string, Float32Array>();
  const embedded = await embedder.embed(questions);
  questions.forEach((q, i) => queryVectors.set(q, Float32Array.from(embedded.embeddings[i] ?? [])));
  const replay = replayEmbedder(queryVectors, embedder);
  console.log(`\nQuery latency (${questions.length} questions × 3 passes, top-5; base: ${base.length} real chunks replicated with noise):`);
  for (const size of SIZES) {
    const store = createMemoryCollectionStore();
    await store.create('lat');
    const index = (await store.open('lat')) as EmbeddedChunkIndex;
    const built = performance.now();
    for (let start = 0; start < size; start += 1000) await index.upsert(replicas(base, start, Math.min(size, start + 1000)));
    index.buildAnn();
    log(`built ${size} chunks in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    const excluded = createDefaultRagEngine({ embedder: replay });
    const included = createDefaultRagEngine({ embedder });
    const time = async (engine: typeof excluded, strategy: string, passes = 3) => {
      for (const q of questions.slice(0, 5)) await engine.retrieve(index, { query: q, strategy, topK: 5 });
      const ms: number[] = [];
      for (let p = 0; p < passes; p++) {
        for (const q of questions) {
          const s = performance.now();
          await engine.retrieve(index, { query: q, strategy, topK: 5 });
          ms.push(performance.now() - s);
        }
      }
      return percentiles(ms);
    };
    console.log(`  ${size} chunks: vector ${fmt(await time(excluded, 'vector'))}; keyword ${fmt(await time(excluded, 'keyword'))}`);
    console.log(`  ${size} chunks: hybrid ${fmt(await time(excluded, 'hybrid'))}; hybrid incl. query embedding ${fmt(await time(included, 'hybrid', 1))}`);
    await store.close();
  }
}

async function listDocumentIds(): Promise<string[]> {
  const { readdirSync } = await import('node:fs');
  return readdirSync(join(NODE_DOCS_DIR, 'api')).filter((f) => f.endsWith('.md'));
}

/** Chunks start..end of the replicated corpus: copy r of base chunk i, vector perturbed (σ 0.02 per dimension) and renormalised. */
function replicas(base: readonly IndexedChunk[], start: number, end: number): IndexedChunk[] {
  const out: IndexedChunk[] = [];
  let seed = start * 2654435761;
  const gauss = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const u = (seed + 1) / 2147483649;
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const v = (seed + 1) / 2147483649;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  for (let n = start; n < end; n++) {
    const src = base[n % base.length];
    if (src === undefined) break;
    const copy = Math.floor(n / base.length);
    const v = new Float32Array(src.embedding.length);
    let norm = 0;
    for (let d = 0; d < v.length; d++) {
      v[d] = (src.embedding[d] ?? 0) + (copy === 0 ? 0 : 0.02 * gauss());
      norm += (v[d] ?? 0) ** 2;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < v.length; d++) v[d] = (v[d] ?? 0) / norm;
    const documentId = copy === 0 ? src.documentId : `${src.documentId}~${copy}`;
    out.push({ ...src, id: `${documentId}#${src.index}`, documentId, embedding: v, contentHash: `${src.contentHash}~${copy}` });
  }
  return out;
}

async function main(): Promise<void> {
  await loadDefaultEmbeddingModel();
  const embedder = createDefaultEmbeddingModel();
  if (!process.argv.includes('--skip-quality')) {
    log('quality: ingesting the labelled set (cached between runs) and evaluating …');
    const result = await runQuality({ stateDir: QUALITY_DIR, log });
    console.log(formatQuality(result));
    if (!result.hybridNeverWorse.holds) process.exitCode = 1;
  }
  log('ingestion throughput …');
  await throughput(embedder);
  log('query latency …');
  await latency(embedder);
  if (!process.argv.includes('--skip-index')) {
    log('index benchmark (bench/rag/index-bench.ts) …');
    console.log('\nIndex benchmark (bench/rag/index-bench.ts):');
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(fileURLToPath(new URL('.', import.meta.url)), 'index-bench.ts'), ...(quick ? ['--quick'] : ['--sizes', SIZES.join(',')])], { stdio: 'inherit' });
    if (child.status !== 0) process.exitCode = child.status ?? 1;
  }
}

await main();
