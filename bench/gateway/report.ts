/**
 * Turns the measurements into the printed tables and the pass/fail checks of issues 2 and 3.
 */
import type { FixedRateResult } from './fixed-rate.js';
import type { MemoryReading } from './processes.js';
import { POLICY_TARGETS, type TargetName } from './targets.js';
import type { ThroughputResult } from './throughput.js';
import type { TtftResult } from './ttft.js';

export interface TargetResult {
  name: TargetName;
  available: boolean;
  /** Why the target was not measured (it failed to start or to answer correctly). */
  skipReason?: string;
  /** The process measured for memory (for `direct`: the fake upstream). */
  pid?: number;
  notes: string[];
  streamingAvailable: boolean;
  /** The median of the throughput windows (see BenchOptions.rounds). */
  throughput?: ThroughputResult;
  /** Requests/s of every throughput window, in the order measured. */
  throughputRounds?: number[];
  /** Keyed by rate (requests per second): the window with the median mean latency. */
  fixedRate: Record<string, FixedRateResult>;
  /** Keyed by rate: mean latency (ms) of every window, in the order measured. */
  fixedRateRounds?: Record<string, number[]>;
  ttft?: TtftResult;
  /** Memory right after the target's last load phase. */
  memory?: MemoryReading;
}

export interface Check {
  name: string;
  /** null: could not be evaluated (a target missing). */
  pass: boolean | null;
  detail: string;
}

const ms = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(2));
const signedMs = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

/** Right-aligned text table; the first column left-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface AddedLatency {
  p50: number;
  mean: number;
  p99: number;
}

/** Gateway minus direct at the same rate, in the same run. */
export function addedLatency(results: TargetResult[], target: TargetName, rate: number): AddedLatency | undefined {
  const direct = results.find((r) => r.name === 'direct')?.fixedRate[String(rate)];
  const t = results.find((r) => r.name === target)?.fixedRate[String(rate)];
  if (!direct || !t || t.ok === 0 || direct.ok === 0) return undefined;
  return {
    p50: t.latency.p50 - direct.latency.p50,
    mean: t.latency.mean - direct.latency.mean,
    p99: t.latency.p99 - direct.latency.p99,
  };
}

export function ttftAdded(results: TargetResult[], target: TargetName): number | undefined {
  const direct = results.find((r) => r.name === 'direct')?.ttft;
  const t = results.find((r) => r.name === target)?.ttft;
  if (!direct || !t || t.ok === 0 || direct.ok === 0) return undefined;
  return t.ttft.p50 - direct.ttft.p50;
}

/** The targets of issue 2, evaluated on this run. */
export function evaluateChecks(results: TargetResult[], highRate: number): Check[] {
  const get = (n: TargetName): TargetResult | undefined => results.find((r) => r.name === n && r.available);
  const conduit = get('conduit');
  const portkey = get('portkey');
  const checks: Check[] = [];
  const missing = (what: string): string => `n/a: ${what}`;

  // Throughput ratio.
  if (conduit?.throughput && portkey?.throughput && portkey.throughput.rps > 0) {
    const ratio = conduit.throughput.rps / portkey.throughput.rps;
    checks.push({
      name: 'throughput Conduit / Portkey >= 10x',
      pass: ratio >= 10,
      detail: `${ratio.toFixed(1)}x (Conduit ${conduit.throughput.rps.toFixed(0)} req/s, Portkey ${portkey.throughput.rps.toFixed(0)} req/s)`,
    });
  } else checks.push({ name: 'throughput Conduit / Portkey >= 10x', pass: null, detail: missing('Conduit or Portkey not measured') });

  // Added latency at the high fixed rate.
  const ca = addedLatency(results, 'conduit', highRate);
  const pa = addedLatency(results, 'portkey', highRate);
  for (const stat of ['mean', 'p99'] as const) {
    const name = `added latency ${stat} @ ${highRate} req/s: Conduit <= Portkey / 5`;
    if (ca && pa) {
      const limit = pa[stat] / 5;
      checks.push({
        name,
        pass: ca[stat] <= limit,
        detail: `Conduit ${signedMs(ca[stat])} ms vs Portkey ${signedMs(pa[stat])} ms (limit ${ms(limit)} ms)`,
      });
    } else checks.push({ name, pass: null, detail: missing(`Conduit or Portkey not measured at ${highRate} req/s`) });
  }

  // Conduit's own overhead header.
  const overhead = conduit?.fixedRate[String(highRate)]?.overhead;
  const high = conduit?.fixedRate[String(highRate)];
  if (overhead) {
    const coverage = high ? `${overhead.responsesWithHeader}/${high.ok} responses` : '';
    checks.push({ name: 'x-conduit-overhead-ms p50 <= 0.3 ms', pass: overhead.p50 <= 0.3, detail: `${overhead.p50.toFixed(3)} ms (${coverage})` });
    checks.push({ name: 'x-conduit-overhead-ms p99 <= 1 ms', pass: overhead.p99 <= 1, detail: `${overhead.p99.toFixed(3)} ms` });
  } else {
    const why = conduit ? 'no response carried x-conduit-overhead-ms' : 'Conduit not measured';
    checks.push({ name: 'x-conduit-overhead-ms p50 <= 0.3 ms', pass: conduit ? false : null, detail: conduit ? why : missing(why) });
    checks.push({ name: 'x-conduit-overhead-ms p99 <= 1 ms', pass: conduit ? false : null, detail: conduit ? why : missing(why) });
  }

  // Streaming time to first token.
  const ttft = ttftAdded(results, 'conduit');
  if (ttft !== undefined) {
    checks.push({ name: 'streaming TTFT p50: Conduit within 1 ms of direct', pass: ttft <= 1, detail: `${signedMs(ttft)} ms over direct` });
  } else checks.push({ name: 'streaming TTFT p50: Conduit within 1 ms of direct', pass: null, detail: missing('Conduit streaming not measured') });
  checks.push(...policyChecks(results, highRate));
  return checks;
}

/** Added latency may come out slightly negative (noise) for a fast target; budgets start at zero. */
const nonNegative = (v: number): number => Math.max(0, v);

/** Issue 3: what the full policy stack costs next to the bare gateway, and against Portkey (per storage variant). */
export function policyChecks(results: TargetResult[], highRate: number): Check[] {
  const get = (n: TargetName): TargetResult | undefined => results.find((r) => r.name === n && r.available);
  const portkey = get('portkey');
  const checks: Check[] = [];
  for (const name of POLICY_TARGETS) {
    const policies = get(name);
    if (policies === undefined && name !== 'conduit-policies') continue;
    const latencyName = `full policy stack (${name}) added latency (mean @ ${highRate} req/s) <= 2x bare Conduit's`;
    const withPolicies = addedLatency(results, name, highRate);
    const bare = addedLatency(results, 'conduit', highRate);
    if (withPolicies && bare) {
      const limit = 2 * nonNegative(bare.mean);
      checks.push({
        name: latencyName,
        pass: withPolicies.mean <= limit,
        detail: `policies ${signedMs(withPolicies.mean)} ms vs bare Conduit ${signedMs(bare.mean)} ms (limit ${ms(limit)} ms)`,
      });
    } else checks.push({ name: latencyName, pass: null, detail: `n/a: ${name} or conduit not measured at ${highRate} req/s` });

    const throughputName = `full policy stack (${name}) throughput >= 6x Portkey`;
    if (policies?.throughput && portkey?.throughput && portkey.throughput.rps > 0) {
      const ratio = policies.throughput.rps / portkey.throughput.rps;
      checks.push({
        name: throughputName,
        pass: ratio >= 6,
        detail: `${ratio.toFixed(1)}x (policies ${policies.throughput.rps.toFixed(0)} req/s, Portkey ${portkey.throughput.rps.toFixed(0)} req/s)`,
      });
    } else checks.push({ name: throughputName, pass: null, detail: `n/a: ${name} or Portkey not measured` });
  }
  return checks;
}

/** One line per policy variant putting it beside bare Conduit: throughput and added latency. */
export function policySummary(results: TargetResult[], highRate: number): string | undefined {
  const get = (n: TargetName): TargetResult | undefined => results.find((r) => r.name === n && r.available);
  const bare = get('conduit');
  const lines: string[] = [];
  for (const name of POLICY_TARGETS) {
    const policies = get(name);
    if (!policies || !bare) continue;
    const parts: string[] = [];
    if (policies.throughput && bare.throughput && bare.throughput.rps > 0) {
      parts.push(
        `throughput ${policies.throughput.rps.toFixed(0)} req/s vs ${bare.throughput.rps.toFixed(0)} req/s (${((100 * policies.throughput.rps) / bare.throughput.rps).toFixed(0)}% of bare Conduit)`,
      );
    }
    const pa = addedLatency(results, name, highRate);
    const ba = addedLatency(results, 'conduit', highRate);
    if (pa && ba) {
      parts.push(
        `added latency @ ${highRate} req/s: mean ${signedMs(pa.mean)} vs ${signedMs(ba.mean)} ms, p50 ${signedMs(pa.p50)} vs ${signedMs(ba.p50)} ms, p99 ${signedMs(pa.p99)} vs ${signedMs(ba.p99)} ms`,
      );
    }
    if (parts.length > 0) lines.push(`Full policy stack (${name}) beside bare Conduit: ${parts.join('; ')}`);
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

export interface RunInfo {
  startedAt: string;
  node: string;
  cpus: string;
  loadAvgStart: number[];
  loadAvgEnd: number[];
  wallSec: number;
  /** How CPUs were split between the servers under test and the rest (see cpu-pinning.ts). */
  pinning?: string;
}

export function renderReport(
  results: TargetResult[],
  checks: Check[],
  info: RunInfo,
  opts: { rounds: number; connections: number; durationSec: number; warmupSec: number; rates: number[]; rateDurationSec: number; ttftRate: number; ttftCount: number; chunkIntervalMs: number },
  upstreamMemory: MemoryReading | undefined,
): string {
  const out: string[] = [];
  const measured = results.filter((r) => r.available);
  out.push(`Gateway benchmark — ${info.startedAt} — node ${info.node} — ${info.cpus}`);
  if (info.pinning !== undefined) out.push(`CPU pinning: ${info.pinning}`);
  out.push(`load average 1/5/15 min: start ${info.loadAvgStart.map((v) => v.toFixed(2)).join(' ')}, end ${info.loadAvgEnd.map((v) => v.toFixed(2)).join(' ')} — took ${info.wallSec.toFixed(0)} s`);
  if (info.loadAvgStart[0]! > 1 || info.loadAvgEnd[0]! > 1) {
    out.push('NOTE: the machine was busy (load average > 1 on 2 cores): figures are noisy; rerun on a quiet machine.');
  }
  for (const r of results.filter((x) => !x.available)) out.push(`SKIPPED ${r.name}: ${r.skipReason ?? 'unknown reason'}`);
  for (const r of results) for (const n of r.notes) out.push(`note (${r.name}): ${n}`);

  const windows = opts.rounds > 1 ? `median of ${opts.rounds} windows of ` : '';
  out.push('', `Throughput — ${opts.connections} connections, closed loop (autocannon), ${windows}${opts.durationSec} s after ${opts.warmupSec} s warm-up; targets take turns`);
  out.push(
    table(
      ['target', 'req/s', 'vs direct', 'errors', 'p50 ms', 'p99 ms', 'every window'],
      measured.filter((r) => r.throughput).map((r) => {
        const t = r.throughput!;
        const direct = results.find((x) => x.name === 'direct')?.throughput;
        return [
          r.name,
          t.rps.toFixed(0),
          direct && direct.rps > 0 ? `${((100 * t.rps) / direct.rps).toFixed(0)}%` : '—',
          String(t.non2xx + t.errors + t.timeouts),
          String(t.latency.p50),
          String(t.latency.p99),
          (r.throughputRounds ?? []).map((v) => v.toFixed(0)).join(' '),
        ];
      }),
    ),
  );

  for (const rate of opts.rates) {
    out.push('', `Latency at a fixed ${rate} req/s — open loop, ${windows}${opts.rateDurationSec} s (${Math.round(rate * opts.rateDurationSec)} requests; the window with the median mean), ms from due time to last byte; "+" = added over direct`);
    out.push(
      table(
        ['target', 'ok/sent', 'p50', 'p99', 'mean', 'max', '+p50', '+mean', '+p99', 'lag mean', 'mean of every window'],
        measured.filter((r) => r.fixedRate[String(rate)]).map((r) => {
          const f = r.fixedRate[String(rate)]!;
          const added = r.name === 'direct' ? undefined : addedLatency(results, r.name, rate);
          return [
            r.name,
            `${f.ok}/${f.sent}`,
            ms(f.latency.p50), ms(f.latency.p99), ms(f.latency.mean), ms(f.latency.max),
            signedMs(added?.p50), signedMs(added?.mean), signedMs(added?.p99),
            ms(f.meanDispatchLagMs),
            (r.fixedRateRounds?.[String(rate)] ?? []).map((v) => v.toFixed(2)).join(' '),
          ];
        }),
      ),
    );
    for (const r of measured) {
      const f = r.fixedRate[String(rate)];
      if (f && f.errors > 0) out.push(`  ${r.name}: ${f.errors} errors, e.g. ${f.errorExamples.join(' | ')}`);
    }
  }

  const highRate = Math.max(...opts.rates);
  out.push('', `Conduit's own overhead (x-conduit-overhead-ms) over all responses at ${highRate} req/s`);
  const overheadRows: string[][] = [];
  for (const name of ['conduit', ...POLICY_TARGETS] as const) {
    const r = measured.find((x) => x.name === name);
    if (!r) continue;
    const o = r.fixedRate[String(highRate)]?.overhead;
    overheadRows.push(
      o
        ? [name, String(o.responsesWithHeader), o.p50.toFixed(3), o.p90.toFixed(3), o.p99.toFixed(3), o.mean.toFixed(3), o.max.toFixed(3)]
        : [name, '0', '—', '—', '—', '—', '—'],
    );
  }
  if (overheadRows.length > 0) out.push(table(['target', 'responses', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'max ms'], overheadRows));
  else out.push('  (Conduit not measured)');

  out.push('', `Streaming time to first token — ${opts.ttftCount} streams at ${opts.ttftRate}/s; upstream sends the first token at once, the rest ${opts.chunkIntervalMs} ms apart`);
  out.push(
    table(
      ['target', 'ok/sent', 'TTFT p50', 'TTFT p99', '+p50 vs direct', 'stream total p50', 'malformed'],
      measured.map((r) => {
        if (!r.ttft) return [r.name, '—', '—', '—', '—', '—', r.streamingAvailable ? '—' : 'streaming unavailable'];
        const t = r.ttft;
        return [
          r.name, `${t.ok}/${t.sent}`, ms(t.ttft.p50), ms(t.ttft.p99),
          r.name === 'direct' ? '' : signedMs(ttftAdded(results, r.name)),
          ms(t.total.p50), String(t.malformed),
        ];
      }),
    ),
  );

  out.push('', 'Memory (VmRSS / VmHWM from /proc at the end of each process\'s load)');
  const memRows: string[][] = [];
  if (upstreamMemory) memRows.push(['fake upstream', upstreamMemory.rssMiB.toFixed(1), upstreamMemory.peakRssMiB.toFixed(1)]);
  for (const r of measured) {
    if (r.name === 'direct' || !r.memory) continue;
    memRows.push([r.name, r.memory.rssMiB.toFixed(1), r.memory.peakRssMiB.toFixed(1)]);
  }
  out.push(table(['process', 'RSS MiB', 'peak MiB'], memRows));

  const summary = policySummary(results, highRate);
  if (summary) out.push('', summary);

  out.push('', 'Targets of issues 2 and 3 (this run)');
  for (const c of checks) out.push(`  [${c.pass === null ? 'N/A ' : c.pass ? 'PASS' : 'FAIL'}] ${c.name}: ${c.detail}`);

  const bare = measured.find((r) => r.name === 'bare-proxy');
  const portkey = measured.find((r) => r.name === 'portkey');
  const refs: string[] = [];
  if (bare?.throughput && portkey?.throughput && portkey.throughput.rps > 0) {
    refs.push(`bare-proxy / Portkey throughput ${(bare.throughput.rps / portkey.throughput.rps).toFixed(1)}x`);
  }
  const ba = addedLatency(results, 'bare-proxy', highRate);
  if (ba) refs.push(`bare-proxy adds ${signedMs(ba.mean)} ms mean, ${signedMs(ba.p99)} ms p99 @ ${highRate} req/s`);
  const pa = addedLatency(results, 'portkey', highRate);
  if (pa) refs.push(`Portkey adds ${signedMs(pa.mean)} ms mean, ${signedMs(pa.p99)} ms p99 @ ${highRate} req/s`);
  if (refs.length > 0) out.push(`  reference: ${refs.join('; ')}`);
  return out.join('\n');
}
