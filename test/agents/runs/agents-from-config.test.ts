import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentsConfigOf, configSchema } from '../../../src/config/schema.js';
import { agentDefinitionsFromConfig } from '../../../src/agents/runs/agents-from-config.js';
import { runAgent } from '../../../src/agents/loop/run-agent.js';
import { ScriptedResolver } from '../../gateway/scripted-model.js';
import { ScriptedModel, reply } from '../../support/scripted-model.js';

const parse = (agents: unknown) => agentsConfigOf(configSchema.parse({ agents }));

describe('agents from configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agents-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('builds each agent with its allow-listed tools, limits and approvals, plus the built-in chat agent', async () => {
    const model = new ScriptedModel({ script: [reply('hello')] });
    const resolver = new ScriptedResolver({ 'small-model': model });
    const config = parse({
      tools: { files: { sandbox_dir: 'box' }, http_get: { allowed_hosts: ['api.example.com'] } },
      definitions: {
        ops: { model: 'small-model', system: 'Be careful.', tools: ['calculator', 'write_file', 'http_get'], require_approval: ['http_get'], limits: { max_steps: 3, max_cost_usd: 0.5 } },
      },
    });
    const defs = await agentDefinitionsFromConfig({ config, resolver, cwd: dir });
    assert.deepEqual(defs.map((d) => d.name), ['ops', 'chat']);
    const ops = defs[0]!;
    assert.deepEqual(ops.tools.map((t) => t.name), ['calculator', 'write_file', 'http_get']);
    assert.deepEqual(ops.limits, { maxSteps: 3, deadlineMs: 120_000, maxCostUsd: 0.5 });
    assert.deepEqual(ops.requireApproval, ['http_get']);
    assert.equal(ops.tools[1]!.requiresApproval, true);
    assert.ok(existsSync(join(dir, 'box')));
    const chat = defs[1]!;
    assert.deepEqual(chat.tools.map((t) => t.name), ['calculator']);
    assert.equal(chat.modelName, 'small-model');
    // Models resolve on first use, through the resolver.
    const result = await runAgent({ model: ops.model, input: 'hi' });
    assert.equal(result.text, 'hello');
  });

  test('an unknown tool, or an approval for a tool the agent lacks, is a configuration error', async () => {
    const resolver = new ScriptedResolver({});
    await assert.rejects(agentDefinitionsFromConfig({ config: parse({ definitions: { a: { tools: ['shell'] } } }), resolver, cwd: dir }), /agents\.definitions\.a\.tools: unknown tool 'shell' \(available: calculator\)/);
    await assert.rejects(agentDefinitionsFromConfig({ config: parse({ definitions: { a: { tools: ['calculator'], require_approval: ['http_get'] } } }), resolver, cwd: dir }), /require_approval: 'http_get' is not in the agent's tools/);
    assert.throws(() => parse({ definitions: { 'bad name': {} } }));
    assert.throws(() => parse({ definitions: { a: { limits: { max_steps: 0 } } } }));
    assert.throws(() => parse({ unknown_key: true }));
  });

  test('a model that does not exist fails when a run starts (not_found), not when the gateway starts', async () => {
    const defs = await agentDefinitionsFromConfig({ config: parse({ definitions: { a: { model: 'missing' } } }), resolver: new ScriptedResolver({}), cwd: dir });
    await assert.rejects(runAgent({ model: defs[0]!.model, input: 'x' }), { kind: 'not_found' });
  });
});
