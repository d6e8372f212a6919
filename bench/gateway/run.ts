/**
 * Gateway benchmark (issue 2): the same chat-completion requests sent directly to a fake OpenAI
 * upstream, through a bare Node pass-through proxy (the ceiling for a Node gateway), through
 * Conduit (bare, and with the full policy stack of issue 3) and through the Portkey gateway, in
 * one run on one machine. Prints the tables and the
 * issue's pass/fail targets and writes the figures as JSON.
 *
 *   npm run bench:gateway -- [--quick] [--help]
 *
 * Every server runs in its own process; the load generators run here (open loop) or in a worker
 * process (autocannon, closed loop). All traffic stays on 127.0.0.1, every loop is bounded in
 * count and time, and every child process is stopped at the end, on error and on Ctrl-C.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { TargetClient } from './client.js';
import { measureFixedRate, type FixedRateResult } from './fixed-rate.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { installCleanupHandlers, pidsNamed, readMemory, stopAll, waitUntilIdle } from './processes.js';
import { CLIENT_CPU, SERVER_CPU, pinningAvailable, pinProcess } from './cpu-pinning.js';
import { evaluateChecks, renderReport, type RunInfo, type TargetResult } from './report.js';
import {
  directTarget, REPO_ROOT, startBareProxy, startConduit, startConduitPolicies, startPortkey, startUpstream, UPSTREAM_REPLY_TEXT, type Upstream,
} from './servers.js';
import { medianBy, rotated, round } from './stats.js';
import type { Target, TargetName } from './targets.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { measureTtft } from './ttft.js';

const t0 = performance.now();
function progress(message: string): void {
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
}
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

interface UpstreamStats { completions: number; streams: number; other: number }
async function upstreamStats(upstream: Upstream): Promise<UpstreamStats> {
  const res = await request(`${upstream.origin}/__stats`);
  return (await res.body.json()) as UpstreamStats;
}

/**
 * One plain and one streamed request through the target, checked against the upstream's fixed
 * reply and its request counter, so that a misconfigured gateway (wrong host, cached answer,
 * error page) is caught before anything is measured.
 */
async function verifyTarget(client: TargetClient, upstream: Upstream, result: TargetResult): Promise<void> {
  const before = await upstreamStats(upstream);
  const plain = await client.chat(performance.now());
  const parsed = JSON.parse(plain.json) as { choices?: { message?: { content?: unknown } }[] };
  const content = parsed.choices?.[0]?.message?.content;
  if (content !== UPSTREAM_REPLY_TEXT) throw new Error(`unexpected reply: ${plain.json.slice(0, 300)}`);
  const after = await upstreamStats(upstream);
  if (after.completions !== before.completions + 1) {
    throw new Error(`the request did not reach the fake upstream exactly once (${before.completions} -> ${after.completions})`);
  }
  if (result.name.startsWith('conduit') && plain.overheadMs === undefined) {
    result.notes.push('responses carry no x-conduit-overhead-ms header');
  }
  if (result.name.startsWith('conduit-policies')) {
    // The policies must really be on: the rate limiter checked the request, and the exact cache
    // looked it up and missed (so the upstream call counted above is the measured path).
    const header = (name: string): string | undefined => {
      const v = plain.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    if (header('x-ratelimit-remaining-requests') === undefined) throw new Error('no x-ratelimit-remaining-requests header: rate limits are not on');
    if (header('x-conduit-cache') !== 'miss') throw new Error(`x-conduit-cache is ${JSON.stringify(header('x-conduit-cache'))}, expected "miss": the exact cache is not on, or the request hit it`);
  }
  try {
    const s = await client.stream(performance.now());
    if (s.text !== UPSTREAM_REPLY_TEXT) result.notes.push(`streamed text differs from the upstream's: ${JSON.stringify(s.text)}`);
    else if (!s.sawDone) result.notes.push('stream ended without data: [DONE]');
    result.streamingAvailable = true;
  } catch (err) {
    result.notes.push(`streaming not measured: ${errorText(err)}`);
  }
}

type Started = { target: Target; warnings?: string[] };

async function main(): Promise<number> {
  const opts: BenchOptions = parseOptions(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  installCleanupHandlers();
  const startedAt = new Date();
  const loadAvgStart = loadavg();
  const logDir = mkdtempSync(join(tmpdir(), 'conduit-bench-'));
  let keepLogs = opts.keepLogs;
  const results: TargetResult[] = opts.targets.map((name) => ({
    name, available: false, notes: [], streamingAvailable: false, fixedRate: {},
  }));
  const clients = new Map<TargetName, TargetClient>();
  const pinned = opts.pin && pinningAvailable();
  // The orchestrator first: the upstream and the load-generator processes it starts inherit CPU 0.
  if (pinned) pinProcess(process.pid, CLIENT_CPU);
  try {
    progress(`starting the fake upstream and ${opts.targets.filter((t) => t !== 'direct').join(', ')} (logs: ${logDir})`);
    const upstream = await startUpstream(logDir, opts.chunkIntervalMs);
    const starters: Record<Exclude<TargetName, 'direct'>, () => Promise<Started>> = {
      'bare-proxy': () => startBareProxy(upstream, logDir),
      conduit: () => startConduit(upstream, logDir, opts.conduitBin),
      'conduit-policies': () => startConduitPolicies(upstream, logDir, 'embedded', opts.conduitBin),
      'conduit-policies-pg': () => startConduitPolicies(upstream, logDir, 'postgres', opts.conduitBin),
      portkey: () => startPortkey(upstream, logDir),
    };
    await Promise.all(
      results.map(async (r) => {
        try {
          const started: Started = r.name === 'direct' ? { target: directTarget(upstream) } : await starters[r.name]();
          r.pid = started.target.pid;
          if (pinned && r.name !== 'direct') pinProcess(started.target.pid, SERVER_CPU);
          r.notes.push(...(started.warnings ?? []));
          clients.set(r.name, new TargetClient(started.target));
        } catch (err) {
          r.skipReason = `failed to start: ${errorText(err)}`;
          keepLogs = true;
        }
      }),
    );
    for (const r of results) {
      const client = clients.get(r.name);
      if (!client) continue;
      try {
        await verifyTarget(client, upstream, r);
        r.available = true;
        progress(`verified ${r.name} (${client.target.origin}, model ${client.target.model})${r.streamingAvailable ? '' : ' — streaming unavailable'}`);
      } catch (err) {
        r.skipReason = `verification request failed: ${errorText(err)}`;
        keepLogs = true;
      }
    }
    if (!results.find((r) => r.name === 'direct')?.available) throw new Error('the direct path does not work; nothing to compare against');
    const measured = results.filter((r) => r.available);
    // After each window: the measured process, and for the PostgreSQL target the database server
    // too, must be idle before the next target's window starts (see waitUntilIdle).
    const settle = (r: TargetResult): Promise<void> =>
      waitUntilIdle([...(r.pid === undefined ? [] : [r.pid]), ...(r.name === 'conduit-policies-pg' ? pidsNamed('postgres') : [])]);
    const afterLoad = (r: TargetResult): void => {
      if (r.pid !== undefined) r.memory = readMemory(r.pid);
    };

    // Each phase runs in rounds, the targets taking turns (a different one first each round), and
    // the median window counts: every comparison is between figures taken seconds apart, and a
    // slow minute of the shared machine costs one window of every target, not one target's figure.
    const throughputWindows = new Map<TargetName, ThroughputResult[]>();
    for (let rnd = 0; rnd < opts.rounds; rnd++) {
      for (const r of rotated(measured, rnd)) {
        progress(`throughput ${r.name} (round ${rnd + 1}/${opts.rounds}): ${opts.connections} connections, ${opts.warmupSec} s warm-up + ${opts.durationSec} s`);
        const t = await measureThroughput(clients.get(r.name)!.target, opts);
        throughputWindows.set(r.name, [...(throughputWindows.get(r.name) ?? []), t]);
        afterLoad(r);
        await settle(r);
        progress(`  ${t.rps.toFixed(0)} req/s`);
      }
    }
    for (const r of measured) {
      const windows = throughputWindows.get(r.name) ?? [];
      r.throughput = medianBy(windows, (w) => w.rps);
      r.throughputRounds = windows.map((w) => round(w.rps, 1));
    }
    for (const rate of opts.rates) {
      const rateWindows = new Map<TargetName, FixedRateResult[]>();
      for (let rnd = 0; rnd < opts.rounds; rnd++) {
        for (const r of rotated(measured, rnd)) {
          progress(`fixed rate ${rate} req/s ${r.name} (round ${rnd + 1}/${opts.rounds}): ${opts.rateWarmupSec} s warm-up + ${opts.rateDurationSec} s`);
          const f = await measureFixedRate(clients.get(r.name)!, { rate, durationSec: opts.rateDurationSec, warmupSec: opts.rateWarmupSec });
          rateWindows.set(r.name, [...(rateWindows.get(r.name) ?? []), f]);
          afterLoad(r);
          await settle(r);
          progress(`  p50 ${f.latency.p50.toFixed(2)} ms, p99 ${f.latency.p99.toFixed(2)} ms, mean ${f.latency.mean.toFixed(2)} ms, errors ${f.errors}`);
          if (f.errors > 0) {
            // The target fell behind: give it a moment to finish what it had already accepted, so
            // that work does not run during the next target's window.
            await sleep(3000);
          }
        }
      }
      for (const r of measured) {
        const windows = rateWindows.get(r.name) ?? [];
        r.fixedRate[String(rate)] = medianBy(windows, (w) => w.latency.mean);
        r.fixedRateRounds = { ...r.fixedRateRounds, [String(rate)]: windows.map((w) => round(w.latency.mean, 3)) };
      }
    }
    for (const r of measured) {
      if (!r.streamingAvailable) continue;
      progress(`streaming TTFT ${r.name}: ${opts.ttftCount} streams at ${opts.ttftRate}/s`);
      r.ttft = await measureTtft(clients.get(r.name)!, {
        rate: opts.ttftRate, count: opts.ttftCount, warmupCount: Math.min(20, opts.ttftCount), expectedText: UPSTREAM_REPLY_TEXT,
      });
      afterLoad(r);
      progress(`  TTFT p50 ${r.ttft.ttft.p50.toFixed(2)} ms`);
    }
    const upstreamMemory = readMemory(upstream.process.pid);

    const info: RunInfo = {
      startedAt: startedAt.toISOString(),
      node: process.version,
      cpus: `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'})`,
      loadAvgStart,
      loadAvgEnd: loadavg(),
      wallSec: (performance.now() - t0) / 1000,
      pinning: pinned ? `servers under test on CPU ${SERVER_CPU}; load generators, fake upstream and orchestrator on CPU ${CLIENT_CPU}` : 'none',
    };
    const highRate = Math.max(...opts.rates);
    const checks = evaluateChecks(results, highRate);
    process.stdout.write(`\n${renderReport(results, checks, info, opts, upstreamMemory)}\n`);

    const outFile = resolve(opts.out ?? join(REPO_ROOT, 'bench', 'results', `gateway-${startedAt.toISOString().slice(0, 10)}.json`));
    mkdirSync(dirname(outFile), { recursive: true });
    const payload = { benchmark: 'gateway', info, options: opts, upstreamMemory, results, checks };
    writeFileSync(outFile, `${JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? round(v, 4) : v), 2)}\n`);
    process.stdout.write(`\nresults written to ${outFile}\n`);
    if (keepLogs) process.stdout.write(`server logs kept in ${logDir}\n`);
    return opts.strict && checks.some((c) => c.pass !== true) ? 1 : 0;
  } catch (err) {
    keepLogs = true;
    process.stderr.write(`server logs kept in ${logDir}\n`);
    throw err;
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
    await stopAll();
    if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => { process.exitCode = code; },
  async (err: unknown) => {
    process.stderr.write(`gateway benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await stopAll();
    process.exitCode = 1;
  },
);
