/**
 * `conduit serve` (in-process through `main`) with MCP on both sides: the official MCP client
 * calls Conduit's tools at /mcp, and a configured agent calls a tool served by a separate MCP
 * server process named under `mcp.servers`, its model being the fake OpenAI upstream over HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { main } from '../../src/cli/main.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { toolThenAnswer } from '../agents/http/agent-scenarios.js';
import { writePromptFixture, type PromptFixture } from './support/prompt-fixtures.js';
import { captureIo, type CapturedIo } from '../support/cli.js';

const HERE = dirname(fileURLToPath(import.meta.url));

describe('conduit serve with MCP', () => {
  let upstream: FakeOpenAI;
  let fixture: PromptFixture;
  let url: string;
  let exit: Promise<number>;
  let serve: CapturedIo;
  const shutdown = new AbortController();

  before(async () => {
    upstream = await startFakeOpenAI({ scenarios: toolThenAnswer('weather__get_forecast', { city: 'Paris' }, (r) => `Tomorrow: ${r}.`) });
    fixture = writePromptFixture();
    const configPath = join(fixture.dir, 'conduit.yaml');
    writeFileSync(
      configPath,
      stringify({
        server: { host: '127.0.0.1', port: 0 },
        providers: { openai: { api_key: 'sk-upstream', base_url: upstream.url } },
        default_model: 'openai/gpt-4o-mini',
        reliability: { max_retries: 0, health_check_interval_ms: 0 },
        storage: { state_dir: join(fixture.dir, 'state') },
        logging: { level: 'silent' },
        mcp: {
          servers: [{ name: 'weather', command: process.execPath, args: ['--import', import.meta.resolve('tsx'), join(HERE, 'fixtures', 'weather-server.ts')], cwd: resolve(HERE, '../..') }],
        },
        agents: { definitions: { forecaster: { model: 'openai/gpt-4o-mini', system: 'Use the weather tool.', tools: ['weather__get_forecast', 'calculator'] } } },
      }),
    );
    serve = captureIo({ cwd: fixture.dir, signal: shutdown.signal });
    exit = main(['serve', '--config', configPath], serve.io);
    url = await Promise.race([
      serve.listeningUrl(),
      exit.then((code) => {
        throw new Error(`conduit serve exited with ${code}: ${serve.stderr()}`);
      }),
    ]);
  });

  after(async () => {
    shutdown.abort();
    assert.equal(await exit, 0);
    await upstream.close();
    fixture.remove();
  });

  test('the official MCP client uses /mcp: tools and the prompts of ./prompts', async () => {
    const client = new Client({ name: 'serve-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'calculator'));
      const result = await client.callTool({ name: 'calculator', arguments: { expression: '25% of 1200' } });
      assert.deepEqual(result.content, [{ type: 'text', text: '300' }]);
      const { prompts } = await client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name), ['demo/greet']);
    } finally {
      await client.close();
    }
  });

  test('a configured agent calls the tool of the separate MCP server process', async () => {
    const res = await fetch(`${url}/v1/agents/forecaster/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'Weather in Paris tomorrow?' }) });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const run = JSON.parse(text) as { status: string; output: string; tools_used: string[] };
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.tools_used, ['weather__get_forecast']);
    assert.equal(run.output, 'Tomorrow: Paris: 18°C, cloudy.');
    // The model was offered the MCP tool with the remote server's JSON Schema.
    const offered = upstream.requests.find((r) => r.path.startsWith('/v1/chat/completions'))?.body as { tools?: { function: { name: string; parameters: { required?: string[] } } }[] };
    const weatherTool = offered.tools?.find((t) => t.function.name === 'weather__get_forecast');
    assert.deepEqual(weatherTool?.function.parameters.required, ['city']);
  });
});
