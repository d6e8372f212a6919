/**
 * The console's way into the gateway's own HTTP routes (agent runs, chat completions): a loopback
 * call with the master key. Going through the routes rather than around them keeps one behaviour
 * for a console action and an API caller's — emergency stop, budgets, ledger, audit, tracing.
 */
import { ConduitError } from '../core/errors.js';

export interface LoopbackReply {
  status: number;
  body: Record<string, unknown>;
}

export interface GatewayClient {
  request(path: string, init?: { method?: string; body?: unknown; timeoutMs?: number }): Promise<LoopbackReply>;
}

export interface GatewayClientOptions {
  /** The gateway's own base URL, known once it listens. */
  baseUrl: () => string | undefined;
  /** A credential the routes accept (the master key). */
  credential: string;
}

/** The message of an OpenAI-shaped error body, or a generic one naming the status. */
export function replyErrorMessage(reply: LoopbackReply): string {
  const err = reply.body.error as { message?: unknown } | undefined;
  return typeof err?.message === 'string' ? err.message : `the gateway answered ${reply.status}`;
}

/** The error code of an OpenAI-shaped error body. */
export function replyErrorCode(reply: LoopbackReply): string | undefined {
  const err = reply.body.error as { code?: unknown } | undefined;
  return typeof err?.code === 'string' ? err.code : undefined;
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  return {
    async request(path, init = {}) {
      const base = options.baseUrl();
      if (base === undefined) throw new ConduitError('provider_unavailable', 'The gateway is not listening yet', { code: 'not_listening' });
      const res = await fetch(base + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${options.credential}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(init.timeoutMs ?? 120_000),
      });
      const text = await res.text();
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = text === '' ? {} : JSON.parse(text);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        body = { error: { message: text.slice(0, 500) } };
      }
      return { status: res.status, body };
    },
  };
}
