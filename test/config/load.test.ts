import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const root = mkdtempSync(join(tmpdir(), 'conduit-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string, files: Record<string, string> = {}): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(d, file), text);
  return d;
}

describe('loadConfig: which file', () => {
  test('no file and no variables: an environment-only start with defaults', () => {
    const loaded = loadConfig({ cwd: dir('empty'), env: {} });
    assert.equal(loaded.file, undefined);
    assert.equal(loaded.config.server.port, 8000);
    assert.deepEqual(loaded.config.providers, {});
  });

  test('./conduit.yaml is read when present', () => {
    const cwd = dir('local', { 'conduit.yaml': 'default_model: claude-sonnet-4-5\n' });
    const loaded = loadConfig({ cwd, env: {} });
    assert.equal(loaded.file, join(cwd, 'conduit.yaml'));
    assert.equal(loaded.displayName, 'conduit.yaml');
    assert.equal(loaded.config.default_model, 'claude-sonnet-4-5');
  });

  test('CONDUIT_CONFIG names the file; --config wins over it', () => {
    const cwd = dir('named', { 'a.yaml': 'default_model: a-model\n', 'b.yaml': 'default_model: b-model\n', 'conduit.yaml': 'default_model: local\n' });
    assert.equal(loadConfig({ cwd, env: { CONDUIT_CONFIG: 'a.yaml' } }).config.default_model, 'a-model');
    assert.equal(loadConfig({ cwd, env: { CONDUIT_CONFIG: 'a.yaml' }, path: 'b.yaml' }).config.default_model, 'b-model');
  });

  test('a named file that does not exist is an error saying who named it', () => {
    const cwd = dir('missing');
    assert.throws(() => loadConfig({ cwd, env: {}, path: 'nope.yaml' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, 'nope.yaml: file not found (named by --config)');
      return true;
    });
    assert.throws(() => loadConfig({ cwd, env: { CONDUIT_CONFIG: 'gone.yaml' } }), { message: 'gone.yaml: file not found (named by CONDUIT_CONFIG)' });
  });

  test('errors name the file as the user gave it', () => {
    const cwd = dir('sub');
    mkdirSync(join(cwd, 'conf'), { recursive: true });
    writeFileSync(join(cwd, 'conf/prod.yaml'), 'server:\n  port: lots\n');
    assert.throws(() => loadConfig({ cwd, env: {}, path: 'conf/prod.yaml' }), {
      message: 'conf/prod.yaml: server.port: expected number, got string "lots" (line 2)',
    });
  });
});

describe('loadConfig: environment and flags', () => {
  const cwd = dir('env');

  test('provider variables configure providers without a file', () => {
    const { config } = loadConfig({
      cwd,
      env: {
        OPENAI_API_KEY: 'sk-openai',
        OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1',
        ANTHROPIC_API_KEY: 'sk-ant',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9998',
        OLLAMA_BASE_URL: 'http://127.0.0.1:11434',
        CONDUIT_MODEL_PATH: '/models/tiny.gguf',
        CONDUIT_MODEL: 'ollama/llama3.2',
        CONDUIT_HOST: '0.0.0.0',
        CONDUIT_PORT: '9001',
      },
    });
    assert.deepEqual(config.providers.openai, { api_key: 'sk-openai', base_url: 'http://127.0.0.1:9999/v1' });
    assert.deepEqual(config.providers.anthropic, { api_key: 'sk-ant', base_url: 'http://127.0.0.1:9998' });
    assert.deepEqual(config.providers.ollama, { base_url: 'http://127.0.0.1:11434' });
    assert.equal(config.llamacpp?.model_path, '/models/tiny.gguf');
    assert.equal(config.default_model, 'ollama/llama3.2');
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.server.port, 9001);
  });

  test('the file wins over provider variables; CONDUIT_* variables win over the file; flags win over both', () => {
    const withFile = dir('env-file', {
      'conduit.yaml': 'default_model: from-file\nserver:\n  port: 7000\nproviders:\n  openai:\n    api_key: sk-from-file\n',
    });
    const env = { OPENAI_API_KEY: 'sk-from-env', CONDUIT_PORT: '7001', CONDUIT_MODEL: 'from-env' };
    const fromEnv = loadConfig({ cwd: withFile, env }).config;
    assert.equal(fromEnv.providers.openai?.api_key, 'sk-from-file');
    assert.equal(fromEnv.server.port, 7001);
    assert.equal(fromEnv.default_model, 'from-env');
    const fromFlags = loadConfig({ cwd: withFile, env, overrides: { port: '7002', model: 'from-flag', host: '::1' } }).config;
    assert.equal(fromFlags.server.port, 7002);
    assert.equal(fromFlags.default_model, 'from-flag');
    assert.equal(fromFlags.server.host, '::1');
  });

  test('a bad variable or flag is reported by its name, not as a file line', () => {
    assert.throws(() => loadConfig({ cwd, env: { CONDUIT_PORT: 'abc' } }), { message: 'environment: CONDUIT_PORT: expected number, got string "abc"' });
    assert.throws(() => loadConfig({ cwd, env: {}, overrides: { port: '99999' } }), { message: '--port: expected number <= 65535, got 99999' });
    assert.throws(() => loadConfig({ cwd, env: { OLLAMA_BASE_URL: 'ollama:11434' } }), {
      message: 'environment: OLLAMA_BASE_URL: expected an http(s) URL, got string "ollama:11434"',
    });
  });

  test('an empty value in the file is unset, so the provider variable fills it', () => {
    const withEmpty = dir('env-empty', { 'conduit.yaml': 'providers:\n  anthropic:\n    api_key: ""\n  openai:\n    api_key: ${NOT_SET:-}\n' });
    const unset = loadConfig({ cwd: withEmpty, env: {} }).config;
    assert.equal(unset.providers.anthropic?.api_key, undefined);
    assert.equal(unset.providers.openai?.api_key, undefined);
    const filled = loadConfig({ cwd: withEmpty, env: { ANTHROPIC_API_KEY: 'sk-ant-env', OPENAI_API_KEY: 'sk-oai-env' } }).config;
    assert.equal(filled.providers.anthropic?.api_key, 'sk-ant-env');
    assert.equal(filled.providers.openai?.api_key, 'sk-oai-env');
  });

  test('empty variables count as unset', () => {
    const { config } = loadConfig({ cwd, env: { OPENAI_API_KEY: '', CONDUIT_PORT: '' } });
    assert.equal(config.providers.openai, undefined);
    assert.equal(config.server.port, 8000);
  });
});
