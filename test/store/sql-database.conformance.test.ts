import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseFactories, type DatabaseFactory } from '../support/databases.js';
import { runMigrations, splitStatements } from '../../src/store/migrations.js';
import { openPGliteWorkerDatabase } from '../../src/store/embedded/pglite-worker-database.js';

// The off-thread embedded adapter (what `conduit serve` uses) must behave exactly like the others.
const workerFactory: DatabaseFactory = {
  name: 'embedded',
  async open() {
    const db = await openPGliteWorkerDatabase();
    return { db, dispose: () => db.close() };
  },
};

for (const [label, factory] of [...databaseFactories.map((f) => [f.name, f] as const), ['embedded (worker thread)', workerFactory] as const]) {
  describe(`SqlDatabase conformance: ${label}`, () => {
    test('parameterised queries, rowCount, transactions commit and roll back', async () => {
      const { db, dispose } = await factory.open();
      try {
        await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text); CREATE INDEX t_v ON t (v)');
        const ins = await db.query('INSERT INTO t (id, v) VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
        assert.equal(ins.rowCount, 2);
        const rows = (await db.query<{ id: number; v: string }>('SELECT id, v FROM t ORDER BY id')).rows;
        assert.deepEqual(rows, [{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);

        await db.transaction(async (tx) => {
          await tx.query('UPDATE t SET v = $1 WHERE id = 1', ['committed']);
        });
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('UPDATE t SET v = $1 WHERE id = 2', ['lost']);
            throw new Error('boom');
          }),
          /boom/,
        );
        const after = (await db.query<{ v: string }>('SELECT v FROM t ORDER BY id')).rows.map((r) => r.v);
        assert.deepEqual(after, ['committed', 'b']);
        await db.ping();
      } finally {
        await dispose();
      }
    });

    test('migrations apply once, in order, and are recorded', async () => {
      const { db, dispose } = await factory.open();
      try {
        const migrations = [
          { id: 'demo/0001', sql: "CREATE TABLE demo (id int); INSERT INTO demo VALUES (1)" },
          { id: 'demo/0002', sql: "CREATE FUNCTION demo_f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; INSERT INTO demo VALUES (2)" },
        ];
        assert.deepEqual(await runMigrations(db, migrations), ['demo/0001', 'demo/0002']);
        assert.deepEqual(await runMigrations(db, migrations), []);
        const more = [...migrations, { id: 'demo/0003', sql: 'INSERT INTO demo VALUES (3)' }];
        assert.deepEqual(await runMigrations(db, more), ['demo/0003']);
        const ids = (await db.query<{ id: number }>('SELECT id FROM demo ORDER BY id')).rows.map((r) => r.id);
        assert.deepEqual(ids, [1, 2, 3]);
        await assert.rejects(runMigrations(db, [migrations[0]!, migrations[0]!]), /duplicate migration id/);
      } finally {
        await dispose();
      }
    });
  });
}

test('splitStatements keeps quoted and dollar-quoted semicolons', () => {
  assert.deepEqual(splitStatements("SELECT ';'; CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;"), [
    "SELECT ';'",
    'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql',
  ]);
});
