/**
 * CPU pinning for the benchmark (Linux `taskset`): every server under test gets core 1 to itself,
 * while the load generators, the fake upstream and this orchestrator share core 0. On a 2-core
 * machine this is what makes throughput a property of the gateway rather than of how the kernel
 * happened to split two cores between five busy processes: a gateway that needs c µs of CPU per
 * request then serves about 1e6 / c requests/s, and the Conduit/Portkey ratio is the ratio of
 * their CPU costs. Without pinning, the fixed cost of the client and the upstream is added to
 * every target alike and compresses every ratio towards 1.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export const CLIENT_CPU = 0;
export const SERVER_CPU = 1;

/** Pinning is possible: at least two CPUs and a working `taskset`. */
export function pinningAvailable(): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of `pid` (and so every thread and child it starts later) to one CPU. */
export function pinProcess(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}
