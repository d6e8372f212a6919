import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfigText, redactConfig, REDACTED } from '../../src/config/index.js';

const SECRETS = ['sk-openai-SECRET-0001', 'sk-ant-SECRET-0002', 'deploy-SECRET-0003', 'compat-SECRET-0004', 'header-SECRET-0005', 'urlpass-SECRET-0006'];

const YAML = `
providers:
  openai:
    api_key: \${OPENAI_API_KEY}
    organization: org-visible
  anthropic:
    api_key: sk-ant-SECRET-0002
  openai_compatible:
    together:
      base_url: https://user:urlpass-SECRET-0006@api.together.xyz/v1
      api_key: compat-SECRET-0004
      headers:
        x-custom-auth: header-SECRET-0005
models:
  fast:
    deployments:
      - model: openai/gpt-4o-mini
        api_key: deploy-SECRET-0003
`;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('secrets', () => {
  test('redactConfig hides every secret and keeps the rest', () => {
    const config = parseConfigText(YAML, { env: { OPENAI_API_KEY: 'sk-openai-SECRET-0001' } });
    const redacted = redactConfig(config);
    const text = JSON.stringify(redacted);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.equal(redacted.providers.openai?.api_key, REDACTED);
    assert.equal(redacted.providers.openai?.organization, 'org-visible');
    assert.equal(redacted.providers.openai_compatible?.together?.base_url, `https://user:${REDACTED}@api.together.xyz/v1`);
    assert.equal(redacted.providers.openai_compatible?.together?.headers?.['x-custom-auth'], REDACTED);
    const fast = redacted.models.fast;
    assert.ok(fast && typeof fast === 'object');
    assert.equal(fast.deployments[0]?.api_key, REDACTED);
    assert.equal(fast.deployments[0]?.model, 'openai/gpt-4o-mini');
    // The original is untouched.
    assert.equal(config.providers.anthropic?.api_key, 'sk-ant-SECRET-0002');
  });

  test('a wrong-typed secret is described by type only', () => {
    const message = messageOf(() => parseConfigText('providers:\n  openai:\n    api_key: 123456789\n', { env: {} }));
    assert.equal(message, 'conduit.yaml: providers.openai.api_key: expected string, got number (line 3)');
  });

  test('a secret pasted into a non-secret field is scrubbed from the message', () => {
    const message = messageOf(() =>
      parseConfigText('providers:\n  openai:\n    base_url: ${OPENAI_API_KEY}\n', { env: { OPENAI_API_KEY: 'sk-openai-SECRET-0001' } }),
    );
    assert.ok(!message.includes('sk-openai-SECRET-0001'), message);
    assert.equal(message, `conduit.yaml: providers.openai.base_url: expected an http(s) URL, got string "${REDACTED}" (line 3)`);
  });

  test('an error elsewhere in a file full of secrets echoes none of them', () => {
    const message = messageOf(() => parseConfigText(`${YAML}server:\n  port: nope\n`, { env: { OPENAI_API_KEY: 'sk-openai-SECRET-0001' } }));
    assert.match(message, /server\.port: expected number, got string "nope"/);
    for (const secret of SECRETS) assert.ok(!message.includes(secret), `${secret} leaked: ${message}`);
  });
});
