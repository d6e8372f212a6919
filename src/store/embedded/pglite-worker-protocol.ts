/** Messages between the main thread and the PGlite worker (see pglite-worker.ts). */
export type WorkerRequest =
  | { op: 'query'; id: number; sql: string; params: unknown[]; tx?: number }
  | { op: 'exec'; id: number; sql: string }
  /** Opens a transaction whose id is the message id; its outcome is answered under `-id`. */
  | { op: 'begin'; id: number }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close'; id: number };

export type WorkerReply =
  | { id: number; ok: true; rows: unknown[]; rowCount: number }
  | { id: number; ok: false; error: { message: string; code?: string; detail?: string } };
