/**
 * Schema of the PostgreSQL RAG index. One table holds every collection's chunks; each collection
 * gets its own partial HNSW index over `embedding::vector(<dims>)` (created when its dimensions are
 * fixed), because pgvector indexes need a fixed dimension and collections may differ.
 *
 * Keyword search stores a tsvector built from Conduit's own tokeniser (not `to_tsvector`), so the
 * embedded and PostgreSQL adapters index exactly the same terms (`fs.readfile`, `max-old-space-size`,
 * their parts, camelCase pieces) and BM25 ranks identically on both.
 */
import type { Migration } from '../../../store/migrations.js';

export const RAG_INDEX_MIGRATIONS: readonly Migration[] = [
  {
    id: 'rag/0001_chunk_index',
    sql: `
      CREATE EXTENSION IF NOT EXISTS vector;
      CREATE TABLE IF NOT EXISTS rag_collections (
        name text PRIMARY KEY,
        description text,
        dimensions integer,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS rag_chunks (
        collection text NOT NULL REFERENCES rag_collections (name) ON DELETE CASCADE,
        id text NOT NULL,
        document_id text NOT NULL,
        idx integer NOT NULL,
        text text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        parent_id text,
        kind text,
        content_hash text NOT NULL,
        embedding vector NOT NULL,
        tsv tsvector NOT NULL,
        token_count integer NOT NULL,
        PRIMARY KEY (collection, id)
      );
      CREATE INDEX IF NOT EXISTS rag_chunks_document ON rag_chunks (collection, document_id);
      CREATE INDEX IF NOT EXISTS rag_chunks_tsv ON rag_chunks USING gin (tsv);
      CREATE INDEX IF NOT EXISTS rag_chunks_metadata ON rag_chunks USING gin (metadata jsonb_path_ops)
    `,
  },
];
