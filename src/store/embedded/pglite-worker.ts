/**
 * Worker-thread side of the off-thread PGlite adapter (pglite-worker-database.ts): owns the PGlite
 * instance and answers query / exec / transaction messages. PGlite runs PostgreSQL compiled to
 * WASM synchronously, so a batch of inserts on the gateway's own thread would stall every request
 * for milliseconds; here it stalls only this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { WorkerReply, WorkerRequest } from './pglite-worker-protocol.js';
import { lowerCurrentThreadPriority } from './thread-priority.js';

const port = parentPort;
if (port === null) throw new Error('pglite-worker.ts must run in a worker thread');

// The database work here is the gateway's background writes (usage events, audit entries in
// batches): below the request path's priority, so that when both want the same core the kernel
// runs the thread answering requests first instead of letting a batch of WASM inserts delay them
// for milliseconds. It still gets its share under saturation, and with durable writes requests
// wait for it, which yields the core to it.
const BACKGROUND_NICE_OFFSET = Number((workerData as { niceOffset?: number }).niceOffset ?? 5);
if (BACKGROUND_NICE_OFFSET > 0) lowerCurrentThreadPriority(BACKGROUND_NICE_OFFSET);

const dataDir = (workerData as { dataDir?: string }).dataDir;
if (dataDir !== undefined && !dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);

/** Open transactions: queries tagged with a tx id run on it; `end` commits or rolls it back. */
const transactions = new Map<number, { tx: Transaction; end: (commit: boolean) => void }>();

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

function errorOf(err: unknown): { message: string; code?: string; detail?: string } {
  const e = err as { message?: unknown; code?: unknown; detail?: unknown };
  return {
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.detail === 'string' ? { detail: e.detail } : {}),
  };
}

async function handle(msg: WorkerRequest): Promise<void> {
  try {
    switch (msg.op) {
      case 'query': {
        const target = msg.tx === undefined ? db : transactions.get(msg.tx)?.tx;
        if (target === undefined) throw new Error(`transaction ${msg.tx} is not open`);
        const res = await target.query(msg.sql, msg.params);
        reply({ id: msg.id, ok: true, rows: res.rows as unknown[], rowCount: res.affectedRows ?? res.rows.length });
        return;
      }
      case 'exec':
        await db.exec(msg.sql);
        reply({ id: msg.id, ok: true, rows: [], rowCount: 0 });
        return;
      case 'begin': {
        const txId = msg.id;
        // The transaction stays open until the main thread sends `end`; PGlite queues other work meanwhile.
        db.transaction(
          (tx) =>
            new Promise<void>((resolve, reject) => {
              transactions.set(txId, { tx, end: (commit) => (commit ? resolve() : reject(new Error('rolled back by the caller'))) });
              reply({ id: txId, ok: true, rows: [], rowCount: 0 });
            }),
        )
          .then(
            () => reply({ id: -txId, ok: true, rows: [], rowCount: 0 }),
            (err: unknown) => reply({ id: -txId, ok: false, error: errorOf(err) }),
          )
          .finally(() => transactions.delete(txId));
        return;
      }
      case 'end':
        transactions.get(msg.tx)?.end(msg.commit);
        return;
      case 'close':
        if (!db.closed) await db.close();
        reply({ id: msg.id, ok: true, rows: [], rowCount: 0 });
        return;
    }
  } catch (err) {
    if (msg.op !== 'end') reply({ id: msg.id, ok: false, error: errorOf(err) });
  }
}

db.waitReady.then(
  () => {
    port.on('message', (msg: WorkerRequest) => void handle(msg));
    reply({ id: 0, ok: true, rows: [], rowCount: 0 });
  },
  (err: unknown) => reply({ id: 0, ok: false, error: errorOf(err) }),
);
