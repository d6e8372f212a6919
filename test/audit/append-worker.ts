/**
 * Child process for the kill -9 test: a stand-in gateway replica. Appends `model.request` entries
 * `req-<from>` … `req-<to - 1>` through the batching buffer with `awaitDurable`, several requests
 * in flight at once, and prints `ack <requestId>` only after the entry is committed — the moment a
 * gateway would answer the client.
 * Usage: node --import tsx append-worker.ts <postgres-url | pglite:<dir>> <from> <to>
 */
import { openPgDatabase } from '../../src/store/postgres/pg-database.js';
import { openPGliteWorkerDatabase } from '../../src/store/embedded/pglite-worker-database.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createAuditBuffer } from '../../src/audit/audit-buffer.js';

const [url, fromArg, toArg] = process.argv.slice(2);
if (url === undefined || fromArg === undefined || toArg === undefined) throw new Error('usage: append-worker <url> <from> <to>');
const from = Number(fromArg);
const to = Number(toArg);
const IN_FLIGHT = 8;

// `pglite:<dir>`: the embedded database on a worker thread, as `conduit serve` runs it, with
// one-statement appends; anything else is a PostgreSQL URL.
const db = url.startsWith('pglite:')
  ? await openPGliteWorkerDatabase({ dataDir: url.slice('pglite:'.length) })
  : await openPgDatabase({ connectionString: url, max: 4 });
const log = await createAuditLog({ db, oneStatementAppends: true });
const buffer = createAuditBuffer(log, { maxBatch: 16, maxDelayMs: 2 });
let next = from;

async function lane(): Promise<void> {
  while (next < to) {
    const i = next++;
    const requestId = `req-${i}`;
    await buffer.append(
      { requestId, actor: 'key_worker', action: 'model.request', resource: 'fake-model', outcome: 'success', details: { i } },
      { awaitDurable: true },
    );
    process.stdout.write(`ack ${requestId}\n`);
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, () => lane()));
await buffer.close();
await db.close();
process.stdout.write('done\n');
