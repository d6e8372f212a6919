/**
 * Test doubles for retrieval tests: a faithful in-memory ChunkIndex (exact cosine search over the
 * stored unit vectors, BM25 keyword search, metadata filters on equality/`in`, kinds defaulting to
 * leaf chunks) and a deterministic hashing embedder (bag of stemmed words hashed into 256
 * dimensions), so texts that share words are similar and the tests need no model download.
 */
import { createHash } from 'node:crypto';
import type { EmbeddingModel, EmbeddingResult } from '../../../src/models/language-model.js';
import { contentTerms, tokenize } from '../../../src/rag/retrieval/query-terms.js';
import { toUnitVector } from '../../../src/rag/retrieval/embedding-utils.js';
import type { Chunk, ChunkIndex, IndexedChunk, KeywordQuery, MetadataFilter, SearchHit, VectorQuery } from '../../../src/rag/types.js';

export const HASH_DIMENSIONS = 256;

export function hashVector(text: string): Float32Array {
  const values = new Array<number>(HASH_DIMENSIONS).fill(0);
  for (const term of contentTerms(text)) {
    const digest = createHash('sha1').update(term).digest();
    values[digest.readUInt16BE(0) % HASH_DIMENSIONS]! += 1;
  }
  return toUnitVector(values);
}

export class HashingEmbedder implements EmbeddingModel {
  readonly provider = 'test';
  readonly modelId = 'hashing';
  readonly dimensions = HASH_DIMENSIONS;
  calls = 0;
  /** Fixed vectors for given texts (to script a vector ranking exactly). */
  readonly overrides = new Map<string, Float32Array>();

  async embed(inputs: string[]): Promise<EmbeddingResult> {
    this.calls++;
    return {
      embeddings: inputs.map((text) => [...(this.overrides.get(text) ?? hashVector(text))]),
      usage: { inputTokens: inputs.reduce((n, t) => n + tokenize(t).length, 0) },
      model: this.modelId,
      provider: this.provider,
    };
  }
}

export function indexedChunk(chunk: Chunk, embedding?: Float32Array): IndexedChunk {
  return { ...chunk, embedding: embedding ?? hashVector(chunk.text), contentHash: createHash('sha256').update(chunk.text).digest('hex') };
}

/** Leaf chunk `${doc}#${index}` with the hashing embedding of its text. */
export function leaf(documentId: string, index: number, text: string, extra: Partial<Chunk> = {}): IndexedChunk {
  return indexedChunk({ id: `${documentId}#${index}`, documentId, index, text, metadata: { documentId }, ...extra });
}

export class MemoryIndexDouble implements ChunkIndex {
  readonly collection = 'test';
  private readonly chunks = new Map<string, IndexedChunk>();
  readonly calls: { method: string; arg: unknown }[] = [];

  constructor(chunks: readonly IndexedChunk[] = []) {
    for (const c of chunks) this.chunks.set(c.id, c);
  }

  async upsert(chunks: readonly IndexedChunk[]): Promise<void> {
    for (const c of chunks) this.chunks.set(c.id, c);
  }

  async deleteDocument(documentId: string): Promise<number> {
    let n = 0;
    for (const [id, c] of this.chunks) if (c.documentId === documentId && this.chunks.delete(id)) n++;
    return n;
  }

  async documentHashes(documentId: string): Promise<Map<string, string>> {
    return new Map([...this.chunks.values()].filter((c) => c.documentId === documentId).map((c) => [c.id, c.contentHash]));
  }

  async vectorSearch(query: VectorQuery): Promise<SearchHit[]> {
    this.calls.push({ method: 'vectorSearch', arg: query });
    return this.candidates(query.kinds, query.filter)
      .map((c) => ({ chunk: strip(c), score: dotProduct(c.embedding, query.embedding) }))
      .sort((a, b) => b.score - a.score || a.chunk.id.localeCompare(b.chunk.id))
      .slice(0, query.topK);
  }

  async keywordSearch(query: KeywordQuery): Promise<SearchHit[]> {
    this.calls.push({ method: 'keywordSearch', arg: query });
    const docs = this.candidates(query.kinds, query.filter);
    const terms = contentTerms(query.text);
    const tokenised = docs.map((c) => contentTermsWithRepeats(c.text));
    const avgLength = tokenised.reduce((n, t) => n + t.length, 0) / Math.max(1, tokenised.length);
    const hits: SearchHit[] = [];
    docs.forEach((doc, i) => {
      const tokens = tokenised[i]!;
      let score = 0;
      for (const term of terms) {
        const tf = tokens.filter((t) => t === term).length;
        if (tf === 0) continue;
        const df = tokenised.filter((t) => t.includes(term)).length;
        const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
        score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * tokens.length) / avgLength));
      }
      if (score > 0) hits.push({ chunk: strip(doc), score });
    });
    return hits.sort((a, b) => b.score - a.score || a.chunk.id.localeCompare(b.chunk.id)).slice(0, query.topK);
  }

  async getChunks(ids: readonly string[]): Promise<Chunk[]> {
    return ids.map((id) => this.chunks.get(id)).filter((c): c is IndexedChunk => c !== undefined).map(strip);
  }

  async getEmbeddings(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const id of ids) {
      const c = this.chunks.get(id);
      if (c) out.set(id, c.embedding);
    }
    return out;
  }

  async stats(): Promise<{ documents: number; chunks: number }> {
    return { documents: new Set([...this.chunks.values()].map((c) => c.documentId)).size, chunks: this.chunks.size };
  }

  private candidates(kinds: VectorQuery['kinds'], filter: MetadataFilter | undefined): IndexedChunk[] {
    const wanted = kinds ?? ['chunk'];
    return [...this.chunks.values()].filter((c) => wanted.includes(c.kind ?? 'chunk') && matches(c, filter));
  }
}

function contentTermsWithRepeats(text: string): string[] {
  // BM25 needs term frequencies: map each token through the same stemming as contentTerms.
  return tokenize(text).flatMap((t) => contentTerms(t));
}

function matches(chunk: Chunk, filter: MetadataFilter | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, condition]) => {
    const value = chunk.metadata[key];
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition) && 'in' in condition) {
      return (condition.in as readonly unknown[]).includes(value);
    }
    return value === condition;
  });
}

function strip(c: IndexedChunk): Chunk {
  const { embedding: _e, contentHash: _h, ...chunk } = c;
  return chunk;
}

function dotProduct(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
