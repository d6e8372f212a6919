/** What a load test runs: the endpoint, the request it sends, and the load shape. */
import { ConduitError } from '../../core/errors.js';

export type LoadMode =
  /** Open loop: requests start on a fixed schedule whatever the responses do (no coordinated omission). */
  | { kind: 'rate'; requestsPerSecond: number; durationSeconds: number }
  /** Closed loop: `concurrency` workers, each sending its next request when the last one ends. */
  | { kind: 'concurrency'; concurrency: number; durationSeconds: number; maxRequests?: number };

export interface LoadTestOptions {
  /** A base URL (`http://host:8000`, `…/v1`) or the full chat-completions URL. */
  url: string;
  mode: LoadMode;
  model: string;
  prompt: string;
  maxTokens?: number;
  stream: boolean;
  /** Sent as `Authorization: Bearer …`. */
  apiKey?: string;
  /** Per request; a request past it counts as a `timeout` error. Default 60 s. */
  timeoutMs?: number;
  /** For the capacity line: the rate to plan for (req/s). */
  targetRate?: number;
  /** For the capacity line: the latency to plan for (ms); default the measured mean. */
  targetLatencyMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** The chat-completions endpoint for a base URL: `…/v1/chat/completions` unless the URL already names it. */
export function chatCompletionsUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConduitError('invalid_request', `'${raw}' is not a URL`, { code: 'invalid_url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConduitError('invalid_request', `'${raw}': only http and https URLs can be load-tested`, { code: 'invalid_url' });
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/chat/completions')) return url;
  url.pathname = path.endsWith('/v1') ? `${path}/chat/completions` : `${path}/v1/chat/completions`;
  return url;
}

export function validateLoadOptions(o: LoadTestOptions): void {
  const bad = (message: string): never => {
    throw new ConduitError('invalid_request', message, { code: 'invalid_load_options' });
  };
  const m = o.mode;
  if (!(m.durationSeconds > 0) || !Number.isFinite(m.durationSeconds)) bad(`the duration must be a positive number of seconds, got ${m.durationSeconds}`);
  if (m.kind === 'rate' && !(m.requestsPerSecond > 0 && Number.isFinite(m.requestsPerSecond))) bad(`the rate must be a positive number of requests per second, got ${m.requestsPerSecond}`);
  if (m.kind === 'concurrency') {
    if (!Number.isInteger(m.concurrency) || m.concurrency < 1) bad(`the concurrency must be a positive integer, got ${m.concurrency}`);
    if (m.maxRequests !== undefined && (!Number.isInteger(m.maxRequests) || m.maxRequests < 1)) bad(`the request count must be a positive integer, got ${m.maxRequests}`);
  }
  if (o.model.length === 0) bad('a model name is needed');
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) bad(`the timeout must be positive, got ${o.timeoutMs}`);
  if (o.targetRate !== undefined && !(o.targetRate > 0)) bad(`the target rate must be positive, got ${o.targetRate}`);
  if (o.targetLatencyMs !== undefined && !(o.targetLatencyMs > 0)) bad(`the target latency must be positive, got ${o.targetLatencyMs}`);
  chatCompletionsUrl(o.url);
}
