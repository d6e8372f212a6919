/**
 * What a command may touch of the outside world, injectable so tests run commands in-process
 * with captured output and a controlled environment.
 */
import type { Env } from '../config/interpolate.js';

export interface CliOutput {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: Env;
  cwd: string;
  /** Text of stdin, for `conduit chat -`. */
  readStdin(): Promise<string>;
  /**
   * A signal aborted when the process should stop (SIGINT/SIGTERM). `serve` shuts down gracefully
   * on it; `chat` cancels its request. Signal handlers are installed only when a command asks, so
   * other commands keep Node's default Ctrl-C behaviour.
   */
  shutdownSignal(): AbortSignal;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    shutdownSignal: onceOnly(signalOnProcessSignals),
  };
}

function onceOnly<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

/** An AbortSignal aborted on the first SIGINT or SIGTERM; a second one exits at once. */
function signalOnProcessSignals(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`received ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
