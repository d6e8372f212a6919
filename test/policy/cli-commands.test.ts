/** `conduit keys|spend|audit|cache` in process against an embedded database in a temp dir. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog } from '../../src/audit/index.js';
import { openDatabase } from '../../src/store/open-database.js';
import { runCli } from '../support/cli.js';

test('keys create/list/revoke, spend and audit verify work on the configured database; tampering exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-cli-policy-'));
  const env = { CONDUIT_MASTER_KEY: 'mk-cli-master-key-0123456789' };
  try {
    const create = await runCli(['keys', 'create', '--name', 'ci', '--team', 'alpha', '--rpm', '5'], { cwd: dir, env });
    assert.equal(create.code, 0, create.stderr);
    assert.match(create.stdout, /^ck-\S+\n$/);
    const list = await runCli(['keys', 'list', '--json'], { cwd: dir, env });
    assert.equal(list.code, 0, list.stderr);
    const keys = JSON.parse(list.stdout) as { id: string; team: string; limits: unknown }[];
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.team, 'alpha');
    assert.deepEqual(keys[0]!.limits, { requestsPerMinute: 5 });
    const revoke = await runCli(['keys', 'revoke', keys[0]!.id], { cwd: dir, env });
    assert.equal(revoke.code, 0, revoke.stderr);

    const spend = await runCli(['spend', '--group-by', 'team', '--json'], { cwd: dir, env });
    assert.equal(spend.code, 0, spend.stderr);
    assert.deepEqual((JSON.parse(spend.stdout) as { data: unknown[] }).data, []);

    // A few audit entries, then verify; then tamper with one and verify again.
    const db = await openDatabase({ stateDir: join(dir, '.conduit') });
    const log = await createAuditLog({ db });
    for (let i = 0; i < 3; i++) await log.append({ actor: 'admin', action: 'admin.test', outcome: 'success', details: { i } });
    await db.close();
    const ok = await runCli(['audit', 'verify'], { cwd: dir, env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit chain OK/);

    const db2 = await openDatabase({ stateDir: join(dir, '.conduit') });
    await db2.query(`UPDATE conduit_audit_entries SET outcome = 'failure' WHERE seq = 2`);
    await db2.close();
    const bad = await runCli(['audit', 'verify'], { cwd: dir, env });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /BROKEN/);

    const stats = await runCli(['cache', 'stats'], { cwd: dir, env: {} });
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /hit rate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
