/**
 * `conduit mcp serve` as a real subprocess, driven by the official MCP SDK client over stdio:
 * tools are listed and called (calculator), prompts from the registry are listed and rendered
 * with arguments, and mistakes come back as MCP errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { writePromptFixture, type PromptFixture } from './support/prompt-fixtures.js';
import { runCli } from '../support/cli.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('conduit mcp serve (stdio) with the official MCP client', () => {
  let fixture: PromptFixture;
  let client: Client;
  let stderr = '';

  before(async () => {
    fixture = writePromptFixture();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'src', 'cli', 'entry.ts'), 'mcp', 'serve'],
      cwd: fixture.dir,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    client = new Client({ name: 'conduit-test', version: '1.0.0' });
    await client.connect(transport);
  });

  after(async () => {
    await client.close();
    fixture.remove();
  });

  test('identifies itself and lists the calculator with its JSON Schema', async () => {
    assert.equal(client.getServerVersion()?.name, 'conduit');
    const { tools } = await client.listTools();
    const calculator = tools.find((t) => t.name === 'calculator');
    assert.ok(calculator, `calculator missing from ${tools.map((t) => t.name).join(', ')}`);
    assert.equal(calculator.inputSchema.type, 'object');
    assert.ok(calculator.inputSchema.properties && 'expression' in calculator.inputSchema.properties);
    assert.match(stderr, /Conduit MCP server on stdio/);
  });

  test('calls the calculator: 25% of 1200 is 300', async () => {
    const result = await client.callTool({ name: 'calculator', arguments: { expression: '25% of 1200' } });
    assert.notEqual(result.isError, true);
    assert.deepEqual(result.content, [{ type: 'text', text: '300' }]);
    assert.deepEqual(result.structuredContent, { expression: '25% of 1200', value: 300 });
  });

  test('invalid arguments and bad expressions are tool errors, unknown tools protocol errors', async () => {
    const invalid = await client.callTool({ name: 'calculator', arguments: { expr: '1+1' } });
    assert.equal(invalid.isError, true);
    assert.match(JSON.stringify(invalid.content), /Invalid arguments for calculator/);

    const bad = await client.callTool({ name: 'calculator', arguments: { expression: '2 +' } });
    assert.equal(bad.isError, true);

    await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), /Unknown tool 'no_such_tool'/);
  });

  test('lists registry prompts with their arguments and renders one', async () => {
    const { prompts } = await client.listPrompts();
    const greet = prompts.find((p) => p.name === 'demo/greet');
    assert.ok(greet);
    assert.equal(greet.title, 'demo/greet@2.0.0');
    assert.deepEqual(
      greet.arguments?.map((a) => [a.name, a.required]),
      [
        ['person', true],
        ['times', false],
        ['excited', false],
        ['topics', false],
      ],
    );

    const got = await client.getPrompt({ name: 'demo/greet', arguments: { person: 'Ada', times: '3', excited: 'true', topics: '["maths","engines"]' } });
    assert.equal(got.messages.length, 2);
    assert.deepEqual(got.messages[0], { role: 'user', content: { type: 'text', text: 'You greet people.' } });
    assert.equal(got.messages[1]?.role, 'user');
    const text = got.messages[1]?.content.type === 'text' ? got.messages[1].content.text : '';
    assert.match(text, /Greet Ada 3 time\(s\)\. Excited: true/);
    assert.match(text, /- maths\n- engines/);

    const pinned = await client.getPrompt({ name: 'demo/greet@1.0.0', arguments: { person: 'Bob' } });
    assert.deepEqual(pinned.messages, [{ role: 'user', content: { type: 'text', text: 'Hello Bob x1' } }]);
  });

  test('prompt mistakes are invalid-params errors naming the problem', async () => {
    await assert.rejects(client.getPrompt({ name: 'demo/greet', arguments: { person: 'Ada', times: 'many' } }), /argument 'times': expected a number/);
    await assert.rejects(client.getPrompt({ name: 'demo/greet', arguments: {} }), /person/);
    await assert.rejects(client.getPrompt({ name: 'demo/missing', arguments: {} }), /No prompt "demo\/missing"/);
  });
});

test('conduit mcp without serve is a usage error (exit 2)', async () => {
  for (const [argv, message] of [
    [['mcp'], /needs a subcommand: serve/],
    [['mcp', 'start'], /unknown mcp subcommand 'start'/],
    [['mcp', 'serve', 'extra'], /takes no arguments/],
  ] as const) {
    const { code, stderr } = await runCli(argv, { cwd: REPO_ROOT });
    assert.equal(code, 2);
    assert.match(stderr, message);
  }
});
