/**
 * The memory store on the SqlDatabase port (embedded PGlite and PostgreSQL, same SQL). The
 * PostgreSQL servers Conduit targets have no pgvector, so embeddings are plain `real[]` (float4)
 * columns and similarity is ranked in process over one scope's records. That is linear in the
 * scope's size: fine for memory-sized data (thousands of facts per user or agent), not for a
 * document corpus, which belongs in the RAG index.
 */
import { runMigrations, type Migration } from '../../store/migrations.js';
import type { SqlDatabase } from '../../store/sql.js';
import type { MemoryKind, MemoryRecord, MemoryRecordStore } from './memory-record.js';

export const MEMORY_MIGRATIONS: readonly Migration[] = [
  {
    id: 'agent-memory/0001_create_records',
    sql: `CREATE TABLE IF NOT EXISTS agent_memory_records (
      id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('fact', 'episode')),
      scope text NOT NULL,
      content text NOT NULL,
      embedding real[] NOT NULL,
      importance real NOT NULL,
      metadata_json text NOT NULL,
      created_at bigint NOT NULL,
      last_accessed_at bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS agent_memory_records_scope ON agent_memory_records (kind, scope, created_at)`,
  },
];

interface RecordRow {
  id: string;
  kind: MemoryKind;
  scope: string;
  content: string;
  embedding: number[] | string;
  importance: number;
  metadata_json: string;
  created_at: string | number;
  last_accessed_at: string | number;
}

const COLUMNS = 'id, kind, scope, content, embedding, importance, metadata_json, created_at, last_accessed_at';

/** Runs the migrations, then returns the store. The database stays the caller's to close. */
export async function createSqlRecordStore(db: SqlDatabase): Promise<MemoryRecordStore> {
  await runMigrations(db, MEMORY_MIGRATIONS);
  return {
    async add(r) {
      await db.query(`INSERT INTO agent_memory_records (${COLUMNS}) VALUES ($1, $2, $3, $4, $5::real[], $6, $7, $8, $9)`, [
        r.id,
        r.kind,
        r.scope,
        r.content,
        r.embedding,
        r.importance,
        JSON.stringify(r.metadata),
        r.createdAt,
        r.lastAccessedAt,
      ]);
    },
    async get(id) {
      const { rows } = await db.query<RecordRow>(`SELECT ${COLUMNS} FROM agent_memory_records WHERE id = $1`, [id]);
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async list(kind, scope) {
      const { rows } = await db.query<RecordRow>(`SELECT ${COLUMNS} FROM agent_memory_records WHERE kind = $1 AND scope = $2 ORDER BY created_at, id`, [kind, scope]);
      return rows.map(toRecord);
    },
    async touch(ids, at) {
      if (ids.length === 0) return;
      await db.query('UPDATE agent_memory_records SET last_accessed_at = GREATEST(last_accessed_at, $2) WHERE id = ANY($1::text[])', [ids, at]);
    },
    async remove(id) {
      return (await db.query('DELETE FROM agent_memory_records WHERE id = $1', [id])).rowCount > 0;
    },
  };
}

function toRecord(row: RecordRow): MemoryRecord {
  return {
    id: row.id,
    kind: row.kind,
    scope: row.scope,
    content: row.content,
    embedding: parseEmbedding(row.embedding),
    importance: Number(row.importance),
    metadata: JSON.parse(row.metadata_json) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    lastAccessedAt: Number(row.last_accessed_at),
  };
}

/** Drivers return `real[]` parsed, or as the `{0.1,0.2}` literal when they have no parser for it. */
function parseEmbedding(value: number[] | string): number[] {
  if (Array.isArray(value)) return value.map(Number);
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map(Number);
}
