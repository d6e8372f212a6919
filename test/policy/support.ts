/** An in-process gateway with policies from a conduit.yaml-shaped object, over the fake OpenAI upstream. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createGateway } from '../../src/gateway/server.js';
import type { Gateway } from '../../src/gateway/server.js';
import { openPolicies } from '../../src/gateway/policy/open-policies.js';
import type { OpenedPolicies } from '../../src/gateway/policy/open-policies.js';
import { createModelRegistry } from '../../src/models/registry/index.js';
import type { FakeOpenAI } from '../fake-upstream/openai-upstream.js';

export interface PolicyGateway {
  url: string;
  gateway: Gateway;
  policies: OpenedPolicies;
  close(): Promise<void>;
}

export async function startPolicyGateway(upstream: FakeOpenAI, policyConfig: Record<string, unknown>): Promise<PolicyGateway> {
  const stateDir = mkdtempSync(join(tmpdir(), 'conduit-policy-'));
  const config = configSchema.parse({
    providers: { openai: { api_key: 'sk-upstream', base_url: upstream.url } },
    reliability: { max_retries: 0, health_check_interval_ms: 0 },
    storage: { state_dir: stateDir },
    ...policyConfig,
  });
  const registry = createModelRegistry({ config });
  const policies = await openPolicies(config, { priceTable: registry.priceTable, env: {} });
  const gateway = createGateway({
    resolver: registry,
    ...(policies.policy === undefined ? {} : { policy: policies.policy }),
    ...(policies.admin === undefined ? {} : { admin: policies.admin }),
    readiness: () => policies.readiness(),
  });
  const { url } = await gateway.listen(0, '127.0.0.1');
  return {
    url,
    gateway,
    policies,
    async close() {
      await gateway.close();
      await policies.close();
      registry.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function call(url: string, path: string, init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export function chat(url: string, key: string | undefined, content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Reply> {
  return call(url, '/v1/chat/completions', { key, headers, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }], ...extra } });
}

export function errorCode(reply: Reply): unknown {
  return (reply.body.error as { code?: unknown } | undefined)?.code;
}
