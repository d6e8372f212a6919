/**
 * A real gateway with policies (master key, dead-letter queue, a global budget) over the fake
 * OpenAI upstream, with the console mounted in front of it as `conduit serve` does.
 */
import { join } from 'node:path';
import { approvalsOverHttp, attachConsole, createGatewayClient } from '../../src/console/index.js';
import { createAgentRoutes } from '../../src/agents/http/agent-routes.js';
import { createAgentRuntime } from '../../src/agents/runs/agent-runtime.js';
import { createSqlRunStore } from '../../src/agents/runs/sql-run-store.js';
import { createCalculatorTool } from '../../src/agents/tools/calculator/calculator-tool.js';
import { createAuditLog } from '../../src/audit/index.js';
import { createOpenAIModel } from '../../src/models/providers/openai/index.js';
import { startGateway, type Harness } from '../gateway/harness.js';
import { toolThenAnswer } from '../agents/http/agent-scenarios.js';
import type { ConduitConsole } from '../../src/console/index.js';
import { SqlTraceStore, Tracer } from '../../src/observability/tracing/index.js';
import { AlertEngine, defaultAlertRules } from '../../src/observability/alerting/index.js';
import { configSchema } from '../../src/config/schema.js';
import { createModelRegistry } from '../../src/models/registry/index.js';
import { createPromptRegistry } from '../../src/prompting/registry.js';
import type { NewDeadLetterItem } from '../../src/structured/index.js';
import { emptyUsage } from '../../src/core/usage.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { startPolicyGateway, type PolicyGateway } from '../policy/support.js';
import { startIncidentApp, type IncidentApp } from './incident-support.js';

export const MASTER = 'mk-console-test-master-key-0123456789';
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface ConsoleGateway {
  url: string;
  upstream: FakeOpenAI;
  pg: PolicyGateway;
  console: ConduitConsole;
  /** With `tracing`: a tracer exporting into the trace store the console reads. */
  tracer: Tracer | undefined;
  /** With `agents`: a gateway serving agent `ops`, whose calculator calls wait for approval. */
  agentsUrl: string | undefined;
  /** With `alerting`: the alert engine over this gateway's metrics (evaluate() by hand; error rate fires at once). */
  alerts: AlertEngine | undefined;
  /** With `incidents`: the incident service the console reads, and its routes on a gateway of their own. */
  incidents: IncidentApp | undefined;
  close(): Promise<void>;
}

export async function startConsoleGateway(options: { tracing?: boolean; agents?: boolean; alerting?: boolean; incidents?: boolean; sampleIntervalMs?: number } = {}): Promise<ConsoleGateway> {
  const upstream = await startFakeOpenAI({ defaultText: '{"category":"billing","priority":"p2","reason":"refund"}' });
  const policyConfig = {
    auth: { master_key: MASTER },
    dlq: { enabled: true },
    default_model: 'openai/gpt-4o-mini',
    budgets: [{ id: 'global-hour', scope: 'global', window: 'hour', limit_usd: 5 }],
  };
  const pg = await startPolicyGateway(upstream, policyConfig);
  // startPolicyGateway keeps its registry to itself; the console only lists models from this one.
  const store = options.tracing === true && pg.policies.db !== undefined ? await SqlTraceStore.open(pg.policies.db, { pruneIntervalMs: 0 }) : undefined;
  const tracer = store === undefined ? undefined : new Tracer({ exporter: store });
  const agents = options.agents === true && pg.policies.db !== undefined ? await startAgents(pg.policies.db) : undefined;
  const incidents = options.incidents === true && pg.policies.db !== undefined ? await startIncidentApp(pg.policies.db) : undefined;
  const alerts = options.alerting === true ? new AlertEngine({ rules: defaultAlertRules({ error_rate: { for_ms: 0 } }), registry: pg.gateway.metrics.registry, notifiers: [] }) : undefined;
  // The baseline reading: rates need two.
  await alerts?.evaluate();
  const resolver = createModelRegistry({ config: configSchema.parse({ providers: { openai: { api_key: 'sk-upstream', base_url: upstream.url } }, reliability: { max_retries: 0, health_check_interval_ms: 0 } }) });
  const console = attachConsole({
    gateway: pg.gateway,
    resolver,
    policies: pg.policies,
    baseUrl: () => pg.url,
    prompts: createPromptRegistry({ root: join(REPO_ROOT, 'prompts') }),
    // startPolicyGateway takes no app routes: the agent routes run on a gateway of their own, reached the same way.
    ...(agents === undefined ? {} : { approvals: approvalsOverHttp(createGatewayClient({ baseUrl: () => agents.gateway.url, credential: MASTER })) }),
    ...(store === undefined ? {} : { traces: store }),
    ...(alerts === undefined ? {} : { alerts }),
    ...(incidents === undefined ? {} : { incidents: incidents.service }),
    sampleIntervalMs: options.sampleIntervalMs ?? 250,
  });
  return {
    url: pg.url,
    upstream,
    pg,
    console,
    tracer,
    agentsUrl: agents?.gateway.url,
    alerts,
    incidents,
    async close() {
      await tracer?.shutdown();
      await incidents?.close();
      await agents?.gateway.close();
      await agents?.upstream.close();
      await pg.close();
      resolver.close();
      await upstream.close();
    },
  };
}

const PERSON_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'number' } },
  required: ['name', 'age'],
  additionalProperties: false,
};

/** A structured-output failure as the DLQ receives it: two failed attempts and a partial parse. */
export function failedPerson(label: string): NewDeadLetterItem {
  return {
    schemaName: 'person',
    schema: PERSON_SCHEMA,
    input: [{ role: 'user', content: `Extract the person from: ${label}` }],
    attempts: [
      { attempt: 1, raw: '{"name": "Ann", "age": "old"}', issues: [{ path: 'age', message: 'expected number' }], parsed: { name: 'Ann', age: 'old' }, finishReason: 'stop', usage: emptyUsage(), provider: 'openai', model: 'gpt-4o-mini' },
      { attempt: 2, raw: 'not json', parseError: 'no JSON found', finishReason: 'stop', usage: emptyUsage(), provider: 'openai', model: 'gpt-4o-mini' },
    ],
    errors: ['attempt 1: age: expected number', 'attempt 2: no JSON found'],
    bestPartial: { name: 'Ann' },
  };
}

/** A console API call with the session cookie (and the CSRF header on writes). */
export async function consoleCall(
  url: string,
  path: string,
  init: { method?: string; body?: unknown; cookie?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { ...(method === 'GET' ? {} : { 'x-conduit-console': '1' }), ...(init.cookie === undefined ? {} : { cookie: init.cookie }), ...(init.headers ?? {}) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}/console/api/${path}`, { method, headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Logs in and returns the `name=value` cookie pair. */
export async function login(url: string): Promise<string> {
  const res = await consoleCall(url, 'login', { body: { master_key: MASTER } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0]!;
}

/**
 * Records one trace shaped like a traced chat completion (request span → model call → retry
 * attempt, the first attempt failed) through the real tracer into the trace store; returns its id.
 */
export async function recordSampleTrace(tracer: Tracer, keyId = 'key-demo'): Promise<string> {
  const t0 = Date.now() - 500;
  const root = tracer.startSpan('POST /v1/chat/completions', {
    kind: 'server',
    parent: null,
    startTimeMs: t0,
    attributes: { 'http.request.method': 'POST', 'gen_ai.request.model': 'gpt-4o-mini', 'conduit.key_id': keyId, 'conduit.cost_usd': 0.00042, 'gen_ai.provider.name': 'openai' },
  });
  const call = tracer.startSpan('chat gpt-4o-mini', { kind: 'client', parent: root, startTimeMs: t0 + 5, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 48 } });
  const first = tracer.startSpan('attempt 1', { kind: 'client', parent: call, startTimeMs: t0 + 6 });
  first.setStatus('error', 'upstream 503');
  first.end(t0 + 120);
  const second = tracer.startSpan('attempt 2', { kind: 'client', parent: call, startTimeMs: t0 + 150 });
  second.end(t0 + 420);
  call.end(t0 + 425);
  root.setAttribute('http.response.status_code', 200);
  root.end(t0 + 430);
  await tracer.flush();
  return root.context.traceId;
}

async function startAgents(db: Parameters<typeof createSqlRunStore>[0]['db']): Promise<{ gateway: Harness; upstream: FakeOpenAI }> {
  const upstream = await startFakeOpenAI({ scenarios: toolThenAnswer('calculator', { expression: '25% of 1200' }, (r) => `25% of 1200 is ${r}.`) });
  const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url, apiKey: 'test' });
  const runtime = createAgentRuntime({
    store: await createSqlRunStore({ db }),
    audit: await createAuditLog({ db }),
    agents: [{ name: 'ops', model, tools: [createCalculatorTool()], requireApproval: ['calculator'] }],
  });
  const gateway = await startGateway({}, {}, { appRoutes: [createAgentRoutes({ runtime })] });
  return { gateway, upstream };
}

/** Starts a run of agent `ops` that pauses on its calculator call; returns the run id. */
export async function startPausedRun(agentsUrl: string, input = 'What is 25% of 1200?'): Promise<string> {
  const res = await fetch(`${agentsUrl}/v1/agents/ops/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
  const body = (await res.json()) as { id: string; status: string };
  if (body.status !== 'awaiting_approval') throw new Error(`expected a paused run, got ${JSON.stringify(body)}`);
  return body.id;
}
