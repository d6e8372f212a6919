/**
 * Runs the real `conduit serve` as a child process — `node bin/conduit.js serve --config <file>`,
 * exactly what a user runs — with a conduit.yaml written for the test, and waits for its
 * "listening on <url>" line. The end-to-end tests then talk to it over real HTTP with the official
 * SDKs, and it talks over real HTTP to the fake upstreams.
 *
 * bin/conduit.js runs the compiled dist/, so `npm run build` must have run (`npm test` does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(REPO_ROOT, 'bin', 'conduit.js');
const DIST_ENTRY = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** How long the process may take to print its listening line (a loaded 2-core machine is slow to start node). */
const START_TIMEOUT_MS = 30_000;

export interface ConduitProcess {
  /** The gateway's origin, e.g. `http://127.0.0.1:41234` (no trailing slash, no /v1). */
  readonly url: string;
  /** The child's process id (lets a crash test SIGKILL it). */
  readonly pid: number | undefined;
  /** Everything the process wrote so far (stdout: JSON logs; stderr: CLI messages), for diagnostics. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Writes `config` as YAML to a temporary conduit.yaml and starts `conduit serve` on it. The child
 * gets a scrubbed environment: no OPENAI_API_KEY, CONDUIT_PORT or similar from the developer's
 * shell may change what the test configured.
 */
export async function startConduit(config: Record<string, unknown>): Promise<ConduitProcess> {
  if (!existsSync(DIST_ENTRY)) {
    throw new Error(`The end-to-end tests run bin/conduit.js, which needs the compiled sources: ${DIST_ENTRY} is missing. Run \`npm run build\` first (\`npm test\` does it).`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'conduit-e2e-'));
  const configPath = join(dir, 'conduit.yaml');
  writeFileSync(configPath, stringify(config));

  const child = spawn(process.execPath, [BIN, 'serve', '--config', configPath], {
    cwd: dir,
    env: scrubbedEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await terminate(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const url = await waitForListening(child, () => output);
    return { url, pid: child.pid, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function waitForListening(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => fail(new Error(`conduit serve did not report "listening on" within ${START_TIMEOUT_MS} ms. Output:\n${output()}`)), START_TIMEOUT_MS);
    const onData = (): void => {
      const m = /listening on (http:\/\/[^\s)]+)/.exec(output());
      if (m) {
        cleanup();
        resolveUrl(m[1]!.replace(/\/+$/, ''));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(new Error(`conduit serve exited (code ${code}, signal ${signal}) before listening. Output:\n${output()}`));
    const fail = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
    };
    // Registered after our own accumulating listener, so output() already holds this chunk.
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 5000)))]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** PATH and the like only: provider keys, base URLs and CONDUIT_* settings of the caller's shell must not leak in. */
function scrubbedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CONDUIT_|OPENAI_|ANTHROPIC_|OLLAMA_|LOG_LEVEL$|NODE_OPTIONS$)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}
