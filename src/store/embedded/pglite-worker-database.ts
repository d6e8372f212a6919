/**
 * Embedded adapter of the relational port with PGlite on a worker thread. Same database, same SQL
 * as pglite-database.ts, but the WASM PostgreSQL never runs on the caller's event loop: a group
 * commit of a few hundred ledger or audit rows costs milliseconds of synchronous work, which on
 * the gateway's thread would be added to the latency of every request in flight. `conduit serve`
 * uses this adapter; tests and short CLI commands may use the in-thread one.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SqlDatabase, SqlExecutor, SqlResult } from '../sql.js';
import type { WorkerReply, WorkerRequest } from './pglite-worker-protocol.js';

export interface PGliteWorkerDatabaseOptions {
  /** A directory for the data files, or undefined / `memory://` for an in-memory database. */
  dataDir?: string;
}

interface Waiter {
  resolve(reply: { rows: unknown[]; rowCount: number }): void;
  reject(err: Error): void;
}

/** An error from PostgreSQL with its SQLSTATE kept, so callers can tell a unique violation (23505) from others. */
export class PGliteWorkerError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'PGliteWorkerError';
  }
}

/**
 * The worker entry beside this file: `.js` when built; `.ts` when run from source, where the worker
 * needs the TypeScript loader (tsx, a dev dependency) registered in its own thread.
 */
function workerEntry(): URL {
  const js = new URL('./pglite-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  const ts = new URL('./pglite-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(ts)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

export async function openPGliteWorkerDatabase(options: PGliteWorkerDatabaseOptions = {}): Promise<SqlDatabase> {
  const worker = new Worker(workerEntry(), { workerData: { dataDir: options.dataDir } });
  const db = new PGliteWorkerDatabase(worker);
  await db.ready;
  return db;
}

class PGliteWorkerDatabase implements SqlDatabase {
  readonly kind = 'embedded' as const;
  readonly ready: Promise<void>;
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private closed = false;
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.waiters.set(0, { resolve: () => resolve(), reject });
    });
    worker.on('message', (reply: WorkerReply) => {
      const waiter = this.waiters.get(reply.id);
      if (waiter === undefined) return;
      this.waiters.delete(reply.id);
      if (reply.ok) waiter.resolve(reply);
      else waiter.reject(new PGliteWorkerError(reply.error.message, reply.error.code, reply.error.detail));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (!this.closed) this.failAll(new Error(`the embedded database worker exited (code ${code})`));
    });
  }

  private failAll(err: Error): void {
    this.failure = err;
    for (const waiter of this.waiters.values()) waiter.reject(err);
    this.waiters.clear();
  }

  private call(request: WorkerRequest, id: number): Promise<{ rows: unknown[]; rowCount: number }> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  private run<Row>(sql: string, params: readonly unknown[], tx?: number): Promise<SqlResult<Row>> {
    const id = this.nextId++;
    const request: WorkerRequest = { op: 'query', id, sql, params: [...params], ...(tx === undefined ? {} : { tx }) };
    return this.call(request, id) as Promise<SqlResult<Row>>;
  }

  query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    return this.run<Row>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    const id = this.nextId++;
    await this.call({ op: 'exec', id, sql }, id);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const txId = this.nextId++;
    // The outcome (commit or rollback) is answered under -txId once `end` is sent.
    const outcome = new Promise<{ rows: unknown[]; rowCount: number }>((resolve, reject) => this.waiters.set(-txId, { resolve, reject }));
    outcome.catch(() => undefined);
    await this.call({ op: 'begin', id: txId }, txId);
    const executor: SqlExecutor = { query: <Row>(sql: string, params: readonly unknown[] = []) => this.run<Row>(sql, params, txId) };
    let result: T;
    try {
      result = await fn(executor);
    } catch (err) {
      this.worker.postMessage({ op: 'end', tx: txId, commit: false } satisfies WorkerRequest);
      await outcome.catch(() => undefined);
      throw err;
    }
    this.worker.postMessage({ op: 'end', tx: txId, commit: true } satisfies WorkerRequest);
    await outcome;
    return result;
  }

  async ping(): Promise<void> {
    await this.query('select 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const id = this.nextId++;
    try {
      if (this.failure === undefined) await this.call({ op: 'close', id }, id);
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }
}
