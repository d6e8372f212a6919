/**
 * The PostgreSQL CollectionStore: collections in `rag_collections`, chunks in `rag_chunks`
 * (migrations.ts), searched through PostgresChunkIndex. Needs the pgvector extension (created by
 * the migration when the role may; otherwise ask the DBA for `CREATE EXTENSION vector`).
 */
import { ConduitError } from '../../../core/errors.js';
import { runMigrations } from '../../../store/migrations.js';
import type { SqlDatabase } from '../../../store/sql.js';
import type { ChunkIndex, CollectionInfo, CollectionStore } from '../../types.js';
import { assertCollectionName, assertDimensions } from '../collection-name.js';
import { collectionExists, unknownCollection } from '../errors.js';
import { RAG_INDEX_MIGRATIONS } from './migrations.js';
import { fixDimensions, hnswIndexName, PostgresChunkIndex, type PostgresIndexFeatures } from './postgres-chunk-index.js';

export interface PostgresCollectionStoreOptions {
  /** A PostgreSQL database (`openPgDatabase`) or anything speaking its SQL with pgvector loaded. */
  db: SqlDatabase;
  /** Close `db` when the store closes. Default false: the caller owns the connection. */
  closeDatabase?: boolean;
  /**
   * Approximate cap on the parameter bytes of one INSERT (rows are batched under it, and at most
   * 500 rows per statement). Default 4 MiB: large enough to amortise round trips, small enough to
   * stay far from server and proxy message limits.
   */
  maxStatementBytes?: number;
}

interface CollectionRowSql {
  name: string;
  description: string | null;
  dimensions: number | null;
  created_at: Date | string;
  documents: string | number;
  chunks: string | number;
}

const INFO_SQL = `SELECT c.name, c.description, c.dimensions, c.created_at,
    (SELECT count(DISTINCT document_id) FROM rag_chunks k WHERE k.collection = c.name) AS documents,
    (SELECT count(*) FROM rag_chunks k WHERE k.collection = c.name) AS chunks
  FROM rag_collections c`;

export async function openPostgresCollectionStore(options: PostgresCollectionStoreOptions): Promise<CollectionStore> {
  try {
    await runMigrations(options.db, RAG_INDEX_MIGRATIONS);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/extension "vector"|vector\.control/i.test(message)) {
      throw new ConduitError('internal', 'The PostgreSQL RAG index needs the pgvector extension (CREATE EXTENSION vector), which this server does not have', {
        cause: err,
        code: 'pgvector_missing',
      });
    }
    throw err;
  }
  const version = await options.db.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
  const [major = 0, minor = 0] = (version.rows[0]?.extversion ?? '0.0').split('.').map(Number);
  return new PostgresCollectionStore(options, { iterativeScan: major > 0 || minor >= 8, maxStatementBytes: options.maxStatementBytes ?? 4 * 1024 * 1024 });
}

class PostgresCollectionStore implements CollectionStore {
  constructor(
    private readonly options: PostgresCollectionStoreOptions,
    private readonly features: PostgresIndexFeatures,
  ) {}

  private get db(): SqlDatabase {
    return this.options.db;
  }

  async create(name: string, options: { description?: string; dimensions?: number } = {}): Promise<CollectionInfo> {
    assertCollectionName(name);
    assertDimensions(options.dimensions);
    await this.db.transaction(async (tx) => {
      const res = await tx.query('INSERT INTO rag_collections (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, options.description ?? null]);
      if (res.rowCount === 0) throw collectionExists(name);
      if (options.dimensions !== undefined) await fixDimensions(tx, name, options.dimensions);
    });
    return this.get(name);
  }

  async list(): Promise<CollectionInfo[]> {
    const res = await this.db.query<CollectionRowSql>(`${INFO_SQL} ORDER BY c.name`);
    return res.rows.map(toInfo);
  }

  async get(name: string): Promise<CollectionInfo> {
    const res = await this.db.query<CollectionRowSql>(`${INFO_SQL} WHERE c.name = $1`, [name]);
    const row = res.rows[0];
    if (!row) throw unknownCollection(name);
    return toInfo(row);
  }

  async drop(name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const res = await tx.query('DELETE FROM rag_collections WHERE name = $1', [name]);
      if (res.rowCount === 0) throw unknownCollection(name);
      await tx.query(`DROP INDEX IF EXISTS ${hnswIndexName(name)}`);
    });
  }

  async open(name: string): Promise<ChunkIndex> {
    // An existence check only: counting a large collection's chunks is not needed to open it.
    const res = await this.db.query('SELECT 1 FROM rag_collections WHERE name = $1', [name]);
    if (res.rows.length === 0) throw unknownCollection(name);
    return new PostgresChunkIndex(this.db, name, this.features);
  }

  async close(): Promise<void> {
    if (this.options.closeDatabase) await this.db.close();
  }
}

function toInfo(r: CollectionRowSql): CollectionInfo {
  const info: CollectionInfo = {
    name: r.name,
    documents: Number(r.documents),
    chunks: Number(r.chunks),
    createdAt: r.created_at instanceof Date ? r.created_at.toISOString() : new Date(r.created_at).toISOString(),
  };
  if (r.description !== null) info.description = r.description;
  if (r.dimensions !== null) info.dimensions = r.dimensions;
  return info;
}
