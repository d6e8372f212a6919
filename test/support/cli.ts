/**
 * Runs `conduit` commands in-process through `main(argv, io)` with a captured CliIo: output is
 * collected in strings instead of the terminal, and the environment, working directory, stdin text
 * and shutdown signal are whatever the test says (never the real process's).
 */
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import type { Env } from '../../src/config/interpolate.js';

export interface CaptureOptions {
  cwd: string;
  /** The command's whole environment; empty by default so nothing leaks in from the test process. */
  env?: Env;
  /** Text `readStdin()` returns (`conduit chat -`); empty by default. */
  stdin?: string;
  /** Aborted to stop a long-running command such as `conduit serve`; never aborted by default. */
  signal?: AbortSignal;
}

export interface CapturedIo {
  io: CliIo;
  /** Everything written to stdout so far (live: read it while the command still runs). */
  stdout(): string;
  /** Everything written to stderr so far (live). */
  stderr(): string;
  /**
   * The URL of the first `listening on http://…` line on stderr, as `serve` commands announce it.
   * Stays pending if the command never listens, so race it against the command's exit.
   */
  listeningUrl(): Promise<string>;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const LISTENING = /listening on (http:\/\/\S+)/;

export function captureIo(options: CaptureOptions): CapturedIo {
  let stdout = '';
  let stderr = '';
  let resolveUrl: ((url: string) => void) | undefined;
  // Created up front so a line written before anyone asks is still seen.
  const urlSeen = new Promise<string>((resolve) => (resolveUrl = resolve));
  const io: CliIo = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        // Matched against all of stderr, not the chunk: a line may arrive in pieces.
        const url = LISTENING.exec(stderr)?.[1];
        if (url !== undefined) resolveUrl?.(url);
        return true;
      },
    },
    env: options.env ?? {},
    cwd: options.cwd,
    readStdin: async () => options.stdin ?? '',
    shutdownSignal: () => options.signal ?? new AbortController().signal,
  };
  return { io, stdout: () => stdout, stderr: () => stderr, listeningUrl: () => urlSeen };
}

/** Runs one command to completion and returns its exit code and output. */
export async function runCli(argv: readonly string[], options: CaptureOptions): Promise<CliRun> {
  const captured = captureIo(options);
  const code = await main([...argv], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
