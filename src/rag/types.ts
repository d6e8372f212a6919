/**
 * The RAG layer's shared contracts. Loaders turn sources into Documents, chunkers turn Documents
 * into Chunks, the ingestion pipeline embeds chunks (cached by content hash) and writes them to a
 * ChunkIndex; retrievers read the index; answerers turn retrieved chunks into grounded answers.
 * Every concrete piece lives in its own file under src/rag/<area>/ and depends only on these types.
 */

/** Metadata values are JSON scalars (or arrays of them) so they can be filtered in SQL and in memory alike. */
export type MetadataValue = string | number | boolean | null | readonly (string | number | boolean)[];
export type Metadata = Record<string, MetadataValue>;

/** One source document as a loader produced it: text plus metadata (source path, title, type…). */
export interface RagDocument {
  /** Stable id: the caller's, or derived from the source path (never random, so re-ingesting replaces). */
  id: string;
  text: string;
  metadata: Metadata;
}

/** A piece of a document that is embedded and indexed. */
export interface Chunk {
  /** `${documentId}#${index}` for leaf chunks; parents and summaries use their own suffixes. */
  id: string;
  documentId: string;
  /** Position of the chunk in its document (0-based), for stable ordering and neighbours. */
  index: number;
  text: string;
  /** The document's metadata merged with the chunk's own (heading path, page, start/end offsets…). */
  metadata: Metadata;
  /** For parent/child chunking: the id of the larger parent chunk this chunk was cut from. */
  parentId?: string;
  /** `chunk` (default), `parent` (context returned for a matched child) or `summary` (hierarchical retrieval). */
  kind?: 'chunk' | 'parent' | 'summary';
}

/** A chunk with its embedding, as stored. */
export interface IndexedChunk extends Chunk {
  /** Unit-normalised embedding; cosine similarity = dot product. */
  embedding: Float32Array;
  /** sha256 of the text: unchanged content is never re-embedded. */
  contentHash: string;
}

/**
 * Metadata filter: every key must match. A scalar matches equality (or membership when the stored
 * value is an array); `{ in: [...] }` matches any of several values; `{ gte, lte }` ranges on numbers
 * and ISO date strings.
 */
export type MetadataFilter = Record<
  string,
  MetadataValue | { in: readonly (string | number | boolean)[] } | { gte?: number | string; lte?: number | string }
>;

export interface SearchHit {
  chunk: Chunk;
  /** Higher is better. Vector: cosine similarity; keyword: BM25 score; fused: the fusion's score. */
  score: number;
}

export interface VectorQuery {
  embedding: Float32Array;
  topK: number;
  filter?: MetadataFilter;
  /** Only leaf chunks by default; `summary` for hierarchical retrieval's first level. */
  kinds?: readonly NonNullable<Chunk['kind']>[];
}

export interface KeywordQuery {
  text: string;
  topK: number;
  filter?: MetadataFilter;
  kinds?: readonly NonNullable<Chunk['kind']>[];
}

/**
 * One collection's storage: vectors and keywords over the same chunks. Adapters: embedded
 * (in-process ANN + BM25, persisted under `.conduit/`) and PostgreSQL (pgvector + full-text).
 */
export interface ChunkIndex {
  readonly collection: string;
  /** Adds or replaces chunks by id. */
  upsert(chunks: readonly IndexedChunk[]): Promise<void>;
  /** Removes every chunk of a document; returns how many were removed. */
  deleteDocument(documentId: string): Promise<number>;
  /** The content hashes currently stored for a document (chunk id → hash), to skip unchanged work. */
  documentHashes(documentId: string): Promise<Map<string, string>>;
  vectorSearch(query: VectorQuery): Promise<SearchHit[]>;
  keywordSearch(query: KeywordQuery): Promise<SearchHit[]>;
  /** Chunks by id (parents for child matches, neighbours), in the order asked; missing ids are skipped. */
  getChunks(ids: readonly string[]): Promise<Chunk[]>;
  /** The stored embeddings of these chunks (MMR, semantic dedup); missing ids are skipped. */
  getEmbeddings(ids: readonly string[]): Promise<Map<string, Float32Array>>;
  stats(): Promise<{ documents: number; chunks: number }>;
}

/** Creates, lists and drops collections; opens their indexes. */
export interface CollectionStore {
  create(name: string, options?: { description?: string; dimensions?: number }): Promise<CollectionInfo>;
  list(): Promise<CollectionInfo[]>;
  /** Throws ConduitError('not_found', code 'unknown_collection') when it does not exist. */
  get(name: string): Promise<CollectionInfo>;
  drop(name: string): Promise<void>;
  /** Throws ConduitError('not_found', code 'unknown_collection') when it does not exist. */
  open(name: string): Promise<ChunkIndex>;
  close(): Promise<void>;
}

export interface CollectionInfo {
  name: string;
  description?: string;
  /** Embedding dimensions fixed at first ingestion (or creation). */
  dimensions?: number;
  documents: number;
  chunks: number;
  createdAt: string;
}

/** A retrieved passage handed to answerers, with its rank-level score. */
export interface RetrievedChunk extends SearchHit {
  /** Which retriever(s) found it: 'vector', 'keyword', 'hybrid', 'rerank'… */
  via: string;
}

export interface RetrievalRequest {
  query: string;
  topK: number;
  filter?: MetadataFilter;
  signal?: AbortSignal;
}

/** Anything that turns a query into ranked chunks: vector, keyword, hybrid, MMR, rerank, strategies. */
export interface Retriever {
  readonly name: string;
  retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]>;
}

/** Scores query/passage pairs (a cross-encoder or an LLM judge); higher is more relevant. */
export interface Reranker {
  readonly name: string;
  score(query: string, passages: readonly string[], signal?: AbortSignal): Promise<number[]>;
}

export interface Citation {
  /** 1-based number as it appears in the answer text, `[1]`. */
  number: number;
  chunkId: string;
  documentId: string;
}

export interface RagAnswer {
  answer: string;
  /** The chunks given to the model (or extracted from), in citation-number order. */
  sources: RetrievedChunk[];
  citations: Citation[];
  /** True when the context did not support an answer (the answer says so explicitly). */
  insufficientContext: boolean;
  /** `generated` by a model, or `extracted` (offline provider: best matching sentences, labelled as such). */
  mode: 'generated' | 'extracted';
  strategy: string;
  usage: { inputTokens: number; outputTokens: number; embeddingTokens?: number };
}
