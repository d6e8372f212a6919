/**
 * Child-process plumbing for the benchmark: every server runs in its own process (so the load
 * generator never shares an event loop with what it measures), logs go to files (so a chatty
 * server never blocks on a full pipe nor costs the load generator CPU), and every child is killed
 * when the run ends, fails or is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export interface ServerProcess {
  name: string;
  pid: number;
  port: number;
  logFile: string;
  child: ChildProcess;
}

export interface StartServerOptions {
  name: string;
  args: string[];
  port: number;
  /** GET this URL until it answers (any status below 500) to know the server is listening. */
  readyUrl: string;
  logDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  readyTimeoutMs?: number;
}

const running = new Set<ChildProcess>();

/** Asks the kernel for a free loopback port. A tiny race remains until the child binds it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function logTail(file: string, chars = 2000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-chars);
  } catch {
    return '(no log)';
  }
}

/** Starts `node <args>` and resolves once `readyUrl` answers; rejects with the log tail otherwise. */
export async function startServer(opts: StartServerOptions): Promise<ServerProcess> {
  const logFile = join(opts.logDir, `${opts.name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? process.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  running.add(child);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`;
    running.delete(child);
  });
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      const res = await request(opts.readyUrl, { method: 'GET', headersTimeout: 1000, bodyTimeout: 1000 });
      await res.body.dump();
      if (res.statusCode < 500) {
        return { name: opts.name, pid: child.pid!, port: opts.port, logFile, child };
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stopProcess(child);
  throw new Error(
    `${opts.name} did not become ready at ${opts.readyUrl}: ${exited ?? 'timed out'}\n--- ${logFile} (tail) ---\n${logTail(logFile)}`,
  );
}

/** SIGTERM, then SIGKILL after a grace period. Resolves when the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 1500): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
  running.delete(child);
}

const cleanups: (() => Promise<void>)[] = [];

/** Work to do after the servers stopped (dropping a benchmark schema…); run once by stopAll. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => stopProcess(c)));
  for (const fn of cleanups.splice(0)) await fn().catch((err: unknown) => process.stderr.write(`cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`));
}

let handlersInstalled = false;
/**
 * Makes sure no child outlives the run: on SIGINT/SIGTERM the children are stopped before exiting,
 * and on any exit the remaining ones get SIGKILL (synchronous, the last resort).
 */
export function installCleanupHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping child processes\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

export interface MemoryReading {
  /** Resident set size now, in MiB. */
  rssMiB: number;
  /** Peak resident set size over the process lifetime (VmHWM), in MiB. */
  peakRssMiB: number;
}

/** Reads VmRSS and VmHWM from /proc/<pid>/status (Linux). */
export function readMemory(pid: number): MemoryReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string): number => {
      const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
      return m ? Number(m[1]) : Number.NaN;
    };
    return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far; undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
  } catch {
    return undefined;
  }
}

/** Ids of the processes whose command name is `comm` (e.g. every `postgres` server process). */
export function pidsNamed(comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Waits until the processes have stopped working off a load window: their CPU time together grows
 * by at most 10 ms over `quietMs`, or `maxMs` passes. A saturated target (Portkey at 1,000 req/s)
 * is still answering a queue of accepted requests when its window ends, and a PostgreSQL-backed
 * one leaves the server writing, vacuuming and checkpointing; without this wait that work ran
 * during the next target's window.
 */
export async function waitUntilIdle(pids: readonly number[], quietMs = 200, maxMs = 15_000): Promise<void> {
  const total = (): number => pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
  const deadline = performance.now() + maxMs;
  let last = total();
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = total();
    if (now - last <= 0.01) return;
    last = now;
  }
}

/**
 * Runs `node <args>` to completion (killed after `timeoutMs`) and returns its stdout. The child is
 * tracked like the servers, so an interrupted run does not leave it behind.
 */
export async function runNodeScript(args: string[], timeoutMs: number): Promise<string> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err = (err + d).slice(-4000); });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  running.delete(child);
  if (code !== 0) throw new Error(`node ${args[0]} failed (code ${code ?? 'none'}, signal ${signal ?? 'none'}): ${err}`);
  return out;
}
