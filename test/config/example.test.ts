import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfigText } from '../../src/config/index.js';
import { createModelRegistry } from '../../src/models/registry/index.js';

test('the documented example config is valid and every alias in it builds', () => {
  const text = readFileSync(new URL('../../src/config/conduit.example.yaml', import.meta.url), 'utf8');
  const config = parseConfigText(text, { source: 'conduit.example.yaml', env: { OPENAI_API_KEY: 'sk-example' } });
  assert.equal(config.default_model, 'fast');
  assert.equal(config.providers.ollama?.base_url, 'http://127.0.0.1:11434');
  assert.equal(config.providers.anthropic?.api_key, undefined, 'an empty ${VAR:-} default leaves the key unset');
  const registry = createModelRegistry({ config });
  const problems = registry.validate().filter((p) => p.name !== 'embeddings.default_model');
  // The llamacpp file does not exist here, which only matters when it is used.
  assert.deepEqual(problems.map((p) => `${p.name}: ${p.error.message}`), []);
  assert.equal(registry.resolve('smart').modelId, 'smart');
});
