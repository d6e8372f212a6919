/**
 * The RAG service: one object that owns a collection store and an engine (embedder, strategies,
 * answer model), and exposes what the HTTP API and the CLI both need — create/list collections,
 * ingest documents, delete a document, retrieve and query. Every input is validated BEFORE anything
 * is written: an unknown collection, an empty document, a duplicate id or an unknown strategy is a
 * typed 4xx error and the store is left exactly as it was.
 */
import { ConduitError } from '../../core/errors.js';
import { assertCollectionName } from '../index/collection-name.js';
import { scoredStrategy, type FeedbackEntry } from '../strategies/index.js';
import type { CollectionInfo, CollectionStore, MetadataFilter, RagAnswer, RagDocument, RetrievedChunk } from '../types.js';
import type { EngineIngestSummary, EngineProgress, RagEngine } from './rag-engine.js';

export const DEFAULT_RAG_TOP_K = 5;
export const MAX_RAG_TOP_K = 100;

export interface RagServiceOptions {
  store: CollectionStore;
  engine: RagEngine;
  /** Strategy used when a query names none (default: the engine's first). */
  defaultStrategy?: string;
  /** top_k when a query gives none (default 5). */
  defaultTopK?: number;
}

export interface QueryInput {
  collection: string;
  query: string;
  strategy?: string;
  topK?: number;
  filter?: MetadataFilter;
  signal?: AbortSignal;
}

export interface FeedbackInput {
  query: string;
  /** The strategy that answered (`adaptive:<s>` as an adaptive answer reports it scores `<s>`). */
  strategy: string;
  /** In [0, 1]. */
  score: number;
  comment?: string;
}

export interface IngestInput {
  collection: string;
  documents: readonly RagDocument[];
  onProgress?: (progress: EngineProgress) => void;
  signal?: AbortSignal;
}

export class RagService {
  readonly store: CollectionStore;
  readonly engine: RagEngine;
  readonly defaultStrategy: string;
  readonly defaultTopK: number;

  constructor(options: RagServiceOptions) {
    this.store = options.store;
    this.engine = options.engine;
    const fallback = options.engine.strategies[0];
    if (fallback === undefined) throw new ConduitError('internal', 'The RAG engine offers no retrieval strategy', { code: 'no_strategies' });
    this.defaultStrategy = options.defaultStrategy ?? fallback;
    this.assertStrategy(this.defaultStrategy);
    this.defaultTopK = options.defaultTopK ?? DEFAULT_RAG_TOP_K;
  }

  get strategies(): readonly string[] {
    return this.engine.strategies;
  }

  async createCollection(name: string, options: { description?: string } = {}): Promise<CollectionInfo> {
    assertCollectionName(name);
    const existing = await this.findCollection(name);
    if (existing !== undefined) {
      throw alreadyExists(name);
    }
    try {
      return await this.store.create(name, options.description === undefined ? {} : { description: options.description });
    } catch (err) {
      // Lost a race with a concurrent create: the same answer as the check above.
      if (err instanceof ConduitError && err.code === 'collection_exists') throw alreadyExists(name);
      throw err;
    }
  }

  /** The collection, created on first use (the CLI's `ingest --collection new-name`). */
  async ensureCollection(name: string): Promise<CollectionInfo> {
    assertCollectionName(name);
    return (await this.findCollection(name)) ?? this.store.create(name);
  }

  listCollections(): Promise<CollectionInfo[]> {
    return this.store.list();
  }

  /** Throws ConduitError('not_found', code 'unknown_collection'). */
  getCollection(name: string): Promise<CollectionInfo> {
    return this.store.get(name);
  }

  async ingest(input: IngestInput): Promise<EngineIngestSummary> {
    validateDocuments(input.documents);
    // Opening first makes an unknown collection a 404 before any embedding work.
    const index = await this.store.open(input.collection);
    return this.engine.ingest(index, input.documents, {
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
  }

  /** Removes a document's chunks; ConduitError('not_found', code 'unknown_document') when it has none. */
  async deleteDocument(collection: string, documentId: string): Promise<{ id: string; chunks: number }> {
    const index = await this.store.open(collection);
    const removed = await index.deleteDocument(documentId);
    if (removed === 0) {
      throw new ConduitError('not_found', `Collection '${collection}' has no document '${documentId}'`, { code: 'unknown_document', param: 'document_id' });
    }
    return { id: documentId, chunks: removed };
  }

  async retrieve(input: QueryInput): Promise<RetrievedChunk[]> {
    const { index, query } = await this.prepareQuery(input);
    return this.engine.retrieve(index, query);
  }

  async query(input: QueryInput): Promise<RagAnswer> {
    const { index, query } = await this.prepareQuery(input);
    return this.engine.answer(index, query);
  }

  /** Records how well a strategy answered a query; `adaptive` prefers what scores better. */
  async recordFeedback(input: FeedbackInput): Promise<FeedbackEntry> {
    if (input.query.trim() === '') throw new ConduitError('invalid_request', 'The query is empty', { code: 'empty_query', param: 'query' });
    const strategy = scoredStrategy(input.strategy);
    if (strategy === 'adaptive') {
      throw new ConduitError('invalid_request', "Score the strategy adaptive chose ('adaptive:<strategy>' as the answer reports it), not 'adaptive' itself", {
        code: 'unknown_strategy',
        param: 'strategy',
      });
    }
    this.assertStrategy(strategy);
    if (!(input.score >= 0 && input.score <= 1)) {
      throw new ConduitError('invalid_request', `score must be from 0 to 1, got ${input.score}`, { code: 'invalid_feedback', param: 'score' });
    }
    if (this.engine.recordFeedback === undefined) {
      throw new ConduitError('invalid_request', 'This RAG engine does not learn from feedback', { code: 'feedback_unsupported' });
    }
    return this.engine.recordFeedback({ query: input.query, strategy, score: input.score, ...(input.comment !== undefined ? { comment: input.comment } : {}) });
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private async prepareQuery(input: QueryInput) {
    if (input.query.trim() === '') throw new ConduitError('invalid_request', 'The query is empty', { code: 'empty_query', param: 'query' });
    const strategy = input.strategy ?? this.defaultStrategy;
    this.assertStrategy(strategy);
    const topK = input.topK ?? this.defaultTopK;
    if (!Number.isInteger(topK) || topK < 1 || topK > MAX_RAG_TOP_K) {
      throw new ConduitError('invalid_request', `top_k must be an integer from 1 to ${MAX_RAG_TOP_K}, got ${topK}`, { code: 'invalid_top_k', param: 'top_k' });
    }
    const index = await this.store.open(input.collection);
    return {
      index,
      query: { query: input.query, strategy, topK, ...(input.filter ? { filter: input.filter } : {}), ...(input.signal ? { signal: input.signal } : {}) },
    };
  }

  private assertStrategy(strategy: string): void {
    if (!this.engine.strategies.includes(strategy)) {
      throw new ConduitError('invalid_request', `Unknown retrieval strategy '${strategy}' (available: ${this.engine.strategies.join(', ')})`, {
        code: 'unknown_strategy',
        param: 'strategy',
      });
    }
  }

  private async findCollection(name: string): Promise<CollectionInfo | undefined> {
    try {
      return await this.store.get(name);
    } catch (err) {
      if (err instanceof ConduitError && err.code === 'unknown_collection') return undefined;
      throw err;
    }
  }
}

/** 409: the name is taken (the store's own error is a 400). */
function alreadyExists(name: string): ConduitError {
  return new ConduitError('invalid_request', `Collection '${name}' already exists`, { status: 409, code: 'collection_exists', param: 'name' });
}

/** Empty texts and ids given twice are refused up front, so a bad batch writes nothing. */
function validateDocuments(documents: readonly RagDocument[]): void {
  if (documents.length === 0) throw new ConduitError('invalid_request', 'No documents to ingest', { code: 'no_documents', param: 'documents' });
  const seen = new Set<string>();
  documents.forEach((doc, i) => {
    if (doc.id.trim() === '') throw new ConduitError('invalid_request', `Document ${i} has an empty id`, { code: 'invalid_document_id', param: `documents[${i}].id` });
    if (doc.text.trim() === '') {
      throw new ConduitError('invalid_request', `Document '${doc.id}' is empty: there is no text to ingest`, { code: 'empty_document', param: `documents[${i}].text` });
    }
    if (seen.has(doc.id)) throw new ConduitError('invalid_request', `Document id '${doc.id}' appears more than once`, { code: 'duplicate_document_id', param: `documents[${i}].id` });
    seen.add(doc.id);
  });
}
