/**
 * ChunkIndex over the SqlDatabase port on PostgreSQL with pgvector. Vector search orders by the
 * cosine distance on `embedding::vector(<dims>)` under `collection = '<name>'`, which is exactly the
 * expression and predicate of the collection's partial HNSW index, so the planner can use it;
 * pgvector ≥ 0.8's iterative scan keeps filtered queries from coming back short. Keyword search is
 * BM25 computed in SQL from the tsvector positions (term frequency), `token_count` (length) and
 * per-term document frequencies from the GIN index — the same formula as the embedded adapter.
 */
import type { SqlDatabase, SqlExecutor } from '../../../store/sql.js';
import type { Chunk, ChunkIndex, IndexedChunk, KeywordQuery, Metadata, SearchHit, VectorQuery } from '../../types.js';
import { dimensionMismatch, unknownCollection } from '../errors.js';
import { validateChunks, validateKeywordQuery, validateVectorQuery } from '../validate-input.js';
import { normalized } from '../vector/vector-slab.js';
import { filterSql, kindsSql, SqlParams } from './filter-sql.js';
import { termQuery, tsqueryOf, tsvectorOf } from './tsvector.js';

const K1 = 1.2;
const B = 0.75;
/** Rows per INSERT at most; batches are also cut by size (PostgresIndexFeatures.maxStatementBytes). */
const UPSERT_BATCH = 500;

interface ChunkRowSql {
  id: string;
  document_id: string;
  idx: number;
  text: string;
  metadata: Metadata;
  parent_id: string | null;
  kind: Chunk['kind'] | null;
  score?: number | string;
}

const CHUNK_COLUMNS = 'id, document_id, idx, text, metadata, parent_id, kind';

export interface PostgresIndexFeatures {
  /** pgvector ≥ 0.8: `hnsw.iterative_scan` exists. */
  iterativeScan: boolean;
  /** Approximate cap on one INSERT's parameter bytes (see PostgresCollectionStoreOptions). */
  maxStatementBytes: number;
}

export class PostgresChunkIndex implements ChunkIndex {
  constructor(
    private readonly db: SqlDatabase,
    readonly collection: string,
    private readonly features: PostgresIndexFeatures,
  ) {}

  async upsert(chunks: readonly IndexedChunk[]): Promise<void> {
    if (chunks.length === 0) {
      await this.dimensions();
      return;
    }
    const latest = new Map<string, IndexedChunk>();
    for (const c of chunks) {
      latest.delete(c.id);
      latest.set(c.id, c);
    }
    const rows = [...latest.values()];
    await this.db.transaction(async (tx) => {
      const current = await this.lockDimensions(tx);
      const dims = validateChunks(this.collection, rows, current);
      if (current === undefined && dims !== undefined) await fixDimensions(tx, this.collection, dims);
      for (const batch of batches(rows, this.features.maxStatementBytes)) await this.insertBatch(tx, batch);
    });
  }

  async deleteDocument(documentId: string): Promise<number> {
    const res = await this.db.query('DELETE FROM rag_chunks WHERE collection = $1 AND document_id = $2', [this.collection, documentId]);
    if (res.rowCount === 0) await this.dimensions();
    return res.rowCount;
  }

  async documentHashes(documentId: string): Promise<Map<string, string>> {
    const res = await this.db.query<{ id: string; content_hash: string }>(
      'SELECT id, content_hash FROM rag_chunks WHERE collection = $1 AND document_id = $2 ORDER BY idx, id',
      [this.collection, documentId],
    );
    if (res.rows.length === 0) await this.dimensions();
    return new Map(res.rows.map((r) => [r.id, r.content_hash]));
  }

  async vectorSearch(query: VectorQuery): Promise<SearchHit[]> {
    const dims = await this.dimensions();
    validateVectorQuery(this.collection, query, dims);
    if (dims === undefined) return [];
    const params = new SqlParams([vectorLiteral(normalized(query.embedding)), query.topK]);
    const where = `collection = ${quoteCollection(this.collection)} AND ${kindsSql(query.kinds, params)} AND ${filterSql(query.filter, params)}`;
    // The ORDER BY expression and the collection predicate match the partial HNSW index.
    const sql = `SELECT ${CHUNK_COLUMNS}, 1 - (embedding::vector(${dims}) <=> $1::vector(${dims})) AS score
      FROM rag_chunks WHERE ${where}
      ORDER BY embedding::vector(${dims}) <=> $1::vector(${dims}), id LIMIT $2`;
    const rows = await this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL hnsw.ef_search = ${Math.min(1_000, Math.max(100, query.topK * 2))}`);
      if (this.features.iterativeScan) await tx.query("SET LOCAL hnsw.iterative_scan = 'strict_order'");
      return (await tx.query<ChunkRowSql>(sql, params.values)).rows;
    });
    return rows.map(toHit);
  }

  async keywordSearch(query: KeywordQuery): Promise<SearchHit[]> {
    validateKeywordQuery(query);
    const q = tsqueryOf(query.text);
    if (q === undefined) {
      await this.dimensions();
      return [];
    }
    const params = new SqlParams([this.collection, q.literal, query.topK, q.terms, q.terms.map(termQuery)]);
    const where = `c.collection = $1 AND c.tsv @@ $2::tsquery AND ${kindsSql(query.kinds, params, 'c.kind')} AND ${filterSql(query.filter, params, 'c.metadata')}`;
    const sql = `
      WITH corpus AS (
        SELECT count(*)::float8 AS n, coalesce(avg(token_count), 0)::float8 AS avgdl FROM rag_chunks WHERE collection = $1
      ), terms AS (
        SELECT t.term, (SELECT count(*) FROM rag_chunks d WHERE d.collection = $1 AND d.tsv @@ t.tq::tsquery)::float8 AS df
        FROM unnest($4::text[], $5::text[]) AS t(term, tq)
      ), matched AS (
        SELECT ${CHUNK_COLUMNS.split(', ').map((col) => `c.${col}`).join(', ')}, c.tsv, c.token_count FROM rag_chunks c WHERE ${where}
      )
      SELECT m.id, m.document_id, m.idx, m.text, m.metadata, m.parent_id, m.kind,
        sum(ln(1 + (corpus.n - terms.df + 0.5) / (terms.df + 0.5))
            * (cardinality(u.positions) * ${K1 + 1})
            / (cardinality(u.positions) + ${K1} * (1 - ${B} + ${B} * m.token_count / greatest(corpus.avgdl, 1e-9)))) AS score
      FROM matched m
      CROSS JOIN corpus
      CROSS JOIN LATERAL unnest(m.tsv) AS u(lexeme, positions, weights)
      JOIN terms ON terms.term = u.lexeme
      GROUP BY m.id, m.document_id, m.idx, m.text, m.metadata, m.parent_id, m.kind
      ORDER BY score DESC, m.id
      LIMIT $3`;
    const res = await this.db.query<ChunkRowSql>(sql, params.values);
    if (res.rows.length === 0) await this.dimensions();
    return res.rows.map(toHit);
  }

  async getChunks(ids: readonly string[]): Promise<Chunk[]> {
    if (ids.length === 0) return [];
    const res = await this.db.query<ChunkRowSql>(`SELECT ${CHUNK_COLUMNS} FROM rag_chunks WHERE collection = $1 AND id = ANY($2::text[])`, [this.collection, [...ids]]);
    if (res.rows.length === 0) await this.dimensions();
    const byId = new Map(res.rows.map((r) => [r.id, toChunk(r)]));
    return ids.flatMap((id) => {
      const c = byId.get(id);
      return c ? [c] : [];
    });
  }

  async getEmbeddings(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    if (ids.length === 0) return new Map();
    const res = await this.db.query<{ id: string; embedding: string }>(
      'SELECT id, embedding::text AS embedding FROM rag_chunks WHERE collection = $1 AND id = ANY($2::text[])',
      [this.collection, [...ids]],
    );
    if (res.rows.length === 0) await this.dimensions();
    const byId = new Map(res.rows.map((r) => [r.id, Float32Array.from(JSON.parse(r.embedding) as number[])]));
    const out = new Map<string, Float32Array>();
    for (const id of ids) {
      const e = byId.get(id);
      if (e) out.set(id, e);
    }
    return out;
  }

  async stats(): Promise<{ documents: number; chunks: number }> {
    const res = await this.db.query<{ documents: string; chunks: string }>(
      `SELECT (SELECT count(DISTINCT document_id) FROM rag_chunks WHERE collection = $1) AS documents,
              (SELECT count(*) FROM rag_chunks WHERE collection = $1) AS chunks
       FROM rag_collections WHERE name = $1`,
      [this.collection],
    );
    const row = res.rows[0];
    if (!row) throw unknownCollection(this.collection);
    return { documents: Number(row.documents), chunks: Number(row.chunks) };
  }

  /** The collection's dimensions (undefined until fixed); throws unknown_collection when dropped. */
  private async dimensions(): Promise<number | undefined> {
    const res = await this.db.query<{ dimensions: number | null }>('SELECT dimensions FROM rag_collections WHERE name = $1', [this.collection]);
    const row = res.rows[0];
    if (!row) throw unknownCollection(this.collection);
    return row.dimensions ?? undefined;
  }

  private async lockDimensions(tx: SqlExecutor): Promise<number | undefined> {
    const res = await tx.query<{ dimensions: number | null }>('SELECT dimensions FROM rag_collections WHERE name = $1 FOR UPDATE', [this.collection]);
    const row = res.rows[0];
    if (!row) throw unknownCollection(this.collection);
    return row.dimensions ?? undefined;
  }

  private async insertBatch(tx: SqlExecutor, rows: readonly IndexedChunk[]): Promise<void> {
    const ts = rows.map((c) => tsvectorOf(c.text));
    await tx.query(
      `INSERT INTO rag_chunks (collection, id, document_id, idx, text, metadata, parent_id, kind, content_hash, embedding, tsv, token_count)
       SELECT $1, u.id, u.document_id, u.idx, u.text, u.metadata::jsonb, u.parent_id, u.kind, u.content_hash, u.embedding::vector, u.tsv::tsvector, u.token_count
       FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int[])
         AS u(id, document_id, idx, text, metadata, parent_id, kind, content_hash, embedding, tsv, token_count)
       ON CONFLICT (collection, id) DO UPDATE SET
         document_id = excluded.document_id, idx = excluded.idx, text = excluded.text, metadata = excluded.metadata,
         parent_id = excluded.parent_id, kind = excluded.kind, content_hash = excluded.content_hash,
         embedding = excluded.embedding, tsv = excluded.tsv, token_count = excluded.token_count`,
      [
        this.collection,
        rows.map((c) => c.id),
        rows.map((c) => c.documentId),
        rows.map((c) => c.index),
        rows.map((c) => c.text),
        rows.map((c) => JSON.stringify(c.metadata)),
        rows.map((c) => c.parentId ?? null),
        rows.map((c) => c.kind ?? null),
        rows.map((c) => c.contentHash),
        rows.map((c) => vectorLiteral(normalized(c.embedding))),
        ts.map((t) => t.literal),
        ts.map((t) => t.tokenCount),
      ],
    );
  }
}

/** Splits rows into INSERT batches of at most UPSERT_BATCH rows and about `maxBytes` of parameters. */
function batches(rows: readonly IndexedChunk[], maxBytes: number): IndexedChunk[][] {
  const out: IndexedChunk[][] = [];
  let current: IndexedChunk[] = [];
  let bytes = 0;
  for (const row of rows) {
    // Text twice (text and tsvector), JSON metadata, ~12 characters per vector component.
    const size = 2 * row.text.length + JSON.stringify(row.metadata).length + 12 * row.embedding.length + 256;
    if (current.length > 0 && (current.length >= UPSERT_BATCH || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Records a collection's dimensions and creates its HNSW index (cosine). */
export async function fixDimensions(tx: SqlExecutor, collection: string, dims: number): Promise<void> {
  const res = await tx.query<{ dimensions: number | null }>('UPDATE rag_collections SET dimensions = $2 WHERE name = $1 AND dimensions IS NULL RETURNING dimensions', [collection, dims]);
  if (res.rows.length === 0) {
    const existing = await tx.query<{ dimensions: number | null }>('SELECT dimensions FROM rag_collections WHERE name = $1', [collection]);
    const d = existing.rows[0]?.dimensions;
    if (d !== undefined && d !== null && d !== dims) throw dimensionMismatch(collection, d, dims);
    return;
  }
  await tx.query(
    `CREATE INDEX IF NOT EXISTS ${hnswIndexName(collection)} ON rag_chunks USING hnsw ((embedding::vector(${dims})) vector_cosine_ops) WHERE collection = ${quoteCollection(collection)}`,
  );
}

/** Collection names are validated to [A-Za-z0-9_-] (collection-name.ts), so quoting is enough. */
export function quoteCollection(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

/** A stable identifier within PostgreSQL's 63-byte limit for any valid collection name. */
export function hnswIndexName(collection: string): string {
  // The hash comes first so truncation never drops what makes the name unique.
  return `rag_hnsw_${fnv1a(collection)}_${collection.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function vectorLiteral(v: Float32Array): string {
  return `[${Array.from(v).join(',')}]`;
}

function toChunk(r: ChunkRowSql): Chunk {
  const chunk: Chunk = { id: r.id, documentId: r.document_id, index: r.idx, text: r.text, metadata: r.metadata };
  if (r.parent_id !== null) chunk.parentId = r.parent_id;
  if (r.kind !== null) chunk.kind = r.kind;
  return chunk;
}

function toHit(r: ChunkRowSql): SearchHit {
  return { chunk: toChunk(r), score: Number(r.score) };
}
