/**
 * JSON logs (pino). The gateway writes one line per request with ids, route, model, provider,
 * status and timings — never prompt or completion text, never credentials. Redaction is a second
 * line of defence for anything that logs headers or config objects by mistake.
 */
import pino from 'pino';
import type { DestinationStream, Logger, LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths censored in every log line (pino `redact`). Exact paths only: a single wildcard path
 * makes redaction walk every logged object (measured: ~1.0 µs → ~3.6 µs per line).
 */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'apiKey',
  'api_key',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["proxy-authorization"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'config.apiKey',
  'options.apiKey',
];

export interface LoggerOptions {
  /** Default `info`, or the `CONDUIT_LOG_LEVEL` / `LOG_LEVEL` environment variable. */
  level?: LevelWithSilent;
  /**
   * Where lines go. Default: stdout through an asynchronous pino destination, so writing a log
   * line never blocks the request path on the terminal or pipe.
   */
  destination?: DestinationStream;
  /** `name` field on every line. Default `conduit`. */
  name?: string;
}

const LEVELS: ReadonlySet<string> = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function levelFromEnv(): LevelWithSilent | undefined {
  const raw = process.env.CONDUIT_LOG_LEVEL ?? process.env.LOG_LEVEL;
  return raw !== undefined && LEVELS.has(raw) ? (raw as LevelWithSilent) : undefined;
}

/**
 * Stdout through an asynchronous destination that batches lines into writes of up to 8 KiB (one
 * syscall per batch instead of per request line on the hot path), flushed at least every 250 ms so
 * a quiet gateway's lines still appear promptly.
 */
function bufferedStdout(): DestinationStream {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 8192 });
  const timer = setInterval(() => {
    try {
      dest.flush();
    } catch {
      // flush() throws while a write is in progress; the next tick retries
    }
  }, 250);
  timer.unref();
  return dest;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? bufferedStdout();
  return pino(
    {
      name: options.name ?? 'conduit',
      level: options.level ?? levelFromEnv() ?? 'info',
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      // pid/hostname on every line cost serialisation time and say nothing a log shipper does not.
      base: undefined,
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination,
  );
}
