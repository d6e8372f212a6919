// Closed-loop throughput load, run as its own process so that the load generator never shares an
// event loop (or a core's time slice) with the orchestrator's bookkeeping. It drives autocannon
// (a well-known Node HTTP benchmarker) and prints ONE line of JSON on stdout.
//
// Input: a single argv argument holding JSON
//   { url, headers, body, connections, durationSec, warmupSec }
// Output: { requests2xx, non2xx, errors, timeouts, durationSec, rps, latency: {p50,p99,mean,max} }
import autocannon from 'autocannon';

const cfg = JSON.parse(process.argv[2] ?? '{}');

function run(durationSec) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: cfg.url,
        method: 'POST',
        headers: cfg.headers,
        body: cfg.body,
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
