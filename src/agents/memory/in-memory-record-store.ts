/** A MemoryRecordStore in process memory: for tests, single runs and memory that need not outlive the process. */
import type { MemoryKind, MemoryRecord, MemoryRecordStore } from './memory-record.js';

export function createInMemoryRecordStore(): MemoryRecordStore {
  const records = new Map<string, MemoryRecord>();
  return {
    async add(record) {
      records.set(record.id, structuredClone(record));
    },
    async get(id) {
      const r = records.get(id);
      return r === undefined ? undefined : structuredClone(r);
    },
    async list(kind: MemoryKind, scope: string) {
      return [...records.values()]
        .filter((r) => r.kind === kind && r.scope === scope)
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((r) => structuredClone(r));
    },
    async touch(ids, at) {
      for (const id of ids) {
        const r = records.get(id);
        if (r !== undefined) r.lastAccessedAt = Math.max(r.lastAccessedAt, at);
      }
    },
    async remove(id) {
      return records.delete(id);
    },
  };
}
