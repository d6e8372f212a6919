/**
 * connectMcpServer against a separate MCP server process (the SDK-built fixture over stdio) and
 * against Conduit's own /mcp over HTTP: tool names, schemas, results and errors as AgentTools, a
 * Conduit agent (runAgent with a scripted model) calling the remote tool, and the config path.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAgent } from '../../src/agents/loop/run-agent.js';
import type { ToolContext } from '../../src/agents/tool.js';
import { createCalculatorTool } from '../../src/agents/tools/calculator/calculator-tool.js';
import { configSchema } from '../../src/config/schema.js';
import { isConduitError } from '../../src/core/errors.js';
import { connectMcpServer, mcpToolName, type McpConnection } from '../../src/mcp/client.js';
import { connectConfiguredMcpServers } from '../../src/mcp/configured-servers.js';
import { mcpRoutes } from '../../src/mcp/http-routes.js';
import { reply, ScriptedModel, toolCallReply } from '../support/scripted-model.js';
import { startGateway } from '../gateway/harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(HERE, 'fixtures', 'weather-server.ts');
const TSX = import.meta.resolve('tsx');
const fixtureSpec = (name: string) => ({ name, command: process.execPath, args: ['--import', TSX, FIXTURE], cwd: resolve(HERE, '../..') });

function context(): ToolContext {
  return { runId: 'run_test', callId: 'call_1', signal: new AbortController().signal };
}

describe('connectMcpServer over stdio (a separate MCP server process)', () => {
  let weather: McpConnection;

  before(async () => {
    weather = await connectMcpServer(fixtureSpec('weather'), { stderr: 'ignore' });
  });
  after(async () => {
    await weather.close();
  });

  test('prefixes and sanitises tool names, passes the JSON Schema through', () => {
    assert.deepEqual(weather.serverInfo, { name: 'weather-fixture', version: '1.2.3' });
    assert.deepEqual(weather.tools.map((t) => t.name).sort(), ['weather__call_count', 'weather__get_forecast', 'weather__lookup_user']);
    const forecast = weather.tools.find((t) => t.name === 'weather__get_forecast');
    assert.equal(forecast?.inputSchema.type, 'object');
    assert.deepEqual(forecast?.inputSchema.required, ['city']);
    assert.equal(mcpToolName('srv', 'a.b c'), 'srv__a_b_c');
    assert.equal(mcpToolName('s', 'x'.repeat(100)).length, 64);
  });

  test('maps results: text, structured data from the other process, isError, non-text parts', async () => {
    const tool = (name: string) => {
      const found = weather.tools.find((t) => t.name === name);
      assert.ok(found);
      return found;
    };
    const ok = await tool('weather__get_forecast').execute({ city: 'Paris' }, context());
    assert.equal(ok.content, 'Paris: 18°C, cloudy');
    assert.equal(ok.isError, undefined);
    const data = ok.data as { pid: number; tempC: number };
    assert.equal(data.tempC, 18);
    assert.notEqual(data.pid, process.pid, 'the tool ran in the fixture process');

    const missing = await tool('weather__get_forecast').execute({ city: 'Atlantis' }, context());
    assert.deepEqual(missing, { content: 'No forecast for Atlantis', isError: true });

    const user = await tool('weather__lookup_user').execute({ id: 7 }, context());
    assert.equal(user.content, 'user 7\n[image image/png]');

    // The remote server validates: a wrong argument type comes back as a tool error.
    const invalid = await tool('weather__lookup_user').execute({ id: 'seven' }, context());
    assert.equal(invalid.isError, true);
  });

  test('a Conduit agent calls the remote tool (scripted model)', async () => {
    const model = new ScriptedModel({ provider: 'openai' });
    model.enqueue(toolCallReply([{ id: 'call_w1', name: 'weather__get_forecast', arguments: '{"city":"Lagos"}' }]), reply('Tomorrow in Lagos: 31°C and sunny.'));
    const result = await runAgent({ model, tools: [createCalculatorTool(), ...weather.tools], input: 'Weather in Lagos tomorrow?' });
    assert.equal(result.status, 'completed');
    assert.equal(result.text, 'Tomorrow in Lagos: 31°C and sunny.');
    assert.deepEqual(result.toolsUsed, ['weather__get_forecast']);
    // The model saw the remote tool declared, and got the remote result back as the tool message.
    assert.ok(model.calls[0]?.request.tools?.some((t) => t.name === 'weather__get_forecast'));
    const toolMessage = result.messages.find((m) => m.role === 'tool');
    assert.equal(toolMessage?.content, 'Lagos: 31°C, sunny');
  });

  test('a closed connection fails calls with a typed error', async () => {
    const short = await connectMcpServer(fixtureSpec('short'), { stderr: 'ignore' });
    const countTool = short.tools.find((t) => t.name === 'short__call_count');
    assert.ok(countTool);
    assert.equal((await countTool.execute({}, context())).content, '0');
    await short.close();
    await assert.rejects(countTool.execute({}, context()), (err) => isConduitError(err) && err.code === 'mcp_call_failed');
  });

  test('bad names and unreachable servers are typed errors', async () => {
    await assert.rejects(connectMcpServer({ name: 'bad name', command: 'x' }), (err) => isConduitError(err) && err.code === 'invalid_mcp_server');
    await assert.rejects(
      connectMcpServer({ name: 'nothing', command: process.execPath, args: ['-e', 'process.exit(3)'] }, { stderr: 'ignore' }),
      (err) => isConduitError(err) && err.code === 'mcp_connect_failed',
    );
  });
});

describe('connectMcpServer over Streamable HTTP and from config', () => {
  test("Conduit's own /mcp, used as a client, and mcp.servers from conduit.yaml", async () => {
    const h = await startGateway({}, {}, { appRoutes: [mcpRoutes({ tools: [createCalculatorTool()] })] });
    try {
      const config = configSchema.parse({
        mcp: {
          servers: [
            { name: 'conduit', url: `${h.url}/mcp` },
            { ...fixtureSpec('weather'), env: { FIXTURE_MODE: 'config' } },
          ],
        },
      });
      assert.equal(config.mcp?.http, true);
      const toolset = await connectConfiguredMcpServers(config.mcp?.servers ?? [], { stderr: 'ignore' });
      try {
        assert.deepEqual(toolset.connections.map((c) => c.name), ['conduit', 'weather']);
        const calc = toolset.tools.find((t) => t.name === 'conduit__calculator');
        assert.ok(calc);
        assert.equal((await calc.execute({ expression: '25% of 1200' }, context())).content, '300');
        assert.ok(toolset.tools.some((t) => t.name === 'weather__get_forecast'));
      } finally {
        await toolset.close();
      }
    } finally {
      await h.close();
    }
  });

  test('config rejects duplicate server names and entries that are neither command nor url', () => {
    assert.throws(() => configSchema.parse({ mcp: { servers: [{ name: 'a', url: 'http://x/mcp' }, { name: 'a', command: 'y' }] } }), /unique/);
    assert.throws(() => configSchema.parse({ mcp: { servers: [{ name: 'a' }] } }));
    assert.throws(() => configSchema.parse({ mcp: { servers: [{ name: 'a.b', command: 'y' }] } }));
  });

  test('skip mode leaves an unreachable server out with a warning', async () => {
    const toolset = await connectConfiguredMcpServers([{ name: 'gone', url: 'http://127.0.0.1:9/mcp' }], { onError: 'skip' });
    assert.equal(toolset.tools.length, 0);
    assert.match(toolset.warnings[0] ?? '', /Cannot connect to MCP server 'gone'/);
    await assert.rejects(connectConfiguredMcpServers([{ name: 'gone', url: 'http://127.0.0.1:9/mcp' }]), /Cannot connect/);
  });
});
