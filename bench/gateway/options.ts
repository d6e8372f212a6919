/** Command-line options of the gateway benchmark. */
import { parseArgs } from 'node:util';
import { ALL_TARGETS, type TargetName } from './targets.js';

export interface BenchOptions {
  targets: TargetName[];
  connections: number;
  /**
   * Each throughput and fixed-rate phase is measured in this many windows, the targets taking
   * turns (round-robin, a different target first each round), and the median window is reported:
   * on a shared machine whose speed drifts over minutes, one window per target in sequence made
   * the ratios between targets move by 2× from run to run.
   */
  rounds: number;
  /** Closed-loop throughput window, seconds (after `warmupSec`), per round. */
  durationSec: number;
  warmupSec: number;
  /** Fixed request rates for the open-loop latency runs. */
  rates: number[];
  rateDurationSec: number;
  rateWarmupSec: number;
  ttftRate: number;
  ttftCount: number;
  /** Interval between the fake upstream's stream chunks after the first one. */
  chunkIntervalMs: number;
  /** Where the JSON results go; default bench/results/gateway-<date>.json. */
  out?: string;
  /** Exit 1 when a target of the issue fails (default: exit 0 once the run completes). */
  strict: boolean;
  keepLogs: boolean;
  /** Servers under test on CPU 1, client and upstream on CPU 0 (default on where `taskset` works). */
  pin: boolean;
  /** The Conduit CLI entry to start (default bin/conduit.js, which runs dist/). */
  conduitBin?: string;
  help: boolean;
}

export const USAGE = `Usage: npm run bench:gateway -- [options]   (or: npx tsx bench/gateway/run.ts [options])

Measures the same chat-completion requests sent directly to a fake OpenAI upstream, through a bare
Node pass-through proxy, through Conduit (node bin/conduit.js serve; run \`npm run build\` first),
through Conduit with every policy on (conduit-policies: virtual key, rate limits, budgets, exact
cache, audit, metrics, embedded storage) and through the Portkey gateway, in one run.

  --targets=LIST          comma list of ${ALL_TARGETS.join(',')} (default: all; direct is always included)
  --connections=N         concurrent connections for throughput (default 32)
  --rounds=N              windows per target for throughput and each rate, targets taking turns;
                          the median window is reported (default 3)
  --duration=S            throughput window in seconds, per round (default 5)
  --warmup=S              throughput warm-up in seconds, per round (default 1)
  --rates=LIST            fixed request rates for latency (default 100,1000)
  --rate-duration=S       seconds per fixed-rate window, per round (default 4)
  --rate-warmup=S         warm-up seconds at each rate (default 1)
  --ttft-count=N          streamed requests per target for time-to-first-token (default 300)
  --ttft-rate=N           their rate per second (default 50)
  --chunk-interval-ms=N   fake upstream delay between stream chunks (default 5)
  --no-pin                do not pin CPUs (default: servers under test on CPU 1, client and upstream on CPU 0)
  --quick                 one round of short windows (3 s throughput, 2 s per rate, 40 streams) for a smoke run
  --out=FILE              JSON results file (default bench/results/gateway-<date>.json)
  --strict                exit 1 when a target of issue 2 or 3 is missed
  --keep-logs             keep the servers' log files (their folder is printed)
  --conduit-bin=FILE      Conduit CLI entry to run (default bin/conduit.js)
  --help`;

function num(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} expects a positive number, got "${value}"`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rates: { type: 'string' },
      'rate-duration': { type: 'string' },
      'rate-warmup': { type: 'string' },
      'ttft-count': { type: 'string' },
      'ttft-rate': { type: 'string' },
      'chunk-interval-ms': { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      strict: { type: 'boolean', default: false },
      'keep-logs': { type: 'boolean', default: false },
      'conduit-bin': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick === true;
  let targets: TargetName[] = [...ALL_TARGETS];
  if (values.targets !== undefined) {
    const asked = values.targets.split(',').map((t) => t.trim()).filter(Boolean);
    for (const t of asked) {
      if (!(ALL_TARGETS as readonly string[]).includes(t)) throw new Error(`unknown target "${t}" (known: ${ALL_TARGETS.join(', ')})`);
    }
    targets = ALL_TARGETS.filter((t) => t === 'direct' || asked.includes(t));
  }
  const rates = (values.rates ?? '100,1000').split(',').map((r) => num(r.trim(), 0, 'rates'));
  return {
    targets,
    connections: num(values.connections, 32, 'connections'),
    rounds: Math.round(num(values.rounds, quick ? 1 : 3, 'rounds')),
    durationSec: num(values.duration, quick ? 3 : 5, 'duration'),
    warmupSec: values.warmup === '0' ? 0 : num(values.warmup, 1, 'warmup'),
    rates,
    rateDurationSec: num(values['rate-duration'], quick ? 2 : 4, 'rate-duration'),
    rateWarmupSec: values['rate-warmup'] === '0' ? 0 : num(values['rate-warmup'], quick ? 0.5 : 1, 'rate-warmup'),
    ttftRate: num(values['ttft-rate'], 50, 'ttft-rate'),
    ttftCount: Math.round(num(values['ttft-count'], quick ? 40 : 300, 'ttft-count')),
    chunkIntervalMs: num(values['chunk-interval-ms'], 5, 'chunk-interval-ms'),
    out: values.out,
    strict: values.strict === true,
    keepLogs: values['keep-logs'] === true,
    conduitBin: values['conduit-bin'],
    pin: values['no-pin'] !== true,
    help: values.help === true,
  };
}
