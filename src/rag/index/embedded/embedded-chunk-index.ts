/**
 * The embedded ChunkIndex: every chunk of a collection in memory, searchable by vector (exact scan
 * for small collections, a USearch HNSW graph with exact float32 re-ranking beyond
 * `annThreshold` chunks) and by keyword (BM25 over typed-array postings). Mutations go to an
 * optional journal first (embedded-journal.ts), so the persisted adapter and the pure in-memory one
 * share every line of search logic.
 *
 * Rows live in slots that are never reused: a replaced chunk gets a new slot and its old one dies.
 * That keeps the journal a replayable append-only log and lets the ANN graph, the BM25 postings and
 * the vector slab all key by the same integer.
 */
import type { Chunk, ChunkIndex, IndexedChunk, KeywordQuery, MetadataFilter, SearchHit, VectorQuery } from '../../types.js';
import { unknownCollection } from '../errors.js';
import { Bm25Index } from '../keyword/bm25-index.js';
import { matchesFilter, matchesKinds } from '../metadata-filter.js';
import { validateChunks, validateKeywordQuery, validateVectorQuery } from '../validate-input.js';
import { AnnIndex, type AnnOptions } from '../vector/ann-index.js';
import { normalized, VectorSlab } from '../vector/vector-slab.js';
import { copyChunk, stripEmbedding, type ChunkRow } from './chunk-rows.js';

export interface EmbeddedIndexOptions {
  /**
   * Live chunks from which vector search goes approximate (HNSW). Below it an exact scan is both
   * fast (≈ 2 ms per 5,000 512-d vectors) and perfectly accurate. Default 5,000.
   */
  annThreshold?: number;
  ann?: AnnOptions;
  /**
   * ANN candidates fetched per wanted result before filtering and exact re-ranking (at least 64).
   * More candidates: better recall, slower queries. Default 4.
   */
  candidateFactor?: number;
}

/** What the persisted adapter records; the memory adapter passes none. */
export interface IndexJournal {
  /** Rows written (replacing any row with the same id); vectors are unit-normalised, by slot. */
  put(rows: readonly ChunkRow[], vectors: readonly Float32Array[]): void;
  deleteDocument(documentId: string): void;
  /** Called when the collection's dimensions are first fixed. */
  setDimensions(dimensions: number): void;
  /** Counts changed (for the catalog). */
  counted(stats: { documents: number; chunks: number }): void;
  /** The ANN graph was (re)built or grew: the journal may snapshot it. */
  annChanged(ann: AnnIndex, nextSlot: number): void;
}

const MIN_CANDIDATES = 64;

export class EmbeddedChunkIndex implements ChunkIndex {
  private readonly rowsById = new Map<string, ChunkRow>();
  /** Live rows by slot (undefined: never used, replaced or deleted). */
  private readonly rowsBySlot: (ChunkRow | undefined)[] = [];
  private readonly chunkIdsByDocument = new Map<string, Set<string>>();
  private readonly bm25 = new Bm25Index();
  private vectors: VectorSlab | undefined;
  private ann: AnnIndex | undefined;
  private nextSlot = 0;
  /** Live rows per kind (undefined counts as 'chunk'): lets a search for rare kinds skip the graph. */
  private readonly kindCounts = { chunk: 0, parent: 0, summary: 0 };
  private dropped = false;
  private readonly annThreshold: number;
  private readonly candidateFactor: number;

  constructor(
    readonly collection: string,
    private dimensions: number | undefined,
    private readonly options: EmbeddedIndexOptions = {},
    private readonly journal?: IndexJournal,
  ) {
    this.annThreshold = options.annThreshold ?? 5_000;
    this.candidateFactor = options.candidateFactor ?? 4;
  }

  get dimensionCount(): number | undefined {
    return this.dimensions;
  }

  get slotCount(): number {
    return this.nextSlot;
  }

  get liveCount(): number {
    return this.rowsById.size;
  }

  /** Whether vector search currently goes through the ANN graph. */
  get usesAnn(): boolean {
    return this.ann !== undefined;
  }

  /** Marks the index unusable once its collection is dropped. */
  markDropped(): void {
    this.dropped = true;
    this.ann = undefined;
  }

  // ---- loading (embedded adapter replays its journal through these; nothing is journaled) ----

  /** Replays a stored row (its vector comes with finishLoad); returns the slot it replaced. */
  loadPut(row: ChunkRow): number | undefined {
    const killed = this.unlinkId(row.chunk.id);
    this.link(row);
    this.nextSlot = Math.max(this.nextSlot, row.slot + 1);
    return killed;
  }

  /** Replays a document deletion; returns the slots it killed. */
  loadDeleteDocument(documentId: string): number[] {
    const ids = this.chunkIdsByDocument.get(documentId);
    if (!ids) return [];
    const killed: number[] = [];
    for (const id of [...ids]) {
      const slot = this.unlinkId(id);
      if (slot !== undefined) killed.push(slot);
    }
    return killed;
  }

  /**
   * Adopts the stored vectors (slot-major, unit length), builds keyword postings for the live rows
   * and adopts a loaded ANN graph (or none: it is then built by the first search that needs it).
   */
  finishLoad(vectorsBySlot: Float32Array | undefined, ann: AnnIndex | undefined): void {
    if (vectorsBySlot !== undefined && this.dimensions !== undefined) this.vectors = new VectorSlab(this.dimensions, vectorsBySlot);
    for (const row of this.rowsById.values()) this.bm25.add(row.slot, row.chunk.text);
    this.ann = ann;
  }

  /** Live slots in slot order (for compaction and snapshots). */
  liveRows(): ChunkRow[] {
    return this.rowsBySlot.filter((r): r is ChunkRow => r !== undefined);
  }

  vectorOf(slot: number): Float32Array | undefined {
    return this.vectors?.view(slot);
  }

  // ---- ChunkIndex ----

  async upsert(chunks: readonly IndexedChunk[]): Promise<void> {
    this.assertLive();
    if (chunks.length === 0) return;
    const dims = validateChunks(this.collection, chunks, this.dimensions);
    if (this.dimensions === undefined && dims !== undefined) {
      this.dimensions = dims;
      this.journal?.setDimensions(dims);
    }
    // The last occurrence of an id in one batch wins, as if upserted one after the other.
    const latest = new Map<string, IndexedChunk>();
    for (const c of chunks) {
      latest.delete(c.id);
      latest.set(c.id, c);
    }
    const rows: ChunkRow[] = [];
    const vectors: Float32Array[] = [];
    for (const c of latest.values()) {
      rows.push({ slot: this.nextSlot + rows.length, chunk: stripEmbedding(c), contentHash: c.contentHash });
      vectors.push(normalized(c.embedding));
    }
    this.journal?.put(rows, vectors);
    const killed: number[] = [];
    for (const [i, row] of rows.entries()) {
      const old = this.unlinkId(row.chunk.id);
      if (old !== undefined) killed.push(old);
      this.link(row);
      this.slab(this.dimensions ?? 0).set(row.slot, vectors[i] ?? new Float32Array(0));
      this.bm25.add(row.slot, row.chunk.text);
    }
    this.nextSlot += rows.length;
    if (this.ann) {
      this.ann.remove(killed);
      this.ann.add(
        rows.map((r) => r.slot),
        this.slab(this.dimensions ?? 0).rows(rows[0]?.slot ?? 0, this.nextSlot),
      );
      this.journal?.annChanged(this.ann, this.nextSlot);
    }
    this.journal?.counted(await this.stats());
  }

  async deleteDocument(documentId: string): Promise<number> {
    this.assertLive();
    if (!this.chunkIdsByDocument.has(documentId)) return 0;
    this.journal?.deleteDocument(documentId);
    const killed = this.loadDeleteDocument(documentId);
    this.ann?.remove(killed);
    this.journal?.counted(await this.stats());
    return killed.length;
  }

  async documentHashes(documentId: string): Promise<Map<string, string>> {
    this.assertLive();
    const out = new Map<string, string>();
    for (const id of this.chunkIdsByDocument.get(documentId) ?? []) {
      const row = this.rowsById.get(id);
      if (row) out.set(id, row.contentHash);
    }
    return out;
  }

  async vectorSearch(query: VectorQuery): Promise<SearchHit[]> {
    this.assertLive();
    validateVectorQuery(this.collection, query, this.dimensions);
    const vectors = this.vectors;
    if (vectors === undefined || this.rowsById.size === 0) return [];
    const q = normalized(query.embedding);
    const accept = this.acceptor(query.filter, query.kinds);
    // Kinds that are a small part of the collection (summaries, parents) are found faster and
    // exactly by a scan that skips every other row before any arithmetic.
    const eligible = (query.kinds === undefined || query.kinds.length === 0 ? ['chunk' as const] : query.kinds).reduce((n, k) => n + this.kindCounts[k], 0);
    const approximate = this.rowsById.size >= this.annThreshold && eligible >= this.rowsById.size / 4;
    const hits = approximate ? this.approximateTopK(vectors, q, query.topK, accept) : vectors.exactTopK(q, query.topK, accept);
    return hits.map(({ slot, score }) => this.hit(slot, score));
  }

  /** Exact top-k regardless of size: the recall baseline (and what small collections always use). */
  async exactVectorSearch(query: VectorQuery): Promise<SearchHit[]> {
    this.assertLive();
    validateVectorQuery(this.collection, query, this.dimensions);
    if (this.vectors === undefined) return [];
    const hits = this.vectors.exactTopK(normalized(query.embedding), query.topK, this.acceptor(query.filter, query.kinds));
    return hits.map(({ slot, score }) => this.hit(slot, score));
  }

  async keywordSearch(query: KeywordQuery): Promise<SearchHit[]> {
    this.assertLive();
    validateKeywordQuery(query);
    const hits = this.bm25.search(query.text, query.topK, this.acceptor(query.filter, query.kinds));
    return hits.map(({ slot, score }) => this.hit(slot, score));
  }

  async getChunks(ids: readonly string[]): Promise<Chunk[]> {
    this.assertLive();
    const out: Chunk[] = [];
    for (const id of ids) {
      const row = this.rowsById.get(id);
      if (row) out.push(copyChunk(row.chunk));
    }
    return out;
  }

  async getEmbeddings(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    this.assertLive();
    const out = new Map<string, Float32Array>();
    for (const id of ids) {
      const row = this.rowsById.get(id);
      const vector = row && this.vectors?.view(row.slot);
      if (row && vector) out.set(id, Float32Array.from(vector));
    }
    return out;
  }

  async stats(): Promise<{ documents: number; chunks: number }> {
    this.assertLive();
    return { documents: this.chunkIdsByDocument.size, chunks: this.rowsById.size };
  }

  /** Builds the ANN graph now (otherwise it is built by the first search past the threshold). */
  buildAnn(): AnnIndex | undefined {
    if (this.ann || this.dimensions === undefined || this.vectors === undefined) return this.ann;
    const ann = new AnnIndex(this.dimensions, this.options.ann);
    const live = this.liveRows();
    // Add in bounded batches: one huge batch would need a second full copy of every vector.
    const batch = 8_192;
    for (let i = 0; i < live.length; i += batch) {
      const part = live.slice(i, i + batch);
      const matrix = new Float32Array(part.length * this.dimensions);
      for (const [j, row] of part.entries()) matrix.set(this.vectors.view(row.slot), j * this.dimensions);
      ann.add(
        part.map((r) => r.slot),
        matrix,
      );
    }
    this.ann = ann;
    this.journal?.annChanged(ann, this.nextSlot);
    return ann;
  }

  // ---- internals ----

  /**
   * ANN candidates, filtered, then re-ranked exactly. A selective filter can leave too few
   * candidates: the candidate pool is widened (×4) until topK pass, and past a quarter of the
   * collection an exact scan (which checks the filter before any arithmetic) is cheaper anyway.
   */
  private approximateTopK(vectors: VectorSlab, q: Float32Array, topK: number, accept: (slot: number) => boolean): { slot: number; score: number }[] {
    const ann = this.buildAnn();
    if (!ann) return vectors.exactTopK(q, topK, accept);
    const live = this.rowsById.size;
    let want = Math.max(MIN_CANDIDATES, topK * this.candidateFactor);
    for (;;) {
      if (want > live / 4) return vectors.exactTopK(q, topK, accept);
      const scored: { slot: number; score: number }[] = [];
      for (const slot of ann.search(q, want)) {
        if (this.rowsBySlot[slot] !== undefined && accept(slot)) scored.push({ slot, score: vectors.dot(slot, q) });
      }
      if (scored.length >= topK || want >= ann.size) {
        return scored.sort((a, b) => b.score - a.score || a.slot - b.slot).slice(0, topK);
      }
      want *= 4;
    }
  }

  private acceptor(filter: MetadataFilter | undefined, kinds: VectorQuery['kinds']): (slot: number) => boolean {
    return (slot) => {
      const row = this.rowsBySlot[slot];
      return row !== undefined && matchesKinds(row.chunk.kind, kinds) && matchesFilter(row.chunk.metadata, filter);
    };
  }

  private hit(slot: number, score: number): SearchHit {
    const row = this.rowsBySlot[slot];
    if (!row) throw new Error(`slot ${slot} has no row`);
    return { chunk: copyChunk(row.chunk), score };
  }

  private slab(dimensions: number): VectorSlab {
    this.vectors ??= new VectorSlab(dimensions);
    if (this.dimensions === undefined) this.dimensions = dimensions;
    return this.vectors;
  }

  private link(row: ChunkRow): void {
    this.kindCounts[row.chunk.kind ?? 'chunk']++;
    this.rowsById.set(row.chunk.id, row);
    this.rowsBySlot[row.slot] = row;
    let ids = this.chunkIdsByDocument.get(row.chunk.documentId);
    if (!ids) {
      ids = new Set();
      this.chunkIdsByDocument.set(row.chunk.documentId, ids);
    }
    ids.add(row.chunk.id);
  }

  /** Removes a row by chunk id from every structure except the ANN graph; returns its slot. */
  private unlinkId(id: string): number | undefined {
    const row = this.rowsById.get(id);
    if (!row) return undefined;
    this.rowsById.delete(id);
    this.kindCounts[row.chunk.kind ?? 'chunk']--;
    this.rowsBySlot[row.slot] = undefined;
    this.bm25.remove(row.slot, row.chunk.text);
    const ids = this.chunkIdsByDocument.get(row.chunk.documentId);
    ids?.delete(id);
    if (ids?.size === 0) this.chunkIdsByDocument.delete(row.chunk.documentId);
    return row.slot;
  }

  private assertLive(): void {
    if (this.dropped) throw unknownCollection(this.collection);
  }
}
