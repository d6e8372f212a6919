/**
 * Throughput at a fixed number of concurrent connections (closed loop: each connection sends its
 * next request as soon as the previous answer is in), measured by throughput-worker.mjs in a
 * separate process.
 */
import { fileURLToPath } from 'node:url';
import { runNodeScript } from './processes.js';
import { chatRequestBody, type Target } from './targets.js';

export interface ThroughputResult {
  requests2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
  /** Successful (2xx) responses per second. */
  rps: number;
  /** autocannon's latency figures (closed loop, so not comparable to the open-loop ones). */
  latency: { p50: number; p99: number; mean: number; max: number };
}

const WORKER = fileURLToPath(new URL('./throughput-worker.mjs', import.meta.url));

export async function measureThroughput(
  target: Target,
  opts: { connections: number; durationSec: number; warmupSec: number },
): Promise<ThroughputResult> {
  const cfg = {
    url: `${target.origin}${target.path}`,
    headers: target.headers,
    body: chatRequestBody(target.model, false),
    uniqueSeed: target.uniqueSeed === true,
    connections: opts.connections,
    durationSec: opts.durationSec,
    warmupSec: opts.warmupSec,
  };
  const limitMs = (opts.durationSec + opts.warmupSec + 30) * 1000;
  const stdout = await runNodeScript([WORKER, JSON.stringify(cfg)], limitMs);
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ThroughputResult;
}
