/**
 * JSON logs (pino). The gateway writes one line per request with ids, route, model, provider,
 * status and timings — never prompt or completion text, never credentials. Redaction is a second
 * line of defence for anything that logs headers or config objects by mistake.
 */
import pino from 'pino';
import type { DestinationStream, Logger, LevelWithSilent } from 'pino';
import { LineBatch } from './line-batch.js';

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
  const dest = pino.destination({ dest: 1, sync: false });
  const batch = new LineBatch(dest, 8192);
  const timer = setInterval(() => batch.flush(), 250);
  timer.unref();
  return batch;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? bufferedStdout();
  const logger = pino(
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
  PLAIN_LOGGERS.add(logger);
  return logger;
}

/**
 * Loggers made by createLogger: no formatters, hooks, mixin, serializers or nested key, and
 * redaction only of the REDACT_PATHS keys. For them a line of plain fields can be written
 * pre-serialised (see RequestLineWriter) with exactly the bytes pino would write.
 */
const PLAIN_LOGGERS = new WeakSet<Logger>();

type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

interface PinoInternals {
  [key: symbol]: unknown;
}

/**
 * Writes one log line whose fields the caller serialised itself (with `jsonString`/`jsonNumber`),
 * straight to the logger's destination: the gateway's per-request line costs a string concat
 * instead of pino's generic object walk (measured: several µs per request). The bytes are the
 * ones `logger[level](fields, msg)` writes: `{"level":N,"time":T` + the logger's bindings + the
 * fields + `"msg"` + `}\n`. Only for fields of strings, numbers and booleans whose keys are not
 * redacted (no REDACT_PATHS key), so redaction has nothing to change in them.
 */
export class RequestLineWriter {
  private readonly internals: PinoInternals;

  private constructor(private readonly logger: Logger) {
    this.internals = logger as unknown as PinoInternals;
  }

  /** A writer for `logger`, or undefined when pino must write the line itself (a custom logger or a multistream). */
  static for(logger: Logger): RequestLineWriter | undefined {
    if (!PLAIN_LOGGERS.has(logger)) return undefined;
    const stream = (logger as unknown as PinoInternals)[pino.symbols.streamSym] as PinoInternals | undefined;
    if (stream === undefined || stream[pino.symbols.needsMetadataGsym] === true) return undefined;
    return new RequestLineWriter(logger);
  }

  /** `fields`: `,"key":value` pairs, values serialised with jsonString / jsonNumber / String(boolean). Call only when the level is enabled. */
  write(level: LevelName, fields: string, msg: string): void {
    const i = this.internals;
    const time = (i[pino.symbols.timeSym] as () => string)();
    const line = '{"level":' + this.logger.levels.values[level]! + time + (i[pino.symbols.chindingsSym] as string) + fields + ',"msg":' + jsonString(msg) + '}\n';
    (i[pino.symbols.streamSym] as DestinationStream).write(line);
  }
}

// pino ≥ 10 switches to JSON.stringify for strings on Node 25+, where it is the faster one.
const JSON_STRINGIFY_STRINGS = Number(process.versions.node.split('.')[0]) >= 25;

/** A string as pino writes it (its own fast escaping below 100 characters, JSON.stringify otherwise). */
export function jsonString(str: string): string {
  if (JSON_STRINGIFY_STRINGS) return JSON.stringify(str);
  const l = str.length;
  if (l > 100) return JSON.stringify(str);
  let result = '';
  let last = 0;
  let found = false;
  let point = 255;
  for (let i = 0; i < l && point >= 32; i++) {
    point = str.charCodeAt(i);
    if (point === 34 || point === 92) {
      result += str.slice(last, i) + '\\';
      last = i;
      found = true;
    }
  }
  if (!found) result = str;
  else result += str.slice(last);
  return point < 32 ? JSON.stringify(str) : '"' + result + '"';
}

/** A number as pino writes it (non-finite → null). */
export function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
