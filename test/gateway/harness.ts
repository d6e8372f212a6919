/** Starts a gateway on 127.0.0.1:0 over scripted models, with its pino output captured. */
import pino from 'pino';
import { createGateway } from '../../src/gateway/server.js';
import type { Gateway, GatewayOptions } from '../../src/gateway/server.js';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import { ScriptedResolver } from './scripted-model.js';
import type { EmbeddingModel, LanguageModel } from '../../src/models/language-model.js';

export interface Harness {
  url: string;
  gateway: Gateway;
  resolver: ScriptedResolver;
  /** Every log line written so far, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log text. */
  logText(): string;
  close(): Promise<void>;
}

export async function startGateway(
  models: Record<string, LanguageModel>,
  embeddings: Record<string, EmbeddingModel> = {},
  options: Partial<GatewayOptions> = {},
): Promise<Harness> {
  const lines: string[] = [];
  const destination = { write: (s: string): void => void lines.push(s) };
  const logger = pino({ level: 'debug', base: undefined }, destination);
  const resolver = new ScriptedResolver(models, embeddings);
  const gateway = createGateway({ resolver, logger, metrics: new GatewayMetrics({ defaultMetrics: true }), ...options });
  const { url } = await gateway.listen(0, '127.0.0.1');
  return {
    url,
    gateway,
    resolver,
    get logs() {
      return lines.flatMap((l) => l.split('\n').filter((x) => x.trim() !== '')).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join(''),
    close: () => gateway.close(),
  };
}

/** Polls until `check` passes (for effects that land just after a response, e.g. abort propagation). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
