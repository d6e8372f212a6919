// Closed-loop throughput load, run as its own process so that the load generator never shares an
// event loop (or a core's time slice) with the orchestrator's bookkeeping. It drives autocannon
// (a well-known Node HTTP benchmarker) and prints ONE line of JSON on stdout.
//
// Input: a single argv argument holding JSON
//   { url, headers, body, connections, durationSec, warmupSec, uniqueSeed? }
// uniqueSeed: every request gets its own `seed` (from 1e9 up, clear of the orchestrator's own
// client, which counts from 1), so a gateway with its exact cache on misses and calls upstream.
// Output: { requests2xx, non2xx, errors, timeouts, durationSec, rps, latency: {p50,p99,mean,max} }
import autocannon from 'autocannon';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const template = cfg.uniqueSeed ? JSON.parse(cfg.body) : undefined;
let nextSeed = 1_000_000_000;
// autocannon builds each request from this (and sets content-length from the new body).
const requests = template
  ? [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ ...template, seed: nextSeed++ }) }) }]
  : undefined;

function run(durationSec) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: cfg.url,
        method: 'POST',
        headers: cfg.headers,
        body: cfg.body,
        ...(requests ? { requests } : {}),
        connections: cfg.connections,
        pipelining: 1,
        duration: durationSec,
        timeout: 10,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

if (cfg.warmupSec > 0) await run(cfg.warmupSec);
const r = await run(cfg.durationSec);
const ok = r['2xx'] ?? 0;
process.stdout.write(
  JSON.stringify({
    requests2xx: ok,
    non2xx: r.non2xx ?? 0,
    errors: r.errors ?? 0,
    timeouts: r.timeouts ?? 0,
    durationSec: r.duration,
    rps: ok / r.duration,
    latency: { p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean, max: r.latency.max },
  }) + '\n',
);
