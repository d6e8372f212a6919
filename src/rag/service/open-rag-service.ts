/**
 * Builds the RagService the configuration describes (the `rag:` section): the collection store
 * (embedded under `<storage.state_dir>/rag`, or PostgreSQL), the configured embedding model, the
 * default model for answers (offline → extractive answers) and the chunker, and the adaptive
 * strategy's feedback log stored beside the collections (`<dir>/feedback.jsonl` for the embedded
 * store, the `rag_feedback` table for PostgreSQL) so scores outlive the process. Used by
 * `conduit rag` and by `conduit serve` (lazily, on the first /v1/rag request).
 */
import type { Tracer } from '../../observability/tracing/tracer.js';
import { join, resolve } from 'node:path';
import { ConduitError } from '../../core/errors.js';
import { ragConfigOf, type ConduitConfig, type RagConfig } from '../../config/schema.js';
import type { ModelRegistry } from '../../models/registry/index.js';
import { openEmbeddedCollectionStore, openPostgresCollectionStore } from '../index/index.js';
import { openPgDatabase } from '../../store/postgres/pg-database.js';
import { FEEDBACK_FILE_NAME, openJsonlFeedbackLog, openSqlFeedbackLog, type FeedbackLog } from '../strategies/index.js';
import type { CollectionStore } from '../types.js';
import { createDefaultRagEngine } from './default-engine.js';
import { RagService } from './rag-service.js';

export interface OpenRagServiceOptions {
  config: ConduitConfig;
  registry: Pick<ModelRegistry, 'resolve' | 'resolveEmbedding' | 'defaultModelName' | 'defaultEmbeddingModelName'>;
  /** Relative `rag.dir` / `storage.state_dir` resolve against it. */
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** With tracing on (`conduit serve`): retrievals and answers become spans. */
  tracer?: Tracer;
}

export async function openRagService(options: OpenRagServiceOptions): Promise<RagService> {
  const rag = ragConfigOf(options.config);
  const embedder = options.registry.resolveEmbedding(options.registry.defaultEmbeddingModelName());
  const model = options.registry.resolve(options.registry.defaultModelName());
  const { store, feedback } = await openStore(rag, options);
  const engine = createDefaultRagEngine({
    embedder,
    model,
    ...(options.tracer === undefined ? {} : { tracer: options.tracer }),
    feedback,
    summaries: rag.chunking.summaries,
    chunking: {
      strategy: rag.chunking.method,
      maxTokens: rag.chunking.chunk_tokens,
      overlap: rag.chunking.overlap_tokens,
      threshold: rag.chunking.semantic_threshold,
    },
  });
  return new RagService({ store, engine, defaultStrategy: rag.default_strategy, defaultTopK: rag.top_k });
}

/** Where embedded collections live: `rag.dir`, else `<storage.state_dir>/rag`, against `cwd`. */
export function ragDirectory(config: ConduitConfig, cwd: string): string {
  const rag = ragConfigOf(config);
  return resolve(cwd, rag.dir ?? join(config.storage.state_dir, 'rag'));
}

async function openStore(rag: RagConfig, options: OpenRagServiceOptions): Promise<{ store: CollectionStore; feedback: FeedbackLog }> {
  if (rag.storage === 'embedded') {
    const dir = ragDirectory(options.config, options.cwd);
    const store = await openEmbeddedCollectionStore({ dir });
    try {
      return { store, feedback: await openJsonlFeedbackLog({ path: join(dir, FEEDBACK_FILE_NAME) }) };
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const url = rag.database_url ?? options.config.storage.database_url;
  if (url === undefined) {
    throw new ConduitError('invalid_request', 'rag.storage is postgres but neither rag.database_url nor storage.database_url is set', { code: 'missing_database_url' });
  }
  return openPostgresStore(url);
}

/** Its own connection pool, shared by the feedback log and closed with the store. */
async function openPostgresStore(url: string): Promise<{ store: CollectionStore; feedback: FeedbackLog }> {
  const db = await openPgDatabase({ connectionString: url });
  try {
    const feedback = await openSqlFeedbackLog({ db });
    return { store: await openPostgresCollectionStore({ db, closeDatabase: true }), feedback };
  } catch (err) {
    await db.close();
    throw err;
  }
}
