/**
 * Conversations are append-only threads: messages are added, never edited or deleted, so a reply
 * can always be explained by the exact turns that preceded it. Appending is idempotent by message
 * id, so a client that retries a request after a timeout never duplicates its turn.
 */

export type ConversationRole = 'system' | 'user' | 'assistant' | 'tool';

export interface Conversation {
  id: string;
  /** The thread's own system prompt (the first context layer of every turn). */
  system: string | undefined;
  metadata: Record<string, unknown>;
  /** Who created it (key id, JWT subject, `master`); undefined when the gateway runs without auth. */
  owner: string | undefined;
  createdAt: number;
}

export interface ConversationMessage {
  id: string;
  conversationId: string;
  /** Position in the thread, 0-based, without gaps. */
  seq: number;
  role: ConversationRole;
  content: string;
  metadata: Record<string, unknown>;
  createdAt: number;
  /** Set when the content was erased (GDPR): the message keeps its place, its content is empty. */
  erasedAt?: number;
}

export interface NewConversation {
  /** Default: a random id. */
  id?: string;
  system?: string;
  metadata?: Record<string, unknown>;
  owner?: string;
}

export interface NewConversationMessage {
  /** Idempotency key: appending an id that exists returns the stored message. Default: a random id. */
  id?: string;
  role: ConversationRole;
  content: string;
  metadata?: Record<string, unknown>;
}

/** A summary of a thread's oldest messages, so context assembly does not summarise them again every turn. */
export interface CachedSummary {
  /** The summary covers messages with seq < upTo. */
  upTo: number;
  text: string;
}

export interface SummaryCache {
  getSummary(conversationId: string): Promise<CachedSummary | undefined>;
  /** Keeps the summary covering the most messages: a summary with a lower `upTo` than the stored one is ignored. */
  putSummary(conversationId: string, summary: CachedSummary): Promise<void>;
}

export interface ConversationStore extends SummaryCache {
  create(input?: NewConversation): Promise<Conversation>;
  /** Undefined when there is no such thread. */
  get(id: string): Promise<Conversation | undefined>;
  /**
   * Appends at the end of the thread. Throws not_found for an unknown thread and invalid_request
   * (code `message_id_conflict`) when the id exists with different role or content.
   */
  append(conversationId: string, message: NewConversationMessage): Promise<ConversationMessage>;
  /** Messages in thread order; `afterSeq` skips those with seq ≤ it, `limit` caps the count. */
  listMessages(conversationId: string, options?: { afterSeq?: number; limit?: number }): Promise<ConversationMessage[]>;
  getMessage(conversationId: string, messageId: string): Promise<ConversationMessage | undefined>;
  /**
   * Erasure on request (GDPR): every message's content and metadata, the thread's system prompt
   * and metadata, and its cached summary are wiped. Ids and order stay, so the thread is still an
   * append-only log, with tombstones. Returns how many messages were erased; not_found for no thread.
   */
  erase(conversationId: string): Promise<{ messages: number }>;
  close?(): Promise<void>;
}

/** Ids are client-supplied idempotency keys: bounded and URL-safe. */
export const CONVERSATION_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
