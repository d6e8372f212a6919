/** `conduit keys|spend|audit|cache` in process against an embedded database in a temp dir. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { createAuditLog } from '../../src/audit/index.js';
import { openDatabase } from '../../src/store/open-database.js';

function io(cwd: string, env: Record<string, string>): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    cwd,
    readStdin: async () => '',
    shutdownSignal: () => new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

test('keys create/list/revoke, spend and audit verify work on the configured database; tampering exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-cli-policy-'));
  const env = { CONDUIT_MASTER_KEY: 'mk-cli-master-key-0123456789' };
  try {
    const create = io(dir, env);
    assert.equal(await main(['keys', 'create', '--name', 'ci', '--team', 'alpha', '--rpm', '5'], create), 0, create.err());
    assert.match(create.out(), /^ck-\S+\n$/);
    const list = io(dir, env);
    assert.equal(await main(['keys', 'list', '--json'], list), 0, list.err());
    const keys = JSON.parse(list.out()) as { id: string; team: string; limits: unknown }[];
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.team, 'alpha');
    assert.deepEqual(keys[0]!.limits, { requestsPerMinute: 5 });
    const revoke = io(dir, env);
    assert.equal(await main(['keys', 'revoke', keys[0]!.id], revoke), 0, revoke.err());

    const spend = io(dir, env);
    assert.equal(await main(['spend', '--group-by', 'team', '--json'], spend), 0, spend.err());
    assert.deepEqual((JSON.parse(spend.out()) as { data: unknown[] }).data, []);

    // A few audit entries, then verify; then tamper with one and verify again.
    const db = await openDatabase({ stateDir: join(dir, '.conduit') });
    const log = await createAuditLog({ db });
    for (let i = 0; i < 3; i++) await log.append({ actor: 'admin', action: 'admin.test', outcome: 'success', details: { i } });
    await db.close();
    const ok = io(dir, env);
    assert.equal(await main(['audit', 'verify'], ok), 0, ok.err());
    assert.match(ok.out(), /audit chain OK/);

    const db2 = await openDatabase({ stateDir: join(dir, '.conduit') });
    await db2.query(`UPDATE conduit_audit_entries SET outcome = 'failure' WHERE seq = 2`);
    await db2.close();
    const bad = io(dir, env);
    assert.equal(await main(['audit', 'verify'], bad), 1);
    assert.match(bad.err(), /BROKEN/);

    const stats = io(dir, {});
    assert.equal(await main(['cache', 'stats'], stats), 0, stats.err());
    assert.match(stats.out(), /hit rate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
