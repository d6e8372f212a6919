/**
 * One request of a load test, timed: status, total latency, time to first token when streaming
 * (the first SSE event carrying content), output tokens from the usage the server reports.
 */
import type { Dispatcher } from 'undici';
import { request } from 'undici';

export interface ProbeResult {
  /** HTTP status, or undefined when no response came (network error, timeout). */
  status?: number;
  /** `HTTP 429`, `timeout`, `ECONNREFUSED`…; undefined on success. */
  error?: string;
  /** From the scheduled start (open loop) or the send (closed loop) to the end of the body. */
  latencyMs: number;
  ttftMs?: number;
  outputTokens?: number;
}

export interface ProbeTarget {
  url: URL;
  body: string;
  headers: Record<string, string>;
  stream: boolean;
  timeoutMs: number;
  dispatcher: Dispatcher;
}

/** Sends one request; `startedAt` (performance.now() ms) is when it was meant to start. */
export async function probe(target: ProbeTarget, startedAt: number): Promise<ProbeResult> {
  const signal = AbortSignal.timeout(target.timeoutMs);
  try {
    const res = await request(target.url, { method: 'POST', body: target.body, headers: target.headers, dispatcher: target.dispatcher, signal });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      return { status: res.statusCode, error: `HTTP ${res.statusCode}`, latencyMs: performance.now() - startedAt };
    }
    if (!target.stream) {
      const json = (await res.body.json()) as { usage?: { completion_tokens?: unknown } };
      const tokens = json.usage?.completion_tokens;
      return { status: res.statusCode, latencyMs: performance.now() - startedAt, ...(typeof tokens === 'number' ? { outputTokens: tokens } : {}) };
    }
    return { status: res.statusCode, ...(await readStream(res.body, startedAt)) };
  } catch (err) {
    return { error: describeFailure(err, signal), latencyMs: performance.now() - startedAt };
  }
}

async function readStream(body: AsyncIterable<Buffer>, startedAt: number): Promise<Omit<ProbeResult, 'status'>> {
  let ttftMs: number | undefined;
  let outputTokens: number | undefined;
  let pending = '';
  let streamError: string | undefined;
  for await (const chunk of body) {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') continue;
      let event: { choices?: { delta?: { content?: unknown } }[]; usage?: { completion_tokens?: unknown }; error?: unknown };
      try {
        event = JSON.parse(data) as typeof event;
      } catch {
        continue;
      }
      if (event.error !== undefined) streamError = 'stream error';
      const content = event.choices?.[0]?.delta?.content;
      if (ttftMs === undefined && typeof content === 'string' && content.length > 0) ttftMs = performance.now() - startedAt;
      if (typeof event.usage?.completion_tokens === 'number') outputTokens = event.usage.completion_tokens;
    }
  }
  return { latencyMs: performance.now() - startedAt, ...(ttftMs === undefined ? {} : { ttftMs }), ...(outputTokens === undefined ? {} : { outputTokens }), ...(streamError === undefined ? {} : { error: streamError }) };
}

function describeFailure(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const causeCode = (err as { cause?: { code?: unknown } }).cause?.code;
  if (typeof causeCode === 'string') return causeCode;
  return err instanceof Error ? err.name : 'error';
}
