/**
 * What a load generator needs to know about one target: where to send, which headers and which
 * model name make the same request valid there, and which process to read memory from.
 */
export type TargetName = 'direct' | 'bare-proxy' | 'conduit' | 'conduit-policies' | 'conduit-policies-pg' | 'portkey';

export const ALL_TARGETS: readonly TargetName[] = ['direct', 'bare-proxy', 'conduit', 'conduit-policies', 'conduit-policies-pg', 'portkey'];

/** The full policy stack of issue 3, on embedded state (PGlite) and on PostgreSQL. */
export const POLICY_TARGETS = ['conduit-policies', 'conduit-policies-pg'] as const satisfies readonly TargetName[];

export interface Target {
  name: TargetName;
  /** e.g. http://127.0.0.1:8787 */
  origin: string;
  /** Path of the chat completions endpoint on this target. */
  path: string;
  /** Model name as this target expects it (Conduit routes by `provider/model`). */
  model: string;
  headers: Record<string, string>;
  /** The process whose memory is reported for this target (for `direct`: the upstream itself). */
  pid: number;
  /**
   * Give every request its own `seed`, so a target with the exact cache on misses it and still
   * calls the upstream (seed is part of the cache key; `user` is not). The other targets ignore
   * the field's absence, so they keep sending the identical body.
   */
  uniqueSeed?: boolean;
}

export const CHAT_PATH = '/v1/chat/completions';
export const API_KEY = 'sk-bench';

/**
 * The same small chat request for every target; only the model name differs where it must, and
 * `seed` is added only for targets that must miss their cache (see `Target.uniqueSeed`).
 */
export function chatRequestBody(model: string, stream: boolean, seed?: number): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'Say hello in five words.' },
    ],
    max_tokens: 32,
    temperature: 0,
    ...(stream ? { stream: true } : {}),
    ...(seed === undefined ? {} : { seed }),
  });
}

export function baseHeaders(): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
}

/** Portkey routes by headers: provider `openai`, and a custom host pointing at the fake upstream. */
export function portkeyHeaders(upstreamOrigin: string): Record<string, string> {
  return {
    ...baseHeaders(),
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${upstreamOrigin}/v1`,
  };
}
