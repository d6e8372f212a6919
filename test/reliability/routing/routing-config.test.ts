import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConduitError } from '../../../src/core/errors.js';
import type { LanguageModel, ModelRequest } from '../../../src/models/language-model.js';
import { loadConfig, parseConfigText } from '../../../src/config/index.js';
import { createModelRegistry } from '../../../src/models/registry/index.js';
import { formatRouteReason, parseRoutingHeaders, type RouteDecision, type RoutingCallOptions } from '../../../src/reliability/routing/index.js';
import { fail, reply, ScriptedModel } from '../../support/scripted-model.js';

const CONFIG = `
providers:
  openai: { api_key: sk-test }
  ollama: { base_url: "http://127.0.0.1:11434" }
reliability:
  max_retries: 0
  health_check_interval_ms: 0
models:
  economy:
    strategy: cost
    cost: { min_quality: 0.8, expected_output_tokens: 300 }
    deployments:
      - { model: openai/gpt-4.1-nano, quality: 0.6 }
      - { model: openai/gpt-4o-mini, quality: { default: 0.85, code: 0.7 } }
      - { model: openai/gpt-4o, quality: 0.95 }
  tiered:
    strategy: complexity
    complexity:
      classifier: openai/gpt-4.1-nano
      simple_max_chars: 200
    deployments:
      - { model: openai/gpt-4o-mini, tier: small }
      - { model: openai/gpt-4o, tier: large }
  private:
    data_sensitivity: true
    deployments:
      - { model: openai/gpt-4o, weight: 100 }
      - { model: ollama/llama3.1, on_premises: true }
    fallbacks: [openai/gpt-4o-mini, offline]
`;

const dir = mkdtempSync(join(tmpdir(), 'conduit-routing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A registry over the config whose every provider model is a ScriptedModel answering with its name. */
function registry(yaml = CONFIG) {
  const file = join(dir, `conduit-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  const { config } = loadConfig({ path: file, env: {} });
  const models = new Map<string, ScriptedModel>();
  const model = (provider: string, modelId: string): ScriptedModel => {
    const key = `${provider}/${modelId}`;
    let m = models.get(key);
    if (!m) {
      m = new ScriptedModel({ provider, modelId, whenEmpty: reply(`from ${key}`) });
      models.set(key, m);
    }
    return m;
  };
  const reg = createModelRegistry({
    config,
    factories: {
      openai: (o) => model('openai', o.modelId),
      openaiCompatible: (o) => model(o.provider ?? 'openai-compatible', o.modelId),
      offline: (): LanguageModel => model('offline', 'offline'),
    },
  });
  return { reg, model };
}

const user = (content: string): ModelRequest => ({ messages: [{ role: 'user', content }] });

describe('routing strategies from conduit.yaml', () => {
  test('the config loads and every alias builds', () => {
    const { reg } = registry();
    assert.deepEqual(reg.validate(), []);
    const byName = new Map(reg.routers().map((r) => [r.name, r]));
    assert.equal(byName.get('economy')?.policy, 'cost');
    assert.equal(byName.get('tiered')?.policy, 'complexity');
    assert.equal(byName.get('private')?.policy, undefined);
  });

  test('cost: the cheapest deployment meeting min_quality, per request threshold and budget', async () => {
    const { reg } = registry();
    const economy = reg.resolve('economy');
    assert.equal((await economy.generate(user('Summarise this paragraph.'))).text, 'from openai/gpt-4o-mini');
    assert.equal((await economy.generate(user('Fix:\n```js\nlet a = ;\n```'))).text, 'from openai/gpt-4o', 'gpt-4o-mini scores 0.7 for code');
    const hints = parseRoutingHeaders({ 'x-conduit-min-quality': '0.5' });
    assert.equal((await economy.generate(user('Summarise this paragraph.'), { routing: hints } as RoutingCallOptions)).text, 'from openai/gpt-4.1-nano');
    const strict = parseRoutingHeaders({ 'x-conduit-min-quality': '0.9', 'x-conduit-max-cost-usd': '0.0001' });
    await assert.rejects(economy.generate(user('Summarise this paragraph.'), { routing: strict } as RoutingCallOptions), (err: unknown) => {
      assert.ok(err instanceof ConduitError);
      assert.equal(err.kind, 'policy_refusal');
      assert.match(err.message, /quality 0\.9 .*\$0\.000100/);
      return true;
    });
  });

  test('complexity: rules, then the configured classifier model, then the large tier', async () => {
    const { reg, model } = registry();
    const tiered = reg.resolve('tiered');
    const classifier = model('openai', 'gpt-4.1-nano');
    classifier.enqueue(reply('INTENT: SIMPLE\nCONFIDENCE: 0.95'));
    const reasons: string[] = [];
    const opts: RoutingCallOptions = { routing: { onRoute: (d: RouteDecision) => reasons.push(formatRouteReason(d)) } };
    assert.equal((await tiered.generate(user('hi'), opts)).text, 'from openai/gpt-4o-mini');
    assert.equal((await tiered.generate(user('Prove that there are infinitely many primes.'), opts)).text, 'from openai/gpt-4o');
    assert.equal(classifier.callCount, 0);
    const undecided = user('I would like some suggestions for a weekend trip somewhere near the coast, with good food, a quiet place to stay, and a few walks that are not too long for a family with two small children who get tired quickly in the afternoon.');
    assert.equal((await tiered.generate(undecided, opts)).text, 'from openai/gpt-4o-mini');
    assert.equal(classifier.callCount, 1);
    assert.deepEqual(reasons, ['complexity:rule:short; first=openai/gpt-4o-mini', 'complexity:rule:keyword; first=openai/gpt-4o', 'complexity:classifier; first=openai/gpt-4o-mini']);
  });

  test('data_sensitivity: PII stays on premises across deployments and fallbacks; other requests may use the cloud', async () => {
    const { reg, model } = registry();
    const priv = reg.resolve('private');
    const cloud = model('openai', 'gpt-4o');
    const cloudFallback = model('openai', 'gpt-4o-mini');
    const onprem = model('ollama', 'llama3.1');
    const offline = model('offline', 'offline');
    const pii = user('Email the invoice to jane.doe@example.com');

    assert.equal((await priv.generate(pii)).text, 'from ollama/llama3.1');
    assert.equal(cloud.callCount, 0);

    onprem.enqueue(fail('provider_unavailable'));
    assert.equal((await priv.generate(pii)).text, 'from offline/offline', 'the in-process fallback, never the cloud one');
    assert.equal(cloud.callCount + cloudFallback.callCount, 0);

    // The cloud deployment is the only healthy one: PII is refused, a clean request is served by it.
    const router = reg.routers().find((r) => r.name === 'private')!;
    router.setHealthy(router.deployments[1]!.id, false);
    await assert.rejects(priv.generate(pii), (err: unknown) => err instanceof ConduitError && err.kind === 'policy_refusal' && err.code === 'on_premises_unavailable');
    assert.equal(cloud.callCount + cloudFallback.callCount, 0);
    assert.equal((await priv.generate(user('Write a haiku about invoices.'))).text, 'from openai/gpt-4o');
    assert.equal(offline.callCount, 1);
  });

  test('invalid routing config is rejected with the key that is wrong', () => {
    const bad = (models: string, pattern: RegExp) => assert.throws(() => parseConfigText(`models:\n${models}`, { env: {} }), pattern);
    bad('  a:\n    strategy: cost\n    deployments: [{ model: openai/gpt-4o }]\n', /quality.*strategy: cost needs a quality score/s);
    bad('  a:\n    strategy: cost\n    deployments: [{ model: openai/gpt-4o, quality: 1.5 }]\n', /quality/);
    bad('  a:\n    strategy: complexity\n    deployments: [{ model: openai/gpt-4o, tier: small }]\n', /needs a deployment with tier: large/);
    bad('  a:\n    strategy: weighted\n    cost: { min_quality: 0.5 }\n    deployments: [{ model: openai/gpt-4o }]\n', /only used with strategy: cost/);
    bad('  a:\n    data_sensitivity: { entities: [passport] }\n    deployments: [{ model: openai/gpt-4o }]\n', /data_sensitivity/);
    const { reg } = registry(`providers: { openai: { api_key: k } }\nmodels:\n  a:\n    strategy: cost\n    cost: { on_no_match: nope }\n    deployments: [{ model: openai/gpt-4o, quality: 0.9 }]\n`);
    const problems = reg.validate();
    assert.equal(problems[0]?.name, 'a');
    assert.match(problems[0]!.error.message, /on_no_match names no deployment/);
  });
});

describe('routing headers', () => {
  test('parse into hints; malformed values are a 400 naming the header', () => {
    assert.deepEqual(parseRoutingHeaders({ 'x-conduit-min-quality': '0.75', 'x-conduit-max-cost-usd': '0.02', 'x-conduit-task-type': 'Code' }), { minQuality: 0.75, maxCostUsd: 0.02, taskType: 'code' });
    assert.deepEqual(parseRoutingHeaders({}), {});
    for (const [header, value] of [
      ['x-conduit-min-quality', '1.5'],
      ['x-conduit-min-quality', 'high'],
      ['x-conduit-max-cost-usd', '-1'],
      ['x-conduit-task-type', 'a b'],
    ] as const) {
      assert.throws(
        () => parseRoutingHeaders({ [header]: value }),
        (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request' && err.param === header,
      );
    }
  });
});
