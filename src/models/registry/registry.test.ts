import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConduitError } from '../../core/errors.js';
import type { GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../language-model.js';
import { loadConfig, parseConfigText } from '../../config/index.js';
import { createModelRegistry, type ProviderFactories } from './index.js';

const modelDir = mkdtempSync(join(tmpdir(), 'conduit-registry-'));
writeFileSync(join(modelDir, 'tiny.gguf'), 'GGUF');
writeFileSync(join(modelDir, 'other.gguf'), 'GGUF');
after(() => rmSync(modelDir, { recursive: true, force: true }));

const ALL_PROVIDERS = `
providers:
  openai: { api_key: sk-test-openai }
  anthropic: { api_key: sk-test-anthropic }
  ollama: { base_url: "http://127.0.0.1:11434" }
  openai_compatible:
    together: { base_url: "https://api.together.xyz/v1", api_key: tg-key }
llamacpp:
  model_path: ${join(modelDir, 'tiny.gguf')}
  threads: 1
`;

function registryFor(yaml: string, factories?: Partial<ProviderFactories>) {
  return createModelRegistry({ config: parseConfigText(yaml, { env: {} }), ...(factories ? { factories } : {}) });
}

function notFound(fn: () => unknown, pattern: RegExp, code = 'model_not_found'): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConduitError, `expected a ConduitError, got ${String(err)}`);
    assert.equal(err.kind, 'not_found');
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

/** A scripted model: each call takes the next behaviour (an error to throw, or a reply). */
function scriptedModel(provider: string, modelId: string, script: (ConduitError | string)[]): LanguageModel & { calls: number } {
  const usage = { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const m = {
    provider,
    modelId,
    capabilities: { streaming: true, tools: true, jsonSchema: true, vision: false },
    calls: 0,
    async generate(_request: ModelRequest): Promise<GenerateResult> {
      const step = script[Math.min(m.calls, script.length - 1)]!;
      m.calls++;
      if (step instanceof ConduitError) throw step;
      return { text: step, toolCalls: [], finishReason: 'stop', usage, provider, model: modelId };
    },
    async *stream(): AsyncIterable<StreamPart> {
      yield { type: 'finish', finishReason: 'stop', usage, toolCalls: [] };
    },
  };
  return m;
}

describe('registry: name resolution', () => {
  const registry = registryFor(`${ALL_PROVIDERS}
models:
  fast: openai/gpt-4o-mini
  smart:
    deployments:
      - model: anthropic/claude-sonnet-4-5
      - model: gpt-4o
    fallbacks: [fast]
`);

  test('provider/model for every provider', () => {
    const cases: [string, string, string][] = [
      ['openai/gpt-4o-mini', 'openai', 'gpt-4o-mini'],
      ['anthropic/claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5'],
      ['ollama/llama3.2', 'ollama', 'llama3.2'],
      ['llamacpp/tiny.gguf', 'llamacpp', 'tiny.gguf'],
      ['llamacpp/other.gguf', 'llamacpp', 'other.gguf'],
      ['llamacpp', 'llamacpp', 'tiny.gguf'],
      ['together/meta-llama/Llama-3-8b', 'together', 'meta-llama/Llama-3-8b'],
      ['offline', 'offline', 'offline'],
    ];
    for (const [name, provider, modelId] of cases) {
      const model = registry.resolve(name);
      assert.equal(model.provider, provider, name);
      assert.equal(model.modelId, modelId, name);
    }
  });

  test('well-known bare names by prefix', () => {
    for (const name of ['gpt-4o', 'gpt-5-mini', 'o1', 'o3-mini', 'o4-mini', 'chatgpt-4o-latest']) assert.equal(registry.resolve(name).provider, 'openai', name);
    for (const name of ['claude-sonnet-4-5', 'claude-3-5-haiku-20241022']) assert.equal(registry.resolve(name).provider, 'anthropic', name);
    assert.equal(registry.resolve('claude-3-5-haiku-20241022').modelId, 'claude-3-5-haiku-20241022');
  });

  test('aliases come first: a string alias is the model it names, a routed alias a fallback chain over a router', () => {
    assert.equal(registry.resolve('fast'), registry.resolve('openai/gpt-4o-mini'));
    const smart = registry.resolve('smart');
    assert.equal(smart.provider, 'fallback');
    assert.equal(smart.modelId, 'smart');
    const router = registry.routers().find((r) => r.name === 'smart');
    assert.ok(router);
    assert.deepEqual(
      router.status().map((d) => [d.id, d.provider, d.modelId]),
      [
        ['anthropic/claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5'],
        ['gpt-4o', 'openai', 'gpt-4o'],
      ],
    );
  });

  test('models are built once and cached', () => {
    assert.equal(registry.resolve('gpt-4o'), registry.resolve('gpt-4o'));
    assert.equal(registry.resolve('smart'), registry.resolve('smart'));
  });

  test('unknown names say what would work', () => {
    notFound(() => registry.resolve('mistral-large'), /^Unknown model "mistral-large": use a model alias \(fast, smart\), provider\/model \(providers: openai, anthropic, ollama, llamacpp, together\)/);
    notFound(() => registry.resolve('groq/llama-3.1-8b'), /"groq" is not a provider .*providers\.openai_compatible\.groq/);
    notFound(() => registry.resolve('openai/'), /name a model after "openai\/"/);
    notFound(() => registry.resolve('llamacpp/missing.gguf'), /no file "missing\.gguf" in the llamacpp model folder/);
  });

  test('llamacpp names cannot leave the model folder', () => {
    for (const name of ['llamacpp/../tiny.gguf', 'llamacpp/sub/../../etc/passwd', 'llamacpp/.hidden.gguf']) {
      assert.throws(() => registry.resolve(name), (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request', name);
    }
  });
});

describe('registry: unconfigured providers', () => {
  const registry = registryFor('providers:\n  openai: { api_key: sk-x }\n');

  test('each names the variable or setting that configures it', () => {
    notFound(() => registry.resolve('claude-sonnet-4-5'), /needs the anthropic provider, which is not configured: set ANTHROPIC_API_KEY/, 'provider_not_configured');
    notFound(() => registry.resolve('anthropic/claude-sonnet-4-5'), /set ANTHROPIC_API_KEY/, 'provider_not_configured');
    notFound(() => registry.resolve('ollama/llama3.2'), /set OLLAMA_BASE_URL/, 'provider_not_configured');
    notFound(() => registry.resolve('llamacpp/x.gguf'), /set CONDUIT_MODEL_PATH/, 'provider_not_configured');
    assert.equal(registry.resolve('gpt-4o-mini').provider, 'openai');
  });

  test('with nothing configured only offline resolves, and it is the default', () => {
    const bare = registryFor('');
    notFound(() => bare.resolve('gpt-4o-mini'), /set OPENAI_API_KEY/, 'provider_not_configured');
    assert.equal(bare.defaultModelName(), 'offline');
    assert.equal(bare.resolve(bare.defaultModelName()).provider, 'offline');
  });
});

describe('registry: default model', () => {
  const cwd = modelDir;
  const defaultFor = (env: Record<string, string>, model?: string) =>
    createModelRegistry({ config: loadConfig({ cwd, env, overrides: model ? { model } : {} }).config }).defaultModelName();

  test('--model, then CONDUIT_MODEL, then default_model', () => {
    const withFile = mkdtempSync(join(tmpdir(), 'conduit-default-'));
    try {
      writeFileSync(join(withFile, 'conduit.yaml'), 'default_model: claude-haiku-4-5\n');
      const pick = (env: Record<string, string>, model?: string) =>
        createModelRegistry({ config: loadConfig({ cwd: withFile, env, overrides: model ? { model } : {} }).config }).defaultModelName();
      assert.equal(pick({}), 'claude-haiku-4-5');
      assert.equal(pick({ CONDUIT_MODEL: 'gpt-4.1' }), 'gpt-4.1');
      assert.equal(pick({ CONDUIT_MODEL: 'gpt-4.1' }, 'o3'), 'o3');
    } finally {
      rmSync(withFile, { recursive: true, force: true });
    }
  });

  test('else the first configured provider: openai, anthropic, ollama, llamacpp; else offline', () => {
    const gguf = join(modelDir, 'tiny.gguf');
    const all = { OPENAI_API_KEY: 'a', ANTHROPIC_API_KEY: 'b', OLLAMA_BASE_URL: 'http://127.0.0.1:11434', CONDUIT_MODEL_PATH: gguf };
    assert.equal(defaultFor(all), 'openai/gpt-4o-mini');
    assert.equal(defaultFor({ ...all, OPENAI_API_KEY: '' }), 'anthropic/claude-sonnet-4-5');
    assert.equal(defaultFor({ OLLAMA_BASE_URL: all.OLLAMA_BASE_URL, CONDUIT_MODEL_PATH: gguf }), 'ollama/llama3.2');
    assert.equal(defaultFor({ CONDUIT_MODEL_PATH: gguf }), 'llamacpp/tiny.gguf');
    assert.equal(defaultFor({}), 'offline');
  });
});

describe('registry: wiring', () => {
  test('a concrete model gets cost and retries from the config', async () => {
    const base = scriptedModel('openai', 'gpt-4o-mini', [new ConduitError('provider_unavailable', 'overloaded', { retryAfterMs: 1 }), 'hello']);
    const seen: unknown[] = [];
    const registry = registryFor('providers:\n  openai: { api_key: sk-x, organization: org-1 }\nreliability: { max_retries: 1 }\n', {
      openai: (opts) => {
        seen.push(opts);
        return base;
      },
    });
    const result = await registry.resolve('gpt-4o-mini').generate({ messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(result.text, 'hello');
    assert.equal(base.calls, 2);
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output → 1000 in + 500 out.
    assert.ok(result.costUsd !== undefined && Math.abs(result.costUsd - (0.00015 + 0.0003)) < 1e-12, String(result.costUsd));
    assert.deepEqual(seen, [{ modelId: 'gpt-4o-mini', apiKey: 'sk-x', organization: 'org-1' }]);
  });

  test('max_retries 0 means one attempt', async () => {
    const base = scriptedModel('openai', 'gpt-4o', [new ConduitError('provider_unavailable', 'down'), 'never']);
    const registry = registryFor('providers:\n  openai: { api_key: sk-x }\nreliability: { max_retries: 0 }\n', { openai: () => base });
    await assert.rejects(registry.resolve('gpt-4o').generate({ messages: [{ role: 'user', content: 'hi' }] }), { kind: 'provider_unavailable' });
    assert.equal(base.calls, 1);
  });

  test('deployments carry their own key and base URL; the alias falls back when every deployment fails', async () => {
    const built: { modelId: string; apiKey?: string; baseURL?: string }[] = [];
    const failing = scriptedModel('openai', 'gpt-4o', [new ConduitError('provider_unavailable', 'down')]);
    const rescue = scriptedModel('anthropic', 'claude-haiku-4-5', ['rescued']);
    const registry = registryFor(
      `providers:
  anthropic: { api_key: sk-ant }
models:
  main:
    deployments:
      - { model: openai/gpt-4o, api_key: key-a, base_url: "http://127.0.0.1:1/v1", id: east }
      - { model: openai/gpt-4o, api_key: key-b, id: west }
    strategy: ordered
    max_retries: 0
    fallbacks: [claude-haiku-4-5]
`,
      {
        openai: (opts) => {
          built.push(opts);
          return failing;
        },
        anthropic: () => rescue,
      },
    );
    const result = await registry.resolve('main').generate({ messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(result.text, 'rescued');
    assert.equal(result.provider, 'anthropic');
    assert.equal(failing.calls, 2, 'both deployments tried once');
    assert.deepEqual(built, [
      { modelId: 'gpt-4o', apiKey: 'key-a', baseURL: 'http://127.0.0.1:1/v1' },
      { modelId: 'gpt-4o', apiKey: 'key-b' },
    ]);
    assert.deepEqual(
      registry.routers()[0]!.status().map((d) => d.id),
      ['east', 'west'],
    );
  });

  test('alias cycles and aliases used as deployments are reported by validate()', () => {
    const registry = registryFor(`providers:
  openai: { api_key: sk-x }
models:
  a: b
  b: a
  c:
    deployments: [{ model: a }]
  ok: gpt-4o
`);
    const problems = registry.validate();
    assert.deepEqual(
      problems.map((p) => p.name),
      ['a', 'b', 'c'],
    );
    assert.match(problems[0]!.error.message, /alias cycle in conduit\.yaml: a → b → a/);
    assert.match(problems[2]!.error.message, /"a" is an alias; a deployment names a concrete model/);
  });

  test('validate() is empty for a usable config', () => {
    assert.deepEqual(registryFor(`${ALL_PROVIDERS}\nmodels:\n  fast: gpt-4o-mini\n`).validate(), []);
  });
});

describe('registry: listing', () => {
  test('list(): aliases, configured providers’ models, local files, offline', () => {
    const registry = registryFor(`providers:\n  openai: { api_key: sk-x }\nllamacpp: { model_path: ${join(modelDir, 'tiny.gguf')} }\nmodels:\n  fast: gpt-4o-mini\n`);
    const ids = registry.list().map((m) => m.id);
    assert.equal(ids[0], 'fast');
    for (const id of ['openai/gpt-4o-mini', 'openai/text-embedding-3-small', 'llamacpp/tiny.gguf', 'llamacpp/other.gguf', 'offline', 'embedded/use-lite']) assert.ok(ids.includes(id), id);
    assert.ok(!ids.some((id) => id.startsWith('anthropic/')), 'anthropic is not configured');
    assert.equal(registry.list().find((m) => m.id === 'fast')?.kind, 'alias');
  });

  test('listReachable() adds what servers report and skips servers that do not answer', async () => {
    const server = createServer((req, res) => {
      assert.equal(req.url, '/v1/models');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'llama3.2', object: 'model', owned_by: 'library' }, { id: 'qwen2.5:0.5b', object: 'model' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // A port nothing listens on: closed right after binding.
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    try {
      const config = parseConfigText(
        `providers:\n  ollama: { base_url: "http://127.0.0.1:${port}" }\n  openai_compatible:\n    gone: { base_url: "http://127.0.0.1:${deadPort}/v1" }\n`,
        { env: {} },
      );
      const registry = createModelRegistry({ config, listCacheMs: 0 });
      assert.ok(!registry.list().some((m) => m.id === 'ollama/llama3.2'), 'nothing asked yet');
      const ids = (await registry.listReachable()).map((m) => m.id);
      assert.ok(ids.includes('ollama/llama3.2'), ids.join(', '));
      assert.ok(ids.includes('ollama/qwen2.5:0.5b'), ids.join(', '));
      assert.ok(!ids.some((id) => id.startsWith('gone/')));
      assert.ok(ids.includes('offline'));
      // The synchronous list() now includes the servers' last answers...
      assert.ok(registry.list().some((m) => m.id === 'ollama/llama3.2'));
      // ...until a server stops answering.
      server.close();
      server.closeAllConnections();
      const later = (await registry.listReachable()).map((m) => m.id);
      assert.ok(!later.includes('ollama/llama3.2'), later.join(', '));
      assert.ok(!registry.list().some((m) => m.id === 'ollama/llama3.2'));
    } finally {
      server.close();
    }
  });
});

describe('registry: embeddings', () => {
  const registry = registryFor(ALL_PROVIDERS);

  test('the embedded default, OpenAI, Ollama and compatible servers', () => {
    assert.equal(registry.defaultEmbeddingModelName(), 'embedded/use-lite');
    assert.equal(registry.resolveEmbedding('embedded/use-lite').provider, 'embedded');
    const openai = registry.resolveEmbedding('text-embedding-3-small');
    assert.equal(openai.provider, 'openai');
    assert.equal(openai.dimensions, 1536);
    assert.equal(registry.resolveEmbedding('ollama/nomic-embed-text').provider, 'ollama');
    assert.equal(registry.resolveEmbedding('together/BAAI/bge-base-en-v1.5').modelId, 'BAAI/bge-base-en-v1.5');
  });

  test('providers without embeddings and unknown names are not_found', () => {
    notFound(() => registry.resolveEmbedding('anthropic/claude-sonnet-4-5'), /the anthropic provider has no embeddings/);
    notFound(() => registry.resolveEmbedding('claude-sonnet-4-5'), /Unknown embedding model/);
  });
});
