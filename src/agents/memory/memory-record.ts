/**
 * What long-term and episodic memory store: a text with its embedding, an importance in [0, 1]
 * and timestamps, in a scope (a user, an agent, a tenant). The store only keeps and lists records;
 * ranking by similarity happens in process (see the adapters for why that is fine here).
 */

export type MemoryKind = 'fact' | 'episode';

export interface MemoryRecord {
  id: string;
  kind: MemoryKind;
  /** Isolation boundary: memories are only ever searched within one scope. */
  scope: string;
  content: string;
  embedding: number[];
  /** 0 (trivial) … 1 (essential). Facts default to 0.5. */
  importance: number;
  metadata: Record<string, unknown>;
  createdAt: number;
  /** Last time the record was stored again (a duplicate) or retrieved. */
  lastAccessedAt: number;
}

export interface MemoryRecordStore {
  add(record: MemoryRecord): Promise<void>;
  get(id: string): Promise<MemoryRecord | undefined>;
  /** Every record of one kind in one scope, oldest first. */
  list(kind: MemoryKind, scope: string): Promise<MemoryRecord[]>;
  /** Marks records as used at `at` (recency counts from the last access). */
  touch(ids: readonly string[], at: number): Promise<void>;
  /** Forgets one record (true when it existed). */
  remove(id: string): Promise<boolean>;
  close?(): Promise<void>;
}
