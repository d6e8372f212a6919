/**
 * The conversation store on the SqlDatabase port: embedded PGlite and PostgreSQL run the same SQL.
 * A thread's row is locked while a message is appended, so concurrent appends get consecutive
 * sequence numbers; the message id is the primary key, so a retried append finds its first copy.
 */
import { randomUUID } from 'node:crypto';
import { ConduitError } from '../../core/errors.js';
import { runMigrations, type Migration } from '../../store/migrations.js';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.js';
import {
  CONVERSATION_ID_PATTERN,
  type CachedSummary,
  type Conversation,
  type ConversationMessage,
  type ConversationRole,
  type ConversationStore,
  type NewConversation,
  type NewConversationMessage,
} from './conversation-store.js';

export const CONVERSATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'conversations/0001_create_threads',
    sql: `CREATE TABLE IF NOT EXISTS agent_conversations (
      id text PRIMARY KEY,
      system text,
      metadata_json text NOT NULL,
      owner text,
      created_at bigint NOT NULL,
      message_count integer NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS agent_conversation_messages (
      id text PRIMARY KEY,
      conversation_id text NOT NULL REFERENCES agent_conversations (id),
      seq integer NOT NULL,
      role text NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
      content text NOT NULL,
      metadata_json text NOT NULL,
      created_at bigint NOT NULL,
      erased_at bigint,
      UNIQUE (conversation_id, seq)
    );
    CREATE TABLE IF NOT EXISTS agent_conversation_summaries (
      conversation_id text PRIMARY KEY REFERENCES agent_conversations (id),
      up_to integer NOT NULL,
      text text NOT NULL,
      updated_at bigint NOT NULL
    )`,
  },
];

interface ConversationRow {
  id: string;
  system: string | null;
  metadata_json: string;
  owner: string | null;
  created_at: string | number;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  role: ConversationRole;
  content: string;
  metadata_json: string;
  created_at: string | number;
  erased_at: string | number | null;
}

export interface SqlConversationStoreOptions {
  db: SqlDatabase;
  clock?: { now(): number };
}

/** Runs the migrations, then returns the store. The database stays the caller's to close. */
export async function createSqlConversationStore(options: SqlConversationStoreOptions): Promise<ConversationStore> {
  await runMigrations(options.db, CONVERSATION_MIGRATIONS);
  return new SqlConversationStore(options.db, options.clock ?? { now: () => Date.now() });
}

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);

function checkId(id: string, what: string): void {
  if (!CONVERSATION_ID_PATTERN.test(id)) {
    throw new ConduitError('invalid_request', `Invalid ${what} id '${id.slice(0, 40)}': use 1-128 characters of A-Z a-z 0-9 _ . : -`, { code: 'invalid_id' });
  }
}

class SqlConversationStore implements ConversationStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: { now(): number },
  ) {}

  async create(input: NewConversation = {}): Promise<Conversation> {
    const id = input.id ?? `conv_${randomUUID()}`;
    checkId(id, 'conversation');
    const conversation: Conversation = { id, system: input.system, metadata: input.metadata ?? {}, owner: input.owner, createdAt: this.clock.now() };
    const inserted = await this.db.query(
      `INSERT INTO agent_conversations (id, system, metadata_json, owner, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
      [id, input.system ?? null, JSON.stringify(conversation.metadata), input.owner ?? null, conversation.createdAt],
    );
    if (inserted.rowCount === 0) throw new ConduitError('invalid_request', `A conversation with id '${id}' already exists`, { code: 'conversation_exists' });
    return conversation;
  }

  async get(id: string): Promise<Conversation | undefined> {
    const { rows } = await this.db.query<ConversationRow>('SELECT id, system, metadata_json, owner, created_at FROM agent_conversations WHERE id = $1', [id]);
    const row = rows[0];
    return row === undefined ? undefined : toConversation(row);
  }

  async append(conversationId: string, message: NewConversationMessage): Promise<ConversationMessage> {
    if (!ROLES.has(message.role)) throw new ConduitError('invalid_request', `Unknown message role '${String(message.role)}'`, { code: 'invalid_role' });
    if (typeof message.content !== 'string') throw new ConduitError('invalid_request', 'Message content must be a string', { code: 'invalid_content' });
    const id = message.id ?? `msg_${randomUUID()}`;
    checkId(id, 'message');
    return this.db.transaction(async (tx) => {
      // The row lock serialises appends to one thread (consecutive seq numbers, no unique-violation retries).
      const locked = await tx.query<{ message_count: number }>('SELECT message_count FROM agent_conversations WHERE id = $1 FOR UPDATE', [conversationId]);
      const thread = locked.rows[0];
      if (thread === undefined) throw new ConduitError('not_found', `No conversation '${conversationId}'`, { code: 'conversation_not_found' });
      const existing = await this.messageById(tx, id);
      if (existing !== undefined) {
        if (existing.conversationId !== conversationId || existing.role !== message.role || existing.content !== message.content) {
          throw new ConduitError('invalid_request', `Message id '${id}' is already used by a different message`, { code: 'message_id_conflict' });
        }
        return existing;
      }
      const stored: ConversationMessage = {
        id,
        conversationId,
        seq: thread.message_count,
        role: message.role,
        content: message.content,
        metadata: message.metadata ?? {},
        createdAt: this.clock.now(),
      };
      await tx.query(
        `INSERT INTO agent_conversation_messages (id, conversation_id, seq, role, content, metadata_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, conversationId, stored.seq, stored.role, stored.content, JSON.stringify(stored.metadata), stored.createdAt],
      );
      await tx.query('UPDATE agent_conversations SET message_count = message_count + 1 WHERE id = $1', [conversationId]);
      return stored;
    });
  }

  async listMessages(conversationId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<ConversationMessage[]> {
    const limit = options.limit ?? null;
    const { rows } = await this.db.query<MessageRow>(
      `SELECT id, conversation_id, seq, role, content, metadata_json, created_at, erased_at FROM agent_conversation_messages
       WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [conversationId, options.afterSeq ?? -1, limit],
    );
    return rows.map(toMessage);
  }

  async getMessage(conversationId: string, messageId: string): Promise<ConversationMessage | undefined> {
    const found = await this.messageById(this.db, messageId);
    return found?.conversationId === conversationId ? found : undefined;
  }

  async getSummary(conversationId: string): Promise<CachedSummary | undefined> {
    const { rows } = await this.db.query<{ up_to: number; text: string }>('SELECT up_to, text FROM agent_conversation_summaries WHERE conversation_id = $1', [conversationId]);
    const row = rows[0];
    return row === undefined ? undefined : { upTo: row.up_to, text: row.text };
  }

  async putSummary(conversationId: string, summary: CachedSummary): Promise<void> {
    await this.db.query(
      `INSERT INTO agent_conversation_summaries (conversation_id, up_to, text, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (conversation_id) DO UPDATE SET up_to = EXCLUDED.up_to, text = EXCLUDED.text, updated_at = EXCLUDED.updated_at
       WHERE agent_conversation_summaries.up_to < EXCLUDED.up_to`,
      [conversationId, summary.upTo, summary.text, this.clock.now()],
    );
  }

  async erase(conversationId: string): Promise<{ messages: number }> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const thread = await tx.query(`UPDATE agent_conversations SET system = NULL, metadata_json = '{}' WHERE id = $1`, [conversationId]);
      if (thread.rowCount === 0) throw new ConduitError('not_found', `No conversation '${conversationId}'`, { code: 'conversation_not_found' });
      const erased = await tx.query(
        `UPDATE agent_conversation_messages SET content = '', metadata_json = '{}', erased_at = $2 WHERE conversation_id = $1 AND erased_at IS NULL`,
        [conversationId, now],
      );
      await tx.query('DELETE FROM agent_conversation_summaries WHERE conversation_id = $1', [conversationId]);
      return { messages: erased.rowCount };
    });
  }

  private async messageById(executor: SqlExecutor, id: string): Promise<ConversationMessage | undefined> {
    const { rows } = await executor.query<MessageRow>(
      'SELECT id, conversation_id, seq, role, content, metadata_json, created_at, erased_at FROM agent_conversation_messages WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row === undefined ? undefined : toMessage(row);
  }
}

function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    system: row.system ?? undefined,
    metadata: JSON.parse(row.metadata_json) as Record<string, unknown>,
    owner: row.owner ?? undefined,
    createdAt: Number(row.created_at),
  };
}

function toMessage(row: MessageRow): ConversationMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    role: row.role,
    content: row.content,
    metadata: JSON.parse(row.metadata_json) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    ...(row.erased_at === null || row.erased_at === undefined ? {} : { erasedAt: Number(row.erased_at) }),
  };
}

/**
 * A SQL conversation store that opens (and migrates) on first use, so `conduit serve` pays nothing
 * for conversations until one is used. `openDb` is the caller's: the store never closes it.
 */
export function createLazyConversationStore(openDb: () => Promise<SqlDatabase>, clock?: { now(): number }): ConversationStore {
  let opened: Promise<ConversationStore> | undefined;
  const store = (): Promise<ConversationStore> => {
    opened ??= openDb().then((db) => createSqlConversationStore({ db, ...(clock === undefined ? {} : { clock }) }));
    // A failed open is retried on the next request rather than remembered forever.
    opened.catch(() => (opened = undefined));
    return opened;
  };
  return {
    create: async (input) => (await store()).create(input),
    get: async (id) => (await store()).get(id),
    append: async (id, message) => (await store()).append(id, message),
    listMessages: async (id, options) => (await store()).listMessages(id, options),
    getMessage: async (id, messageId) => (await store()).getMessage(id, messageId),
    getSummary: async (id) => (await store()).getSummary(id),
    putSummary: async (id, summary) => (await store()).putSummary(id, summary),
    erase: async (id) => (await store()).erase(id),
  };
}
