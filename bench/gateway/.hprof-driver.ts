import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { installCleanupHandlers, stopAll } from './processes.js';
import { startConduitPolicies, startUpstream } from './servers.js';
import { chatRequestBody } from './targets.js';
const storage = (process.argv[2] ?? 'postgres') as 'postgres' | 'embedded';
const dir = mkdtempSync(join(tmpdir(), 'hprof-'));
installCleanupHandlers();
const upstream = await startUpstream(dir, 5);
const { target } = await startConduitPolicies(upstream, dir, storage, '/tmp/hprof/wrap.mjs');
const template = JSON.parse(chatRequestBody(target.model, false)) as Record<string, unknown>;
let seed = 1;
const r = await autocannon({ url: target.origin + target.path, method: 'POST', headers: target.headers, body: chatRequestBody(target.model, false),
  requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ ...template, seed: seed++ }) }) }], connections: 32, amount: 15000, timeout: 10 });
console.log('2xx', r['2xx']);
await stopAll();
