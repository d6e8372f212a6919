/**
 * `conduit capacity`: Little's Law (L = λ × W) over measured traffic — a running gateway's
 * /metrics (`--url`) or given numbers (`--rate`, `--latency-ms`) — and over a what-if
 * (`--target-rate`, `--target-latency-ms`): concurrent requests, upstream connections and replicas.
 * Needs no configuration.
 */
import type { CliIo } from '../io.js';
import type { ParsedArgs } from '../args.js';
import { UsageError } from '../args.js';
import { DEFAULT_CAPACITY_ASSUMPTIONS, planCapacity } from '../../observability/capacity/littles-law.js';
import type { CapacityAssumptions, CapacityPlan } from '../../observability/capacity/littles-law.js';
import { measureTraffic, metricsUrl } from '../../observability/capacity/measure-traffic.js';
import type { MeasuredTraffic } from '../../observability/capacity/measure-traffic.js';

interface Scenario {
  title: string;
  plan: CapacityPlan;
  measured?: MeasuredTraffic;
}

export async function runCapacity(args: ParsedArgs, io: CliIo): Promise<number> {
  const o = args.options;
  const assumptions: CapacityAssumptions = {
    perReplicaConcurrency: o.perReplica === undefined ? DEFAULT_CAPACITY_ASSUMPTIONS.perReplicaConcurrency : positive(o.perReplica, '--per-replica'),
    headroom: o.headroom === undefined ? DEFAULT_CAPACITY_ASSUMPTIONS.headroom : nonNegative(o.headroom, '--headroom'),
  };
  if (o.url !== undefined && (o.rate !== undefined || o.latencyMs !== undefined)) throw new UsageError('give --url (measure a gateway) or --rate with --latency-ms (given numbers), not both');
  if ((o.rate === undefined) !== (o.latencyMs === undefined)) throw new UsageError('--rate and --latency-ms go together');
  if ((o.targetRate === undefined) !== (o.targetLatencyMs === undefined)) throw new UsageError('--target-rate and --target-latency-ms go together');
  if (o.url === undefined && o.rate === undefined && o.targetRate === undefined) {
    throw new UsageError('nothing to plan: give --url <gateway>, or --rate <rps> --latency-ms <ms>, and/or --target-rate <rps> --target-latency-ms <ms>');
  }
  const scenarios: Scenario[] = [];
  if (o.url !== undefined) {
    const windowSeconds = o.window === undefined ? 10 : positive(o.window, '--window');
    const measured = await measureTraffic({ url: o.url, windowSeconds });
    const what = measured.source === 'window' ? `over ${measured.seconds.toFixed(1)} s` : `since the gateway started (${Math.round(measured.seconds)} s; no requests in the ${windowSeconds} s window)`;
    scenarios.push({ title: `Measured at ${metricsUrl(o.url)} ${what}`, plan: planCapacity(measured, assumptions), measured });
  } else if (o.rate !== undefined && o.latencyMs !== undefined) {
    scenarios.push({ title: 'Given traffic', plan: planCapacity({ arrivalRatePerSecond: nonNegative(o.rate, '--rate'), timeInSystemSeconds: positive(o.latencyMs, '--latency-ms') / 1000 }, assumptions) });
  }
  if (o.targetRate !== undefined && o.targetLatencyMs !== undefined) {
    scenarios.push({
      title: 'What-if',
      plan: planCapacity({ arrivalRatePerSecond: nonNegative(o.targetRate, '--target-rate'), timeInSystemSeconds: positive(o.targetLatencyMs, '--target-latency-ms') / 1000 }, assumptions),
    });
  }
  io.stdout.write(args.json ? `${JSON.stringify({ assumptions, scenarios }, null, 2)}\n` : formatScenarios(scenarios, assumptions));
  return 0;
}

function formatScenarios(scenarios: Scenario[], a: CapacityAssumptions): string {
  const lines: string[] = ["Little's Law: L = λ × W (requests in flight = arrival rate × time in system)", ''];
  for (const s of scenarios) {
    const p = s.plan;
    lines.push(`${s.title}:`);
    lines.push(`  arrival rate λ          ${fmt(p.arrivalRatePerSecond)} req/s`);
    lines.push(`  time in system W        ${fmt(p.timeInSystemSeconds)} s${s.measured ? ' (mean)' : ''}`);
    lines.push(`  concurrent requests L   ${fmt(p.concurrentRequests)}${s.measured ? `   (observed llm_active_requests: ${fmt(s.measured.observedConcurrency)})` : ''}`);
    lines.push(`  plan with ${Math.round(a.headroom * 100)}% headroom   ${p.plannedConcurrency} concurrent requests`);
    lines.push(`  upstream connections    ${p.upstreamConnections}   (one per in-flight model request)`);
    lines.push(`  replicas                ${p.replicas}   (at ${a.perReplicaConcurrency} concurrent requests per replica)`);
    lines.push('');
  }
  lines.push(
    `Assumptions: steady state (arrivals ≈ departures); ${a.perReplicaConcurrency} concurrent requests per replica (--per-replica; default: half the provider HTTP pool of 512 connections per origin, leaving room for retries);`,
    `${Math.round(a.headroom * 100)}% headroom for bursts (--headroom). W is a mean: size for the p95 latency instead (--target-latency-ms) when tails are long.`,
  );
  return `${lines.join('\n')}\n`;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3).replace(/\.?0+$/, '') || '0';
}

function positive(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} expects a positive number, got '${raw}'`);
  return n;
}

function nonNegative(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} expects a number ≥ 0, got '${raw}'`);
  return n;
}
