/**
 * Builds the RagService the configuration describes (the `rag:` section): the collection store
 * (embedded under `<storage.state_dir>/rag`, or PostgreSQL), the configured embedding model, the
 * default model for answers (offline → extractive answers) and the chunker. Used by `conduit rag`
 * and by `conduit serve` (lazily, on the first /v1/rag request).
 */
import { join, resolve } from 'node:path';
import { ConduitError } from '../../core/errors.js';
import { ragConfigOf, type ConduitConfig, type RagConfig } from '../../config/schema.js';
import type { ModelRegistry } from '../../models/registry/index.js';
import { openEmbeddedCollectionStore, openPostgresCollectionStore } from '../index/index.js';
import { openPgDatabase } from '../../store/postgres/pg-database.js';
import type { CollectionStore } from '../types.js';
import { createDefaultRagEngine } from './default-engine.js';
import { RagService } from './rag-service.js';

export interface OpenRagServiceOptions {
  config: ConduitConfig;
  registry: Pick<ModelRegistry, 'resolve' | 'resolveEmbedding' | 'defaultModelName' | 'defaultEmbeddingModelName'>;
  /** Relative `rag.dir` / `storage.state_dir` resolve against it. */
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
}

export async function openRagService(options: OpenRagServiceOptions): Promise<RagService> {
  const rag = ragConfigOf(options.config);
  const embedder = options.registry.resolveEmbedding(options.registry.defaultEmbeddingModelName());
  const model = options.registry.resolve(options.registry.defaultModelName());
  const engine = createDefaultRagEngine({
    embedder,
    model,
    chunking: {
      strategy: rag.chunking.method,
      maxTokens: rag.chunking.chunk_tokens,
      overlap: rag.chunking.overlap_tokens,
      threshold: rag.chunking.semantic_threshold,
    },
  });
  const store = await openStore(rag, options);
  return new RagService({ store, engine, defaultStrategy: rag.default_strategy, defaultTopK: rag.top_k });
}

/** Where embedded collections live: `rag.dir`, else `<storage.state_dir>/rag`, against `cwd`. */
export function ragDirectory(config: ConduitConfig, cwd: string): string {
  const rag = ragConfigOf(config);
  return resolve(cwd, rag.dir ?? join(config.storage.state_dir, 'rag'));
}

async function openStore(rag: RagConfig, options: OpenRagServiceOptions): Promise<CollectionStore> {
  if (rag.storage === 'embedded') return openEmbeddedCollectionStore({ dir: ragDirectory(options.config, options.cwd) });
  const url = rag.database_url ?? options.config.storage.database_url;
  if (url === undefined) {
    throw new ConduitError('invalid_request', 'rag.storage is postgres but neither rag.database_url nor storage.database_url is set', { code: 'missing_database_url' });
  }
  return openPostgresStore(url);
}

/** Its own connection pool, closed with the store. */
async function openPostgresStore(url: string): Promise<CollectionStore> {
  const db = await openPgDatabase({ connectionString: url });
  try {
    return await openPostgresCollectionStore({ db, closeDatabase: true });
  } catch (err) {
    await db.close();
    throw err;
  }
}
