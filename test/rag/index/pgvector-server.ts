/**
 * A PostgreSQL server with pgvector for tests: Debian's PostgreSQL here has no pgvector, so this
 * serves an in-memory PGlite (PostgreSQL 17 in WASM) with its `vector` extension over the real wire
 * protocol, and the adapter connects with the `pg` client as it would to any server.
 *
 * Why not PGLiteSocketServer from @electric-sql/pglite-socket 0.0.20 as is: it hands every socket
 * `data` event to PGlite as if it were whole protocol messages, so any message larger than one TCP
 * read (64 KiB: e.g. an INSERT of a few dozen 512-d embeddings) arrives split, and PGlite's WASM
 * aborts ("RuntimeError: unreachable"), killing the connection. This server reassembles complete
 * messages (length-prefixed frames) first and runs them through the same `execProtocolRaw`, one
 * connection at a time (PGlite has a single session).
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { openPgDatabase } from '../../../src/store/postgres/pg-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';

export async function startPgvectorServer(): Promise<{ url: string; db: SqlDatabase; stop(): Promise<void> }> {
  const pglite = await PGlite.create({ extensions: { vector } });
  const sockets = new Set<Socket>();
  // Connections are served one after the other: the next waits until the previous one closes.
  let turn: Promise<void> = Promise.resolve();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.pause();
    turn = turn.then(() => serve(pglite, socket)).finally(() => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `postgres://postgres@127.0.0.1:${(server.address() as AddressInfo).port}/postgres`;
  const db = await openPgDatabase({ connectionString: url, max: 1 });
  return {
    url,
    db,
    async stop() {
      await db.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pglite.close();
    },
  };
}

/** Relays one client's complete protocol messages to PGlite; resolves when the socket closes. */
function serve(pglite: PGlite, socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    let pending: Buffer = Buffer.alloc(0);
    // The startup message has no type byte; every later message is type (1) + length (4) + body.
    let startup = true;
    let work: Promise<void> = Promise.resolve();
    socket.on('data', (data: Buffer) => {
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      let end = 0;
      for (;;) {
        const header = startup ? 4 : 5;
        if (pending.length - end < header) break;
        const length = pending.readInt32BE(end + header - 4) + (startup ? 0 : 1);
        if (pending.length - end < length) break;
        end += length;
        startup = false;
      }
      if (end === 0) return;
      const messages = new Uint8Array(pending.subarray(0, end));
      pending = pending.subarray(end);
      work = work.then(async () => {
        if (socket.destroyed) return;
        const reply = await pglite.execProtocolRaw(messages);
        if (reply.length > 0 && socket.writable) socket.write(reply);
      });
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void work.finally(resolve));
    socket.resume();
  });
}
