/**
 * Scheduling priority of the calling thread (Linux). Node's `os.setPriority(pid)` calls
 * setpriority(PRIO_PROCESS, pid), which Linux applies to a single thread when given a thread id;
 * a thread learns its own id from the /proc/thread-self link ("<pid>/task/<tid>").
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** This thread's kernel thread id, or undefined where /proc/thread-self does not exist. */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Raises this thread's nice value by `offset` over the process's (at most 19). Returns the new
 * value, or undefined where the platform cannot do it (no /proc/thread-self, or refused); the
 * thread then keeps running at the process's priority, which is only slower for requests.
 */
export function lowerCurrentThreadPriority(offset: number): number | undefined {
  const tid = currentThreadId();
  if (tid === undefined) return undefined;
  try {
    const nice = Math.min(19, getPriority(tid) + offset);
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
