import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, interpolateString, parseConfigText } from '../../src/config/index.js';

describe('${ENV} interpolation', () => {
  test('a present variable is substituted, also inside a longer string', () => {
    const config = parseConfigText('providers:\n  ollama:\n    base_url: http://${OLLAMA_HOST}:11434\n', { env: { OLLAMA_HOST: '10.0.0.5' } });
    assert.equal(config.providers.ollama?.base_url, 'http://10.0.0.5:11434');
  });

  test('${NAME:-default} uses the default when the variable is unset or empty, the value otherwise', () => {
    const yaml = 'server:\n  host: ${HOST:-0.0.0.0}\n  port: ${PORT:-9100}\n';
    assert.equal(parseConfigText(yaml, { env: {} }).server.host, '0.0.0.0');
    assert.equal(parseConfigText(yaml, { env: {} }).server.port, 9100);
    assert.equal(parseConfigText(yaml, { env: { HOST: '' } }).server.host, '0.0.0.0');
    assert.equal(parseConfigText(yaml, { env: { HOST: '10.1.1.1', PORT: '7000' } }).server.host, '10.1.1.1');
    assert.equal(parseConfigText(yaml, { env: { HOST: '10.1.1.1', PORT: '7000' } }).server.port, 7000);
  });

  test('a missing variable without default is an error naming the variable, path and line', () => {
    assert.throws(
      () => parseConfigText('providers:\n  anthropic:\n    api_key: ${MY_ANTHROPIC_KEY}\n', { env: {} }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(
          err.message,
          'conduit.yaml: providers.anthropic.api_key: environment variable MY_ANTHROPIC_KEY is not set (use "${MY_ANTHROPIC_KEY:-default}" to give a default) (line 3)',
        );
        return true;
      },
    );
  });

  test('an interpolated value is validated like a literal one', () => {
    assert.throws(() => parseConfigText('server:\n  port: ${PORT}\n', { env: { PORT: 'eighty' } }), {
      message: 'conduit.yaml: server.port: expected number, got string "eighty" (line 2)',
    });
  });

  test('$${ is a literal ${, and malformed references are errors', () => {
    assert.deepEqual(interpolateString('cost $${X} ok', {}), { value: 'cost ${X} ok' });
    assert.deepEqual(interpolateString('no vars here $5', {}), { value: 'no vars here $5' });
    assert.ok('error' in interpolateString('${UNCLOSED', {}));
    assert.ok('error' in interpolateString('${1BAD}', {}));
  });

  test('keys are not interpolated, list items are', () => {
    const config = parseConfigText('models:\n  ${NAME}:\n    deployments:\n      - model: ${M}\n', { env: { NAME: 'x', M: 'openai/gpt-4o' } });
    assert.ok(Object.hasOwn(config.models, '${NAME}'));
    const alias = config.models['${NAME}'];
    assert.ok(alias && typeof alias === 'object');
    assert.equal(alias.deployments[0]?.model, 'openai/gpt-4o');
  });
});
