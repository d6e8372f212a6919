/**
 * The model paths: classification with structured output and the diagnosis agent against the fake
 * OpenAI upstream (real HTTP, the real OpenAI provider); the rule-based fallback with no model, with
 * the offline model and with a failing model; memory of resolutions offered to the next incident.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { createOpenAIModel } from '../../../src/models/providers/openai/index.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import type { EmbeddingModel } from '../../../src/models/language-model.js';
import { createSemanticMemory } from '../../../src/agents/memory/semantic-memory.js';
import { createInMemoryRecordStore } from '../../../src/agents/memory/in-memory-record-store.js';
import { classifyIncident } from '../../../src/apps/incident/classify/classify-incident.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import { ScriptedModel, fail } from '../../support/scripted-model.js';
import { alert, openService } from './support.js';

/** Bag-of-words hashed into 256 dimensions: similar wording, similar vectors; fast and deterministic. */
const hashingEmbedder: EmbeddingModel = {
  provider: 'test',
  modelId: 'hashing',
  dimensions: 256,
  async embed(inputs) {
    const embeddings = inputs.map((text) => {
      const v = new Array<number>(256).fill(0);
      for (const w of text.toLowerCase().split(/[^a-z0-9]+/).filter((x) => x.length > 2)) {
        const i = createHash('sha1').update(w).digest()[0] ?? 0;
        v[i] = (v[i] ?? 0) + 1;
      }
      return v;
    });
    return { embeddings, usage: { inputTokens: 0 }, model: 'hashing', provider: 'test' } as unknown as Awaited<ReturnType<EmbeddingModel['embed']>>;
  },
};

interface ChatBody {
  response_format?: unknown;
  messages: { role: string; content?: unknown }[];
}

describe('incident model paths', () => {
  let db: SqlDatabase;
  let upstream: FakeOpenAI;
  before(async () => {
    db = await openPGliteDatabase();
    upstream = await startFakeOpenAI({
      scenarios: (req) => {
        const body = req.body as ChatBody;
        if (body.response_format !== undefined) {
          return {
            kind: 'reply',
            text: JSON.stringify({
              severity: 'high',
              services: ['checkout'],
              category: 'deployment',
              title: 'Checkout CPU spike after deploy',
              symptoms: ['CPU spikes on 3 hosts'],
              suspected_cause: 'deploy v2.4.1 at 12:05 UTC',
              recommended_action: 'scale down the worker pool',
            }),
          };
        }
        const toolTurns = body.messages.filter((m) => m.role === 'tool').length;
        if (toolTurns === 0) return { kind: 'reply', toolCalls: [{ id: 'call_1', name: 'recent_changes', arguments: JSON.stringify({ service: 'checkout', hours_back: 2 }) }] };
        const toolText = JSON.stringify(body.messages.filter((m) => m.role === 'tool').map((m) => m.content));
        return { kind: 'reply', text: `Incident Summary: CPU spikes on 3 hosts. Suspected cause: ${toolText.includes('v2.4.1') ? 'the deploy of checkout v2.4.1' : 'unknown'}. Recommended: scale down.` };
      },
    });
  });
  after(async () => {
    await upstream.close();
    await db.close();
  });

  test('with a model: structured classification, and a diagnosis agent that used its tools', async () => {
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url, apiKey: 'test' });
    const { service, signals } = await openService(db, { model });
    await signals.addChange({ service: 'checkout', kind: 'deploy', description: 'checkout v2.4.1', at: new Date(Date.now() - 10 * 60_000).toISOString(), metadata: {} });
    const r = await service.ingest([alert('HighCPU', { service: 'checkout', host: 'a' }, { startsAt: '2026-05-01T00:00:00Z' }), alert('HighCPU', { service: 'checkout', host: 'b' }, { startsAt: '2026-05-01T00:00:00Z' })]);
    await service.whenIdle();
    const view = await service.getIncident(r.opened[0] ?? '');
    assert.equal(view.incident.summary?.method, 'model');
    assert.equal(view.incident.summary?.model, 'gpt-4o-mini');
    assert.equal(view.incident.category, 'deployment');
    assert.equal(view.incident.title, 'Checkout CPU spike after deploy');
    const agentFinding = view.timeline.find((e) => e.type === 'finding' && e.data.source === 'agent');
    assert.ok(agentFinding, JSON.stringify(view.timeline.map((e) => e.data)));
    assert.match(String(agentFinding.data.text), /deploy of checkout v2\.4\.1/);
    assert.deepEqual((agentFinding.data.data as { toolsUsed: string[] }).toolsUsed, ['recent_changes']);
    const requestedTools = upstream.requests.map((q) => (q.body as { tools?: { function: { name: string } }[] }).tools?.map((t) => t.function.name) ?? []).find((t) => t.length > 0);
    // Only the sources configured become tools: no log backend, Prometheus or memory here.
    assert.deepEqual(requestedTools, ['recent_changes']);
  });

  test('no model, the offline model, or a failing model: the rule-based summary, labelled with why', async () => {
    const alerts = [alert('HighErrorRate', { service: 'api', severity: 'high' })].map((a) => ({ ...a, annotations: { summary: '5xx above 5%' } }));
    const none = await classifyIncident(alerts);
    assert.equal(none.method, 'rules');
    assert.equal(none.category, 'application_errors');
    assert.match(none.note ?? '', /Rule-based summary/);
    const offline = await classifyIncident(alerts, { model: createOfflineModel() });
    assert.equal(offline.method, 'rules');
    const failing = new ScriptedModel({ provider: 'openai' });
    failing.enqueue(fail('provider_error', { message: 'upstream down' }));
    const fellBack = await classifyIncident(alerts, { model: failing });
    assert.equal(fellBack.method, 'rules');
    assert.match(fellBack.note ?? '', /failed: .*upstream down/);
  });

  test('a resolution note is remembered and offered for the next similar incident', async () => {
    const memory = createSemanticMemory({ store: createInMemoryRecordStore(), embedder: hashingEmbedder });
    const { service } = await openService(db, { memory, correlation: { windowMs: 1 } });
    const first = await service.ingest([alert('DiskFull', { service: 'ledger', host: 'l1' }, { startsAt: '2026-06-01T00:00:00Z' })]);
    await service.whenIdle();
    await service.resolve(first.opened[0] ?? '', { by: 'dave', note: 'Rotated the audit logs and extended the volume' });
    const second = await service.ingest([alert('DiskFull', { service: 'ledger', host: 'l2' }, { startsAt: '2026-06-02T00:00:00Z' })]);
    await service.whenIdle();
    const view = await service.getIncident(second.opened[0] ?? '');
    const similar = view.timeline.find((e) => e.type === 'similar_incidents');
    assert.ok(similar, 'similar incidents offered');
    const offered = similar.data.incidents as { incidentId: string; resolution: string }[];
    assert.equal(offered[0]?.incidentId, first.opened[0]);
    assert.equal(offered[0]?.resolution, 'Rotated the audit logs and extended the volume');
  });
});
