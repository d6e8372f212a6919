/**
 * `kill -9` of a `conduit serve` under concurrent load, then a restart on the same PostgreSQL
 * schema and a client retry of every request that was not acknowledged. With durable writes, an
 * acknowledged request must already have its usage event and audit entry committed, and the retry
 * of a request that was committed but not acknowledged must not add a second one. The audit chain
 * must still verify, and a tampered entry must be detected. Needs the compiled dist/
 * (`npm run build`), like test/e2e.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { startConduit, type ConduitProcess } from '../e2e/support/conduit-process.js';
import { createTestSchema } from '../support/databases.js';
import { call, chat } from './support.js';

const MASTER = 'mk-kill9-master-key-0123456789';
const TOTAL = 200;
const CONCURRENCY = 8;
/** SIGKILL once this many requests were acknowledged: well inside the load, with requests in flight. */
const KILL_AFTER_ACKS = 60;
const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'bin', 'conduit.js');

/** Runs the real `conduit audit verify` against `databaseUrl`; resolves with its exit code and output. */
function auditVerifyCli(databaseUrl: string): Promise<{ code: number; output: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'conduit-kill9-cli-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CONDUIT_|DATABASE_URL$|REDIS_URL$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  env.DATABASE_URL = databaseUrl;
  return new Promise((done) => {
    execFile(process.execPath, [BIN, 'audit', 'verify'], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      rmSync(cwd, { recursive: true, force: true });
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      done({ code, output: stdout + stderr });
    });
  });
}

describe('kill -9 of a gateway mid-load, then restart and client retry', () => {
  let up: FakeOpenAI;
  let schema: { url: string; drop(): Promise<void> };
  let config: Record<string, unknown>;
  const processes: ConduitProcess[] = [];

  before(async () => {
    up = await startFakeOpenAI({ record: false });
    schema = await createTestSchema();
    config = {
      server: { host: '127.0.0.1', port: 0 },
      providers: { openai: { api_key: 'sk-upstream', base_url: up.url } },
      reliability: { max_retries: 0, health_check_interval_ms: 0 },
      logging: { level: 'warn' },
      storage: { database_url: schema.url, durable_writes: true },
      auth: { master_key: MASTER },
      audit: { enabled: true },
    };
  });

  after(async () => {
    for (const p of processes) await p.stop();
    await up?.close();
    await schema?.drop();
  });

  test('no usage event or audit entry is lost or duplicated; the audit chain verifies; tampering is detected', async () => {
    const first = await startConduit(config);
    processes.push(first);
    const created = await call(first.url, '/admin/keys', { key: MASTER, body: { name: 'kill9' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const key = created.body.key as string;
    const keyId = created.body.id as string;

    const runId = randomBytes(4).toString('hex');
    const ids = Array.from({ length: TOTAL }, (_, i) => `kill9-${runId}-${i}`);
    const acknowledged = new Set<string>();
    let killed = false;
    let next = 0;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      assert.ok(first.pid !== undefined, 'the gateway process has a pid');
      process.kill(first.pid, 'SIGKILL');
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!killed && next < TOTAL) {
          const id = ids[next++]!;
          try {
            const r = await chat(first.url, key, `load ${id}`, {}, { 'x-request-id': id });
            if (r.status === 200) {
              assert.equal(r.headers.get('x-request-id'), id);
              acknowledged.add(id);
            }
          } catch {
            // Connection reset by the kill: not acknowledged, the client will retry it.
          }
          if (acknowledged.size >= KILL_AFTER_ACKS) kill();
        }
      }),
    );
    assert.ok(killed, 'the gateway was killed mid-load');
    assert.ok(acknowledged.size >= KILL_AFTER_ACKS && acknowledged.size < TOTAL, `acknowledged before the kill: ${acknowledged.size}`);
    await first.stop(); // reaps the killed child and removes its temp dir

    const second = await startConduit(config);
    processes.push(second);
    const retried = ids.filter((id) => !acknowledged.has(id));
    let nextRetry = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (nextRetry < retried.length) {
          const id = retried[nextRetry++]!;
          const r = await chat(second.url, key, `load ${id}`, {}, { 'x-request-id': id });
          assert.equal(r.status, 200, `retry of ${id}: ${JSON.stringify(r.body)}`);
          acknowledged.add(id);
        }
      }),
    );
    assert.equal(acknowledged.size, TOTAL);

    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    try {
      const usage = await db.query<{ request_id: string; n: string }>('SELECT request_id, count(*) AS n FROM conduit_usage_events WHERE request_id LIKE $1 GROUP BY request_id', [`kill9-${runId}-%`]);
      const usageCounts = new Map(usage.rows.map((r) => [r.request_id, Number(r.n)]));
      const audit = await db.query<{ request_id: string; n: string }>(
        "SELECT request_id, count(*) AS n FROM conduit_audit_entries WHERE action = 'model.request' AND request_id LIKE $1 GROUP BY request_id",
        [`kill9-${runId}-%`],
      );
      const auditCounts = new Map(audit.rows.map((r) => [r.request_id, Number(r.n)]));
      const lostUsage = ids.filter((id) => usageCounts.get(id) === undefined);
      const lostAudit = ids.filter((id) => auditCounts.get(id) === undefined);
      const dupUsage = [...usageCounts].filter(([, n]) => n !== 1);
      const dupAudit = [...auditCounts].filter(([, n]) => n !== 1);
      assert.deepEqual({ lostUsage, lostAudit, dupUsage, dupAudit }, { lostUsage: [], lostAudit: [], dupUsage: [], dupAudit: [] });
      assert.equal(usageCounts.size, TOTAL);
      assert.equal(auditCounts.size, TOTAL);

      const spend = await call(second.url, `/admin/spend?group_by=key&key_id=${keyId}`, { key: MASTER });
      assert.equal(spend.status, 200, JSON.stringify(spend.body));
      const row = (spend.body.data as { group: string; requests: number }[]).find((r) => r.group === keyId);
      assert.equal(row?.requests, TOTAL, JSON.stringify(spend.body));

      const verify = await call(second.url, '/admin/audit/verify', { key: MASTER });
      assert.equal(verify.status, 200, JSON.stringify(verify.body));
      assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
      const cliOk = await auditVerifyCli(schema.url);
      assert.equal(cliOk.code, 0, cliOk.output);
      assert.match(cliOk.output, /audit chain OK/);

      // Tampering with one committed entry must break verification.
      const tampered = await db.query("UPDATE conduit_audit_entries SET outcome = 'tampered' WHERE request_id = $1 AND action = 'model.request'", [ids[0]]);
      assert.equal(tampered.rowCount, 1);
      const verifyTampered = await call(second.url, '/admin/audit/verify', { key: MASTER });
      assert.equal(verifyTampered.body.ok, false, JSON.stringify(verifyTampered.body));
      const cliTampered = await auditVerifyCli(schema.url);
      assert.equal(cliTampered.code, 1, cliTampered.output);
    } finally {
      await db.end();
    }
  });
});
