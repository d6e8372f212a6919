/**
 * The measuring client: one undici connection pool per target, and the two request shapes the
 * benchmark sends (a plain chat completion, and a streamed one timed to its first content token).
 */
import { Pool } from 'undici';
import { chatRequestBody, type Target } from './targets.js';

export const OVERHEAD_HEADER = 'x-conduit-overhead-ms';

/** Response headers as undici gives them (lower-case names). */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface ChatSample {
  /** From the due time (open loop) to the last byte of the body. */
  latencyMs: number;
  /** Value of x-conduit-overhead-ms, when the target sent one. */
  overheadMs?: number;
}

export interface StreamSample {
  /** From the due time to the first SSE event carrying non-empty `delta.content`. */
  ttftMs: number;
  /** From the due time to the end of the stream. */
  totalMs: number;
  text: string;
  sawDone: boolean;
}

export class TargetClient {
  private pool: Pool;
  private readonly body: string;
  private readonly streamBody: string;
  /** Next seed for a `uniqueSeed` target (the throughput worker counts from 1e9, see there). */
  private nextSeed = 1;

  constructor(readonly target: Target, private readonly connections = 128) {
    this.pool = this.newPool();
    this.body = chatRequestBody(target.model, false);
    this.streamBody = chatRequestBody(target.model, true);
  }

  private newPool(): Pool {
    return new Pool(this.target.origin, { connections: this.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  }

  /**
   * Fails every queued and in-flight request at once and starts a fresh pool. Used when a load
   * window's deadline passes: undici only notices an aborted request once it reaches a connection,
   * so against a saturated server the queue would otherwise drain one slow response at a time and
   * leak load into the next measurement.
   */
  async reset(): Promise<void> {
    const old = this.pool;
    this.pool = this.newPool();
    await old.destroy(new Error('load window deadline passed'));
  }

  private bodyFor(stream: boolean): string {
    if (this.target.uniqueSeed !== true) return stream ? this.streamBody : this.body;
    return chatRequestBody(this.target.model, stream, this.nextSeed++);
  }

  async chat(dueAt: number, signal?: AbortSignal): Promise<ChatSample & { json: string; headers: ResponseHeaders }> {
    const res = await this.pool.request({
      path: this.target.path,
      method: 'POST',
      headers: this.target.headers,
      body: this.bodyFor(false),
      signal,
    });
    const json = await res.body.text();
    const latencyMs = performance.now() - dueAt;
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${json.slice(0, 200)}`);
    const raw = res.headers[OVERHEAD_HEADER];
    const overhead = typeof raw === 'string' ? Number.parseFloat(raw) : Number.NaN;
    const headers = res.headers;
    return Number.isFinite(overhead) ? { latencyMs, overheadMs: overhead, json, headers } : { latencyMs, json, headers };
  }

  async stream(dueAt: number, signal?: AbortSignal): Promise<StreamSample> {
    const res = await this.pool.request({
      path: this.target.path,
      method: 'POST',
      headers: { ...this.target.headers, accept: 'text/event-stream' },
      body: this.bodyFor(true),
      signal,
    });
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    }
    const decoder = new TextDecoder();
    let buffer = '';
    let text = '';
    let ttftMs = Number.NaN;
    let sawDone = false;
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Buffer, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') { sawDone = true; continue; }
          const piece = contentOf(data);
          if (piece) {
            if (Number.isNaN(ttftMs)) ttftMs = performance.now() - dueAt;
            text += piece;
          }
        }
      }
    }
    const totalMs = performance.now() - dueAt;
    if (Number.isNaN(ttftMs)) throw new Error('stream carried no content');
    return { ttftMs, totalMs, text, sawDone };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** `choices[0].delta.content` of one chunk, or '' when the chunk has none. */
function contentOf(data: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return '';
  }
  if (typeof parsed !== 'object' || parsed === null) return '';
  const choices = (parsed as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length === 0) return '';
  const delta = (choices[0] as { delta?: { content?: unknown } }).delta;
  return typeof delta?.content === 'string' ? delta.content : '';
}
