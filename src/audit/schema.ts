/**
 * Audit tables. One log per database schema.
 * - `conduit_audit_entries`: the chain. Columns not covered by the hash (user_id, personal,
 *   personal_salt, content, erased_at) are the erasable ones.
 * - `conduit_audit_head`: one row holding the last seq and hash. Every append locks it
 *   (`SELECT … FOR UPDATE`), which serialises appends from all replicas into one linear chain, and
 *   `verify` compares it with the last entry, so deleting the newest entries is detected too.
 * - `conduit_audit_anchor`: after retention deleted a prefix of the chain, the seq and hash of
 *   the last deleted entry; verification starts from it.
 * - `conduit_audit_meta`: the HMAC key for user pseudonyms, generated once per database.
 */
import type { Migration } from '../store/migrations.js';
import { GENESIS_HASH } from './entry.js';

export const auditMigrations: readonly Migration[] = [
  {
    id: 'audit/0001_create_entries',
    sql: `
      CREATE TABLE conduit_audit_entries (
        seq bigint PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        ts timestamptz NOT NULL,
        request_id text,
        actor text NOT NULL,
        user_ref text,
        user_id text,
        action text NOT NULL,
        resource text,
        outcome text NOT NULL,
        details jsonb NOT NULL,
        personal_hash text,
        personal jsonb,
        personal_salt text,
        content_hash text,
        content bytea,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        erased_at timestamptz
      );
      CREATE UNIQUE INDEX conduit_audit_entries_idempotency ON conduit_audit_entries (request_id, action) WHERE request_id IS NOT NULL;
      CREATE INDEX conduit_audit_entries_ts ON conduit_audit_entries (ts);
      CREATE INDEX conduit_audit_entries_user_ref ON conduit_audit_entries (user_ref) WHERE user_ref IS NOT NULL;
      CREATE INDEX conduit_audit_entries_user_id ON conduit_audit_entries (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX conduit_audit_entries_actor_action ON conduit_audit_entries (actor, action);
      CREATE TABLE conduit_audit_head (
        id int PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      INSERT INTO conduit_audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
      CREATE TABLE conduit_audit_anchor (
        id int PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE conduit_audit_meta (
        key text PRIMARY KEY,
        value text NOT NULL
      )
    `,
  },
  {
    // No query looks an entry up by its uuid (reads go by seq, request id, user, actor or ts), and
    // ids come from randomUUID, so the unique index on it only cost every append a B-tree insert at
    // a random place; on the embedded WASM PostgreSQL that was a tenth of the insert's time.
    id: 'audit/0002_drop_entry_id_unique',
    sql: `ALTER TABLE conduit_audit_entries DROP CONSTRAINT IF EXISTS conduit_audit_entries_id_key`,
  },
];
