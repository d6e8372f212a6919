/**
 * Request-aware routing through the gateway: the routing headers reach the router, the decision
 * comes back as `x-conduit-route-reason`, and a malformed routing header is a 400 that calls nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { call, errorCode, startPolicyGateway, type PolicyGateway } from './support.js';

let up: FakeOpenAI;
let gw: PolicyGateway;

before(async () => {
  up = await startFakeOpenAI({ scenarios: (req) => ({ kind: 'reply', text: `served by ${(req.body as { model: string }).model}` }) });
  gw = await startPolicyGateway(up, {
    models: {
      economy: {
        strategy: 'cost',
        cost: { min_quality: 0.8, expected_output_tokens: 100 },
        deployments: [
          { model: 'openai/gpt-4.1-nano', quality: 0.6 },
          { model: 'openai/gpt-4o-mini', quality: 0.85 },
          { model: 'openai/gpt-4o', quality: 0.95 },
        ],
      },
      tiered: {
        strategy: 'complexity',
        deployments: [
          { model: 'openai/gpt-4o-mini', tier: 'small' },
          { model: 'openai/gpt-4o', tier: 'large' },
        ],
      },
    },
  });
});
after(async () => {
  await gw?.close();
  await up?.close();
});

const ask = (model: string, content: string, headers: Record<string, string> = {}) =>
  call(gw.url, '/v1/chat/completions', { headers, body: { model, messages: [{ role: 'user', content }] } });
const served = (r: { body: Record<string, unknown> }) => ((r.body.choices as { message: { content: string } }[])[0]!.message.content);

test('cost-aware alias: cheapest deployment meeting the quality threshold; the header raises the bar', async () => {
  const plain = await ask('economy', 'Summarise this sentence.');
  assert.equal(plain.status, 200, JSON.stringify(plain.body));
  assert.equal(served(plain), 'served by gpt-4o-mini');
  assert.match(plain.headers.get('x-conduit-route-reason') ?? '', /gpt-4o-mini/);

  const demanding = await ask('economy', 'Summarise this sentence.', { 'x-conduit-min-quality': '0.9' });
  assert.equal(served(demanding), 'served by gpt-4o');
  assert.match(demanding.headers.get('x-conduit-route-reason') ?? '', /gpt-4o/);
});

test('a budget no deployment fits is a typed refusal; a malformed routing header is a 400; neither calls the upstream', async () => {
  const before = up.requests.length;
  const broke = await ask('economy', 'Summarise this sentence.', { 'x-conduit-min-quality': '0.9', 'x-conduit-max-cost-usd': '0.0000001' });
  assert.equal(broke.status, 400, JSON.stringify(broke.body));
  assert.equal(errorCode(broke), 'no_qualifying_deployment');
  const bad = await ask('economy', 'hi', { 'x-conduit-min-quality': 'very high' });
  assert.equal(bad.status, 400);
  assert.equal(errorCode(bad), 'invalid_routing_header');
  assert.equal(up.requests.length, before);
});

test('complexity alias: a greeting goes to the small tier, a proof request to the large one', async () => {
  const small = await ask('tiered', 'hi');
  assert.equal(served(small), 'served by gpt-4o-mini');
  assert.match(small.headers.get('x-conduit-route-reason') ?? '', /complexity/);
  const large = await ask('tiered', 'Prove step by step that the square root of 2 is irrational.');
  assert.equal(served(large), 'served by gpt-4o');
});
