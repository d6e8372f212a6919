/** The virtual key table. `secret_hash` is the only trace of a secret (see key-hash.ts). */
import type { Migration } from '../store/migrations.js';

export const KEYS_TABLE = 'conduit_api_keys';

export const KEY_MIGRATIONS: readonly Migration[] = [
  {
    id: 'auth/0001_create_api_keys',
    sql: `
      CREATE TABLE ${KEYS_TABLE} (
        id text PRIMARY KEY,
        secret_hash text NOT NULL,
        name text NOT NULL,
        owner_user_id text,
        team text,
        allowed_models jsonb NOT NULL DEFAULT '[]',
        limits jsonb NOT NULL DEFAULT '{}',
        budgets jsonb NOT NULL DEFAULT '[]',
        guardrails jsonb,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        rotated_from text,
        last_used_at timestamptz
      );
      CREATE INDEX ${KEYS_TABLE}_team ON ${KEYS_TABLE} (team) WHERE team IS NOT NULL;
      CREATE INDEX ${KEYS_TABLE}_owner ON ${KEYS_TABLE} (owner_user_id) WHERE owner_user_id IS NOT NULL;
      CREATE UNIQUE INDEX ${KEYS_TABLE}_rotated_from ON ${KEYS_TABLE} (rotated_from) WHERE rotated_from IS NOT NULL
    `,
  },
];
