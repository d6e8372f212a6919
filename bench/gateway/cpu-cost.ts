/**
 * CPU cost per request of each benchmarked process, read from /proc/<pid>/stat around a fixed
 * number of requests. Unlike requests/s, CPU time per request hardly moves when the machine is
 * busy with other work, so this is the figure to compare while optimising; the throughput ratios
 * of run.ts follow from it (a gateway that needs c µs of CPU per request can serve at most
 * 1e6 / c requests/s per core).
 *
 *   npx tsx bench/gateway/cpu-cost.ts [--requests=20000] [--connections=32] [--targets=conduit,portkey,...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuSecondsOf, installCleanupHandlers, stopAll } from './processes.js';
import { directTarget, startBareProxy, startConduit, startConduitPolicies, startPortkey, startUpstream } from './servers.js';
import { chatRequestBody, type Target, type TargetName } from './targets.js';

const args = new Map(process.argv.slice(2).map((a) => { const i = a.indexOf('='); return i < 0 ? [a.slice(2), 'true'] : [a.slice(2, i), a.slice(i + 1)]; }));
const total = Number(args.get('requests') ?? 20_000);
const connections = Number(args.get('connections') ?? 32);
const wanted = (args.get('targets') ?? 'direct,bare-proxy,conduit,conduit-policies,conduit-policies-pg,portkey').split(',') as TargetName[];
const stream = args.get('stream') === 'true';

function cpuSeconds(pid: number): number {
  const seconds = cpuSecondsOf(pid);
  if (seconds === undefined) throw new Error(`process ${pid} is gone`);
  return seconds;
}

async function load(target: Target, amount: number): Promise<number> {
  let seed = 1_000_000_000;
  const template = JSON.parse(chatRequestBody(target.model, stream)) as Record<string, unknown>;
  const result = await autocannon({
    url: target.origin + target.path,
    method: 'POST',
    headers: target.headers,
    body: chatRequestBody(target.model, stream),
    ...(target.uniqueSeed ? { requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ ...template, seed: seed++ }) }) }] } : {}),
    connections,
    amount,
    timeout: 10,
  });
  return result['2xx'];
}

const dir = mkdtempSync(join(tmpdir(), 'conduit-cpu-'));
installCleanupHandlers();
try {
  const upstream = await startUpstream(dir, 5);
  const targets: Target[] = [];
  for (const name of wanted) {
    if (name === 'direct') targets.push(directTarget(upstream));
    if (name === 'bare-proxy') targets.push((await startBareProxy(upstream, dir)).target);
    if (name === 'conduit') targets.push((await startConduit(upstream, dir)).target);
    if (name === 'conduit-policies') targets.push((await startConduitPolicies(upstream, dir, 'embedded')).target);
    if (name === 'conduit-policies-pg') targets.push((await startConduitPolicies(upstream, dir, 'postgres')).target);
    if (name === 'portkey') targets.push((await startPortkey(upstream, dir)).target);
  }
  console.log(`CPU per request (µs), ${total} requests over ${connections} connections${stream ? ', streamed' : ''}`);
  console.log('target            | server µs/req | upstream µs/req | ok');
  for (const t of targets) {
    await load(t, Math.min(3000, total)); // warm-up (JIT)
    const s0 = cpuSeconds(t.pid);
    const u0 = cpuSeconds(upstream.process.pid);
    const ok = await load(t, total);
    const server = ((cpuSeconds(t.pid) - s0) * 1e6) / ok;
    const up = ((cpuSeconds(upstream.process.pid) - u0) * 1e6) / ok;
    console.log(`${t.name.padEnd(17)} | ${server.toFixed(1).padStart(13)} | ${up.toFixed(1).padStart(15)} | ${ok}`);
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
