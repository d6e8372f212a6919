import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { installCleanupHandlers, stopAll } from './processes.js';
import { startConduitPolicies, startUpstream } from './servers.js';
import { chatRequestBody, type Target } from './targets.js';
const total = Number(process.argv[2] ?? 10000);
const storages = (process.argv[3] ?? 'postgres,embedded').split(',') as ('postgres' | 'embedded')[];
const bins: [string, string][] = [['base', '/tmp/base/bin/conduit.js'], ['new', '/work/main/bin/conduit.js']];
function cpu(pid: number): number { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / 100; }
async function load(t: Target, amount: number): Promise<number> {
  let seed = 1_000_000_000 + Math.floor(Math.random() * 1e8);
  const template = JSON.parse(chatRequestBody(t.model, false)) as Record<string, unknown>;
  const r = await autocannon({ url: t.origin + t.path, method: 'POST', headers: t.headers, body: chatRequestBody(t.model, false),
    requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ ...template, seed: seed++ }) }) }], connections: 32, amount, timeout: 10 });
  return r['2xx'];
}
const dir = mkdtempSync(join(tmpdir(), 'ab-'));
installCleanupHandlers();
try {
  const upstream = await startUpstream(dir, 5);
  const ts: [string, Target][] = [];
  for (const st of storages) for (const [label, bin] of bins) ts.push([`${st}/${label}`, (await startConduitPolicies(upstream, dir, st, bin)).target]);
  for (const [, t] of ts) await load(t, 3000);
  for (let round = 0; round < 2; round++) for (const [name, t] of ts) {
    const c0 = cpu(t.pid!); const ok = await load(t, total);
    console.log(`${name.padEnd(20)} ${(((cpu(t.pid!) - c0) * 1e6) / ok).toFixed(1)} µs/req (${ok})`);
  }
} finally { await stopAll(); }
