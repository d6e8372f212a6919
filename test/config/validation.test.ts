import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

/** Parses with an empty environment and returns the ConfigError it must throw. */
function configError(yaml: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfigText(yaml, { env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the config to be rejected');
}

describe('config schema errors', () => {
  test('a wrong type names file, dotted path, expectation, value and line', () => {
    const err = configError(['models:', '  fast:', '    deployments:', '      - model: openai/gpt-4o-mini', '        weight: high', ''].join('\n'));
    assert.equal(err.message, 'conduit.yaml: models.fast.deployments[0].weight: expected number, got string "high" (line 5)');
    assert.equal(err.file, 'conduit.yaml');
    assert.equal(err.line, 5);
    assert.equal(err.path, 'models.fast.deployments[0].weight');
    assert.equal(err.expected, 'expected number, got string "high"');
    assert.equal(err.kind, 'invalid_request');
    assert.equal(err.code, 'invalid_config');
  });

  test('every problem is reported, in file order', () => {
    const err = configError(['server:', '  port: 70000', '  host: ""', 'providers:', '  opnai:', '    api_key: x', ''].join('\n'));
    assert.deepEqual(err.message.split('\n'), [
      'conduit.yaml: server.port: expected number <= 65535, got 70000 (line 2)',
      'conduit.yaml: server.host: expected a non-empty string, got string "" (line 3)',
      'conduit.yaml: providers.opnai: unknown key (expected one of: openai, anthropic, ollama, openai_compatible) (line 5)',
    ]);
    assert.equal(err.issues.length, 3);
  });

  test('an alias must be a model name or a routed group', () => {
    const err = configError('models:\n  fast: 3\n');
    assert.equal(err.message, 'conduit.yaml: models.fast: expected string or a mapping, got number 3 (line 2)');
  });

  test('inside a routed alias, errors point into the group', () => {
    const err = configError('models:\n  fast:\n    deployments: []\n    strategy: fastest\n');
    assert.deepEqual(err.message.split('\n'), [
      'conduit.yaml: models.fast.deployments: expected at least 1 item, got 0 (line 3)',
      'conduit.yaml: models.fast.strategy: expected one of "weighted", "least-busy", "lowest-latency", "ordered", "cost", "complexity", got string "fastest" (line 4)',
    ]);
  });

  test('a missing required field says so', () => {
    const err = configError('models:\n  fast:\n    deployments:\n      - weight: 2\n');
    assert.equal(err.message, 'conduit.yaml: models.fast.deployments[0].model: missing (expected string) (line 4)');
  });

  test('URLs must be http(s)', () => {
    const err = configError('providers:\n  ollama:\n    base_url: localhost:11434\n');
    assert.equal(err.message, 'conduit.yaml: providers.ollama.base_url: expected an http(s) URL, got string "localhost:11434" (line 3)');
  });

  test('openai_compatible names may not shadow built-in providers', () => {
    const err = configError('providers:\n  openai_compatible:\n    openai:\n      base_url: http://127.0.0.1:9/v1\n');
    assert.match(err.message, /^conduit\.yaml: providers\.openai_compatible\.openai: invalid name: expected a name other than the built-in providers/);
    assert.equal(err.line, 3);
  });

  test('invalid YAML reports the line without quoting the source', () => {
    const err = configError('server:\n  port: 1\nproviders:\n  openai:\n    api_key: sk-live-abcdef: oops\n');
    assert.equal(err.line, 5);
    assert.match(err.message, /^conduit\.yaml: invalid YAML: .* \(line 5\)$/);
    assert.ok(!err.message.includes('sk-live-abcdef'));
  });

  test('the top level must be a mapping', () => {
    const err = configError('- a\n- b\n');
    assert.equal(err.message, 'conduit.yaml: expected a mapping at the top level, got a list (line 1)');
  });

  test('numbers and booleans may be written as strings (what ${ENV} yields)', () => {
    const config = parseConfigText('server:\n  port: "9000"\nlogging:\n  log_prompts: "true"\n', { env: {} });
    assert.equal(config.server.port, 9000);
    assert.equal(config.logging.log_prompts, true);
  });

  test('defaults: 127.0.0.1:8000, 4 MiB bodies, depth 32, retries 2, breaker 5 / 60 s, threads 2', () => {
    const config = parseConfigText('llamacpp:\n  model_path: /models/x.gguf\n', { env: {} });
    assert.deepEqual(config.server, { host: '127.0.0.1', port: 8000, body_limit_bytes: 4 * 1024 * 1024, max_json_depth: 32 });
    assert.equal(config.reliability.max_retries, 2);
    assert.deepEqual(config.reliability.circuit_breaker, { failure_threshold: 5, cooldown_ms: 60_000 });
    assert.equal(config.logging.log_prompts, false);
    assert.equal(config.llamacpp?.threads, 2);
    assert.equal(config.llamacpp?.gpu, false);
  });

  test('a routed alias gets weighted routing, weight 1 and no fallbacks by default', () => {
    const config = parseConfigText('models:\n  fast:\n    deployments:\n      - model: openai/gpt-4o-mini\n', { env: {} });
    assert.deepEqual(config.models.fast, { deployments: [{ model: 'openai/gpt-4o-mini', weight: 1 }], strategy: 'weighted', fallbacks: [] });
  });
});
