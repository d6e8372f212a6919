import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { currentThreadId } from './thread-priority.js';
import { openPGliteWorkerDatabase } from './pglite-worker-database.js';

/** nice of every thread of this process, by thread id (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return out;
}

const linux = existsSync('/proc/thread-self');

test('currentThreadId is this (main) thread: the process id', { skip: !linux && 'needs /proc/thread-self' }, () => {
  assert.equal(currentThreadId(), process.pid);
});

test('the PGlite worker thread runs 5 nice levels below the process; the other threads do not move', { skip: !linux && 'needs /proc/thread-self' }, async () => {
  const base = getPriority();
  const before = threadNices();
  const db = await openPGliteWorkerDatabase({ dataDir: 'memory://' });
  try {
    const after = threadNices();
    const lowered = [...after].filter(([tid, nice]) => !before.has(tid) && nice === Math.min(19, base + 5));
    assert.equal(lowered.length, 1, `one new thread at nice ${base + 5}: ${JSON.stringify([...after])}`);
    for (const [tid, nice] of before) if (after.has(tid)) assert.equal(after.get(tid), nice, `thread ${tid} kept its priority`);
    assert.equal(getPriority(), base, 'the process itself keeps its priority');
    assert.deepEqual((await db.query<{ one: number }>('SELECT 1 AS one')).rows, [{ one: 1 }]);
  } finally {
    await db.close();
  }
});
