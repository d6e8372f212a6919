/**
 * MCP over Streamable HTTP at /mcp on a real gateway, driven by the official MCP SDK client:
 * Conduit tools (calculator, a RAG retriever as rag_search, tools of our own), approval and timeout
 * rules, registry prompts, and the gateway's admission in front of it all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AgentTool } from '../../src/agents/tool.js';
import { createCalculatorTool } from '../../src/agents/tools/calculator/calculator-tool.js';
import { ConduitError } from '../../src/core/errors.js';
import type { GatewayPolicy } from '../../src/gateway/policy/gateway-policy.js';
import { mcpRoutes } from '../../src/mcp/http-routes.js';
import { createPromptRegistry } from '../../src/prompting/registry.js';
import type { RetrievalRequest, RetrievedChunk, Retriever } from '../../src/rag/types.js';
import { startGateway, type Harness } from '../gateway/harness.js';
import { writePromptFixture, type PromptFixture } from './support/prompt-fixtures.js';

const KEY = 'sk-mcp-test';

/** Admission only: the key must be presented, as with a configured key store. */
const keyPolicy: GatewayPolicy = {
  async admit(ctx) {
    if (ctx.req.headers.authorization !== `Bearer ${KEY}`) throw new ConduitError('authentication', 'Missing or invalid API key', { code: 'invalid_api_key' });
  },
  prepare: async (_ctx, _requested, model) => model,
  prepareEmbedding: async (_ctx, _requested, model) => model,
};

const retrieverCalls: RetrievalRequest[] = [];
const retriever: Retriever = {
  name: 'test-kb',
  async retrieve(request) {
    retrieverCalls.push(request);
    const docs = ['Refunds take 5 business days.', 'Refunds need the order number.', 'Shipping is free over $50.'];
    return docs
      .filter((text) => text.toLowerCase().includes(request.query.toLowerCase()))
      .slice(0, request.topK)
      .map((text, i): RetrievedChunk => ({ chunk: { id: `faq#${i}`, documentId: 'faq', index: i, text, metadata: {} }, score: 1 - i / 10, via: 'keyword' }));
  },
};

const upperTool: AgentTool = {
  name: 'upper',
  description: 'Upper-cases text.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  async execute(args) {
    return { content: String(args.text).toUpperCase() };
  },
};
let deleted = 0;
const deleteTool: AgentTool = {
  name: 'delete_everything',
  description: 'Needs approval.',
  inputSchema: { type: 'object', properties: {} },
  requiresApproval: true,
  async execute() {
    deleted++;
    return { content: 'deleted' };
  },
};
const slowTool: AgentTool = {
  name: 'slow',
  description: 'Never finishes in time.',
  inputSchema: { type: 'object', properties: {} },
  timeoutMs: 50,
  execute: (_args, context) => new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted')))),
};

describe('/mcp on the gateway with the official MCP client', () => {
  let fixture: PromptFixture;
  let h: Harness;
  let client: Client;

  before(async () => {
    fixture = writePromptFixture();
    const routes = mcpRoutes({ tools: [createCalculatorTool(), upperTool, deleteTool, slowTool], rag: { retriever, collection: 'faq' }, prompts: createPromptRegistry({ root: fixture.root }) });
    h = await startGateway({}, {}, { appRoutes: [routes], policy: keyPolicy });
    client = new Client({ name: 'conduit-http-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }));
  });

  after(async () => {
    await client.close();
    await h.close();
    fixture.remove();
  });

  test('lists every tool, the retriever as rag_search', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['calculator', 'delete_everything', 'rag_search', 'slow', 'upper']);
    const rag = tools.find((t) => t.name === 'rag_search');
    assert.deepEqual(rag?.inputSchema.required, ['query']);
  });

  test('calls tools: calculator, a custom tool, rag_search with top_k', async () => {
    const calc = await client.callTool({ name: 'calculator', arguments: { expression: '(3 + 4) * 2^3' } });
    assert.deepEqual(calc.content, [{ type: 'text', text: '56' }]);

    const upper = await client.callTool({ name: 'upper', arguments: { text: 'mcp' } });
    assert.deepEqual(upper.content, [{ type: 'text', text: 'MCP' }]);

    const rag = await client.callTool({ name: 'rag_search', arguments: { query: 'refunds', top_k: 1 } });
    assert.notEqual(rag.isError, true);
    assert.deepEqual(rag.content, [{ type: 'text', text: '[1] (faq, score 1.000)\nRefunds take 5 business days.' }]);
    assert.equal(retrieverCalls.at(-1)?.topK, 1);
    assert.equal((rag.structuredContent as { hits: { chunkId: string }[] }).hits[0]?.chunkId, 'faq#0');

    const badTopK = await client.callTool({ name: 'rag_search', arguments: { query: 'refunds', top_k: 500 } });
    assert.equal(badTopK.isError, true);
  });

  test('a tool needing approval never runs; a slow tool times out as a tool error', async () => {
    const refused = await client.callTool({ name: 'delete_everything', arguments: {} });
    assert.equal(refused.isError, true);
    assert.match(JSON.stringify(refused.content), /needs human approval/);
    assert.equal(deleted, 0);

    const slow = await client.callTool({ name: 'slow', arguments: {} });
    assert.equal(slow.isError, true);
    assert.match(JSON.stringify(slow.content), /did not finish within 50 ms/);
  });

  test('registry prompts over HTTP', async () => {
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name), ['demo/greet']);
    const got = await client.getPrompt({ name: 'demo/greet@1.0.0', arguments: { person: 'Grace', times: '2' } });
    assert.deepEqual(got.messages, [{ role: 'user', content: { type: 'text', text: 'Hello Grace x2' } }]);
  });

  test('admission applies: no key is 401; GET is 405 (stateless endpoint)', async () => {
    const anonymous = new Client({ name: 'anon', version: '1.0.0' });
    await assert.rejects(anonymous.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`))), /401|invalid API key/i);

    const get = await fetch(`${h.url}/mcp`, { headers: { authorization: `Bearer ${KEY}`, accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    await get.body?.cancel();

    const lines = h.logs.filter((l) => l.route === 'mcp');
    assert.ok(lines.length > 0, 'requests to /mcp are logged under the mcp route');
  });
});
