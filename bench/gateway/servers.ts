/**
 * Starts each benchmarked server in its own process and describes how to reach it. Every server
 * gets NODE_ENV=production and an environment without provider/Conduit variables, so nothing
 * inherited from the shell (a real OPENAI_API_KEY, say) can change what is measured.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import pg from 'pg';
import { freePort, onCleanup, startServer, type ServerProcess } from './processes.js';
import { API_KEY, baseHeaders, CHAT_PATH, portkeyHeaders, type Target } from './targets.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const HERE = join(REPO_ROOT, 'bench', 'gateway');

/** The fake upstream's fixed reply (see fake-upstream.mjs). */
export const UPSTREAM_REPLY_TEXT = 'Hello from the fake upstream.';

export function cleanServerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OPENAI_|ANTHROPIC_|OLLAMA_|CONDUIT_|PORTKEY_|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  env.NODE_ENV = 'production';
  return env;
}

export interface Upstream {
  process: ServerProcess;
  origin: string;
}

export async function startUpstream(logDir: string, chunkIntervalMs: number): Promise<Upstream> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = await startServer({
    name: 'upstream',
    args: [join(HERE, 'fake-upstream.mjs'), `--port=${port}`, `--chunk-interval-ms=${chunkIntervalMs}`],
    port,
    readyUrl: `${origin}/__stats`,
    logDir,
    env: cleanServerEnv(),
  });
  return { process: proc, origin };
}

export function directTarget(upstream: Upstream): Target {
  return { name: 'direct', origin: upstream.origin, path: CHAT_PATH, model: 'gpt-4o-mini', headers: baseHeaders(), pid: upstream.process.pid };
}

export async function startBareProxy(upstream: Upstream, logDir: string): Promise<{ process: ServerProcess; target: Target }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = await startServer({
    name: 'bare-proxy',
    args: [join(HERE, 'bare-proxy.mjs'), `--port=${port}`, `--upstream=${upstream.origin}`],
    port,
    readyUrl: `${origin}/__stats`,
    logDir,
    env: cleanServerEnv(),
  });
  return { process: proc, target: { name: 'bare-proxy', origin, path: CHAT_PATH, model: 'gpt-4o-mini', headers: baseHeaders(), pid: proc.pid } };
}

export async function startPortkey(upstream: Upstream, logDir: string): Promise<{ process: ServerProcess; target: Target }> {
  const entry = join(REPO_ROOT, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (!existsSync(entry)) throw new Error(`Portkey gateway not installed (${entry} missing); run npm ci`);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = await startServer({
    name: 'portkey',
    args: [
      '--import', join(HERE, 'loopback-listen.mjs'),
      '--import', join(HERE, 'portkey-stream-headers-fix.mjs'),
      entry, `--port=${port}`, '--headless',
    ],
    port,
    readyUrl: `${origin}/`,
    logDir,
    env: cleanServerEnv(),
    readyTimeoutMs: 30_000,
  });
  return { process: proc, target: { name: 'portkey', origin, path: CHAT_PATH, model: 'gpt-4o-mini', headers: portkeyHeaders(upstream.origin), pid: proc.pid } };
}

/** Newest modification time under a folder (to warn when dist/ is older than src/). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** The Conduit CLI entry to start, with a warning when dist/ looks older than src/. */
function conduitEntry(conduitBin: string | undefined): { bin: string; warnings: string[] } {
  const warnings: string[] = [];
  const bin = conduitBin === undefined ? join(REPO_ROOT, 'bin', 'conduit.js') : resolve(conduitBin);
  if (conduitBin === undefined) {
    const main = join(REPO_ROOT, 'dist', 'cli', 'main.js');
    if (!existsSync(main)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
    const srcDir = join(REPO_ROOT, 'src');
    if (existsSync(srcDir) && newestMtime(srcDir) > statSync(main).mtimeMs) {
      warnings.push('src/ has files newer than dist/cli/main.js: the build may be stale (npm run build)');
    }
  } else if (!existsSync(bin)) throw new Error(`--conduit-bin ${bin} does not exist`);
  return { bin, warnings };
}

/** The part of conduit.yaml both Conduit targets share: Conduit in front of the fake upstream. */
function conduitBaseConfig(port: number, upstream: Upstream): string[] {
  return [
    'server:',
    '  host: 127.0.0.1',
    `  port: ${port}`,
    'providers:',
    '  openai:',
    `    api_key: ${API_KEY}`,
    `    base_url: ${upstream.origin}/v1`,
  ];
}

export async function startConduit(
  upstream: Upstream,
  logDir: string,
  conduitBin?: string,
): Promise<{ process: ServerProcess; target: Target; warnings: string[] }> {
  const { bin, warnings } = conduitEntry(conduitBin);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const configFile = join(logDir, 'conduit.yaml');
  writeFileSync(
    configFile,
    ['# Written by bench/gateway: Conduit in front of the fake upstream.', ...conduitBaseConfig(port, upstream), ''].join('\n'),
  );
  const proc = await startServer({
    name: 'conduit',
    args: [bin, 'serve', '--config', configFile],
    port,
    readyUrl: `${origin}/health`,
    logDir,
    env: cleanServerEnv(),
    readyTimeoutMs: 30_000,
  });
  return {
    process: proc,
    target: { name: 'conduit', origin, path: CHAT_PATH, model: 'openai/gpt-4o-mini', headers: baseHeaders(), pid: proc.pid },
    warnings,
  };
}

/** Limits far above anything one machine can send, so the policies run in full but never refuse. */
export const UNREACHABLE_PER_MINUTE = 10_000_000;
export const UNREACHABLE_BUDGET_USD = 1_000_000;

/**
 * `conduit serve` with the whole policy stack of issue 3 on: a master key and one virtual key
 * (created through the admin API before anything is measured; every request carries it), per-key
 * rate limits and budgets (config defaults and the key's own), the exact cache (in memory; the
 * benchmark's requests each carry their own `seed`, so they miss and the upstream is still called),
 * audit (hashed content) and metrics. Storage is embedded PGlite under the run's temp folder (no
 * DATABASE_URL / REDIS_URL), with `durable_writes: false`: usage events and audit entries are
 * written in the background instead of before each answer.
 */
export async function startConduitPolicies(
  upstream: Upstream,
  logDir: string,
  storage: 'embedded' | 'postgres',
  conduitBin?: string,
): Promise<{ process: ServerProcess; target: Target; warnings: string[] }> {
  const { bin, warnings } = conduitEntry(conduitBin);
  const name = storage === 'embedded' ? 'conduit-policies' : 'conduit-policies-pg';
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const masterKey = `mk-bench-${randomBytes(12).toString('hex')}`;
  const stateDir = join(logDir, `${name}-state`);
  const configFile = join(logDir, `${name}.yaml`);
  const databaseUrl = storage === 'postgres' ? await benchSchema() : undefined;
  const limits = `{ requests_per_minute: ${UNREACHABLE_PER_MINUTE}, tokens_per_minute: ${UNREACHABLE_PER_MINUTE} }`;
  writeFileSync(
    configFile,
    [
      '# Written by bench/gateway: Conduit in front of the fake upstream, every policy on.',
      ...conduitBaseConfig(port, upstream),
      'storage:',
      `  state_dir: ${JSON.stringify(stateDir)}`,
      ...(databaseUrl === undefined ? [] : [`  database_url: ${JSON.stringify(databaseUrl)}`]),
      '  durable_writes: false',
      'auth:',
      `  master_key: ${masterKey}`,
      'rate_limits:',
      `  per_key: ${limits}`,
      'budgets:',
      '  - id: bench-per-key-daily',
      '    scope: key',
      '    scope_id: "*"',
      '    window: day',
      `    limit_usd: ${UNREACHABLE_BUDGET_USD}`,
      'cache:',
      '  exact:',
      '    enabled: true',
      '    backend: memory',
      'audit:',
      '  enabled: true',
      '  content: hash',
      '',
    ].join('\n'),
  );
  const env = cleanServerEnv();
  // Storage is what this target says, whatever the shell has set; rate limits and budgets stay in-process (no Redis).
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const proc = await startServer({
    name,
    args: [bin, 'serve', '--config', configFile],
    port,
    readyUrl: `${origin}/health`,
    logDir,
    env,
    readyTimeoutMs: 60_000,
  });
  const virtualKey = await createVirtualKey(origin, masterKey);
  return {
    process: proc,
    target: {
      name,
      origin,
      path: CHAT_PATH,
      model: 'openai/gpt-4o-mini',
      headers: { ...baseHeaders(), authorization: `Bearer ${virtualKey}` },
      pid: proc.pid,
      uniqueSeed: true,
    },
    warnings,
  };
}

/** PostgreSQL for the `conduit-policies-pg` target (default: the local server of the test suite). */
export const BENCH_DATABASE_URL = process.env.CONDUIT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh schema on the benchmark's PostgreSQL, dropped when the run ends (registered with the
 * process cleanup), and a connection URL whose search_path points at it.
 */
async function benchSchema(): Promise<string> {
  const schema = `conduit_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  onCleanup(async () => {
    const c = new pg.Client({ connectionString: BENCH_DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
  return `${BENCH_DATABASE_URL}${BENCH_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** POST /admin/keys with the master key: a key with its own (unreachable) limits and budget. */
async function createVirtualKey(origin: string, masterKey: string): Promise<string> {
  const res = await request(`${origin}/admin/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${masterKey}` },
    body: JSON.stringify({
      name: 'gateway-benchmark',
      limits: { requestsPerMinute: UNREACHABLE_PER_MINUTE, tokensPerMinute: UNREACHABLE_PER_MINUTE },
      budgets: [{ window: 'day', limitUsd: UNREACHABLE_BUDGET_USD }],
    }),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`POST /admin/keys answered ${res.statusCode}: ${text.slice(0, 300)}`);
  const key = (JSON.parse(text) as { key?: unknown }).key;
  if (typeof key !== 'string' || key === '') throw new Error(`POST /admin/keys returned no key: ${text.slice(0, 300)}`);
  return key;
}
