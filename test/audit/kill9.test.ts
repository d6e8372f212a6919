/**
 * Kill -9 a process mid-way through appending, then "restart" it: replaying every request (the
 * client retries what was never acknowledged, and a restarted gateway may replay the rest) must
 * leave each request exactly once, keep every acknowledged entry, and verify.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestSchema } from '../support/databases.js';
import { openPgDatabase } from '../../src/store/postgres/pg-database.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPGliteDatabase } from '../../src/store/embedded/pglite-database.js';

const WORKER = fileURLToPath(new URL('./append-worker.ts', import.meta.url));
const TOTAL = 400;

interface WorkerRun {
  acked: string[];
  exit: { code: number | null; signal: NodeJS.Signals | null };
  stderr: string;
}

/** Runs the worker; with `killAfterAcks`, SIGKILLs it as soon as that many acks were printed. */
function runWorker(url: string, from: number, to: number, killAfterAcks?: number): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, String(from), String(to)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdout.on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.push(line.slice(4));
        if (killAfterAcks !== undefined && acked.length >= killAfterAcks && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ acked, exit: { code, signal }, stderr }));
  });
}

test('kill -9 mid-append then replay: no acknowledged entry lost, none duplicated, chain verifies', async () => {
  const schema = await createTestSchema();
  const db = await openPgDatabase({ connectionString: schema.url, max: 2 });
  try {
    const log = await createAuditLog({ db });

    const killed = await runWorker(schema.url, 0, TOTAL, 60);
    assert.equal(killed.exit.signal, 'SIGKILL', `worker was not killed: ${killed.stderr}`);
    assert.ok(killed.acked.length >= 60 && killed.acked.length < TOTAL, `acked ${killed.acked.length}`);

    const afterCrash = new Set(
      (await db.query<{ request_id: string }>('SELECT request_id FROM conduit_audit_entries')).rows.map((r) => r.request_id),
    );
    for (const id of killed.acked) assert.ok(afterCrash.has(id), `acknowledged ${id} was lost`);
    assert.ok(afterCrash.size < TOTAL, 'the worker finished before it was killed');
    assert.equal((await log.verify()).ok, true);

    const restarted = await runWorker(schema.url, 0, TOTAL);
    assert.equal(restarted.exit.code, 0, restarted.stderr);
    assert.equal(restarted.acked.length, TOTAL);

    const rows = (await db.query<{ seq: string | number; request_id: string }>('SELECT seq, request_id FROM conduit_audit_entries ORDER BY seq')).rows;
    assert.equal(rows.length, TOTAL, 'duplicates or losses after the replay');
    assert.equal(new Set(rows.map((r) => r.request_id)).size, TOTAL);
    assert.deepEqual(rows.map((r) => Number(r.seq)), Array.from({ length: TOTAL }, (_, i) => i + 1));
    // Entries acknowledged before the crash kept their original place in the chain.
    const seqBefore = (await log.query({ requestId: killed.acked[0]!, action: 'model.request' })).entries[0]!;
    assert.ok(seqBefore.seq <= afterCrash.size);
    const report = await log.verify();
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.equal(report.entriesChecked, TOTAL);
  } finally {
    await db.close();
    await schema.drop();
  }
});

test('embedded database: kill -9 mid-append then replay loses no acknowledged entry and duplicates none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-audit-kill9-'));
  const target = `pglite:${join(dir, 'db')}`;
  try {
    const killed = await runWorker(target, 0, TOTAL, 60);
    assert.equal(killed.exit.signal, 'SIGKILL', `worker was not killed: ${killed.stderr}`);
    assert.ok(killed.acked.length >= 60 && killed.acked.length < TOTAL, `acked ${killed.acked.length}`);

    // The data directory as the killed process left it: PostgreSQL recovers from its WAL.
    const db = await openPGliteDatabase({ dataDir: join(dir, 'db') });
    try {
      const log = await createAuditLog({ db });
      const afterCrash = new Set((await db.query<{ request_id: string }>('SELECT request_id FROM conduit_audit_entries')).rows.map((r) => r.request_id));
      for (const id of killed.acked) assert.ok(afterCrash.has(id), `acknowledged ${id} was lost`);
      assert.ok(afterCrash.size < TOTAL, 'the worker finished before it was killed');
      assert.equal((await log.verify()).ok, true);
    } finally {
      await db.close();
    }

    const restarted = await runWorker(target, 0, TOTAL);
    assert.equal(restarted.exit.code, 0, restarted.stderr);
    assert.equal(restarted.acked.length, TOTAL);

    const check = await openPGliteDatabase({ dataDir: join(dir, 'db') });
    try {
      const rows = (await check.query<{ seq: string | number; request_id: string }>('SELECT seq, request_id FROM conduit_audit_entries ORDER BY seq')).rows;
      assert.equal(rows.length, TOTAL, 'duplicates or losses after the replay');
      assert.equal(new Set(rows.map((r) => r.request_id)).size, TOTAL);
      assert.deepEqual(rows.map((r) => Number(r.seq)), Array.from({ length: TOTAL }, (_, i) => i + 1));
      const report = await (await createAuditLog({ db: check })).verify();
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.equal(report.entriesChecked, TOTAL);
    } finally {
      await check.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
