/**
 * The embedded CollectionStore: collections in this process, either purely in memory
 * (`createMemoryCollectionStore`, for tests and throwaway work) or persisted under a directory
 * (`openEmbeddedCollectionStore`, zero set-up, survives restarts). Both use EmbeddedChunkIndex
 * for search; the persisted one adds a catalog file and one journal per collection.
 */
import { ConduitError } from '../../../core/errors.js';
import type { ChunkIndex, CollectionInfo, CollectionStore } from '../../types.js';
import { assertCollectionName, assertDimensions } from '../collection-name.js';
import { collectionExists, unknownCollection } from '../errors.js';
import { EmbeddedChunkIndex, type EmbeddedIndexOptions, type IndexJournal } from './embedded-chunk-index.js';
import { CollectionDirectory, type CatalogEntry } from './collection-directory.js';

export type MemoryCollectionStoreOptions = EmbeddedIndexOptions;

/** Where the embedded store keeps its files unless told otherwise (relative to the working directory). */
export const DEFAULT_RAG_DIR = '.conduit/rag';

export interface EmbeddedCollectionStoreOptions extends EmbeddedIndexOptions {
  /** Where collections live; created when missing. Default `.conduit/rag`. */
  dir?: string;
}

/** A CollectionStore kept entirely in memory: nothing survives the process. */
export function createMemoryCollectionStore(options: MemoryCollectionStoreOptions = {}): CollectionStore {
  return new EmbeddedCollectionStore(options, undefined);
}

/**
 * A CollectionStore persisted under `options.dir`. Collections load on first `open` (timings in
 * bench/rag/README.md). One store per directory at a time: a second one (in any process) fails
 * with `rag_store_locked` until the first is closed.
 */
export async function openEmbeddedCollectionStore(options: EmbeddedCollectionStoreOptions = {}): Promise<CollectionStore> {
  const directory = await CollectionDirectory.open(options.dir ?? DEFAULT_RAG_DIR);
  return new EmbeddedCollectionStore(options, directory);
}

export class EmbeddedCollectionStore implements CollectionStore {
  private readonly catalog = new Map<string, CatalogEntry>();
  private readonly indexes = new Map<string, EmbeddedChunkIndex>();
  private closed = false;

  constructor(
    private readonly options: EmbeddedIndexOptions,
    private readonly directory: CollectionDirectory | undefined,
  ) {
    for (const entry of directory?.entries() ?? []) this.catalog.set(entry.name, entry);
  }

  async create(name: string, options: { description?: string; dimensions?: number } = {}): Promise<CollectionInfo> {
    this.assertOpen();
    assertCollectionName(name);
    assertDimensions(options.dimensions);
    if (this.catalog.has(name)) throw collectionExists(name);
    const entry: CatalogEntry = { name, createdAt: new Date().toISOString(), documents: 0, chunks: 0 };
    if (options.description !== undefined) entry.description = options.description;
    if (options.dimensions !== undefined) entry.dimensions = options.dimensions;
    this.directory?.create(entry);
    this.catalog.set(name, entry);
    return toInfo(entry);
  }

  async list(): Promise<CollectionInfo[]> {
    this.assertOpen();
    return [...this.catalog.values()].sort((a, b) => a.name.localeCompare(b.name)).map(toInfo);
  }

  async get(name: string): Promise<CollectionInfo> {
    this.assertOpen();
    return toInfo(this.entry(name));
  }

  async drop(name: string): Promise<void> {
    this.assertOpen();
    this.entry(name);
    this.indexes.get(name)?.markDropped();
    this.indexes.delete(name);
    this.catalog.delete(name);
    this.directory?.drop(name);
  }

  async open(name: string): Promise<ChunkIndex> {
    this.assertOpen();
    const entry = this.entry(name);
    let index = this.indexes.get(name);
    if (!index) {
      index = this.directory ? this.directory.load(entry, this.options) : new EmbeddedChunkIndex(name, entry.dimensions, this.options, memoryJournal(entry));
      this.indexes.set(name, index);
    }
    return index;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.directory?.close();
    for (const index of this.indexes.values()) index.markDropped();
    this.indexes.clear();
  }

  private entry(name: string): CatalogEntry {
    const entry = typeof name === 'string' ? this.catalog.get(name) : undefined;
    if (!entry) throw unknownCollection(String(name));
    return entry;
  }

  private assertOpen(): void {
    if (this.closed) throw new ConduitError('internal', 'The RAG collection store is closed', { code: 'store_closed' });
  }
}

/** Keeps the catalog entry's counts and dimensions current for the in-memory store. */
function memoryJournal(entry: CatalogEntry): IndexJournal {
  return {
    put() {},
    deleteDocument() {},
    setDimensions(dimensions) {
      entry.dimensions = dimensions;
    },
    counted(stats) {
      entry.documents = stats.documents;
      entry.chunks = stats.chunks;
    },
    annChanged() {},
  };
}

function toInfo(entry: CatalogEntry): CollectionInfo {
  const info: CollectionInfo = { name: entry.name, documents: entry.documents, chunks: entry.chunks, createdAt: entry.createdAt };
  if (entry.description !== undefined) info.description = entry.description;
  if (entry.dimensions !== undefined) info.dimensions = entry.dimensions;
  return info;
}
