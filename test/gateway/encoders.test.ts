/** Unit checks of the wire encoders and helpers that the client tests cannot pin down exactly. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AnthropicStreamEncoder } from '../../src/gateway/anthropic-response.js';
import { exceedsDepth } from '../../src/gateway/body.js';
import { formatUsd } from '../../src/gateway/context.js';
import { isValidRequestId, parseDeadlineMs } from '../../src/gateway/request-headers.js';
import { matchRoute } from '../../src/gateway/router.js';
import { FastHistogram } from '../../src/observability/fast-histogram.js';

function events(sse: string): { event: string; data: Record<string, unknown> }[] {
  return sse
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => {
      const [ev, data] = e.split('\n');
      return { event: ev!.slice('event: '.length), data: JSON.parse(data!.slice('data: '.length)) as Record<string, unknown> };
    });
}

const usage = { inputTokens: 50, outputTokens: 20, cachedInputTokens: 30, cacheWriteTokens: 5, reasoningTokens: 0 };

describe('AnthropicStreamEncoder', () => {
  test('exact event sequence for text then a tool call', () => {
    const enc = new AnthropicStreamEncoder('msg_1', 'm');
    const out = enc.start() + enc.text('Hi') + enc.toolCallStart(0, 'call_1', 'f') + enc.toolCallDelta(0, '{"a":') + enc.toolCallDelta(0, '1}') + enc.finish('tool_calls', usage, [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }]);
    assert.deepEqual(
      events(out).map((e) => e.event),
      ['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    );
    const ev = events(out);
    assert.deepEqual(ev[5]!.data, { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} } });
    assert.deepEqual(ev[6]!.data, { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":' } });
    assert.deepEqual(ev[9]!.data, {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 15, output_tokens: 20, cache_creation_input_tokens: 5, cache_read_input_tokens: 30 },
    });
  });

  test('interleaved parallel tool calls still give sequential blocks with complete inputs', () => {
    const enc = new AnthropicStreamEncoder('msg_2', 'm');
    let out = enc.start();
    out += enc.toolCallStart(0, 'a', 'f');
    out += enc.toolCallStart(1, 'b', 'g');
    out += enc.toolCallDelta(1, '{"y"');
    out += enc.toolCallDelta(0, '{"x":1}');
    out += enc.toolCallDelta(1, ':2}');
    out += enc.finish('tool_calls', usage, [
      { id: 'a', name: 'f', arguments: '{"x":1}' },
      { id: 'b', name: 'g', arguments: '{"y":2}' },
    ]);
    // Rebuild each block's input the way a client does and check blocks never overlap.
    const inputs = new Map<number, string>();
    let open: number | undefined;
    for (const e of events(out)) {
      const index = e.data.index as number;
      if (e.event === 'content_block_start') {
        assert.equal(open, undefined, 'a block opened while another was open');
        open = index;
        inputs.set(index, '');
      } else if (e.event === 'content_block_delta') {
        assert.equal(index, open);
        inputs.set(index, inputs.get(index)! + ((e.data.delta as { partial_json: string }).partial_json ?? ''));
      } else if (e.event === 'content_block_stop') {
        assert.equal(index, open);
        open = undefined;
      }
    }
    assert.deepEqual([...inputs.values()], ['{"x":1}', '{"y":2}']);
  });
});

describe('helpers', () => {
  test('exceedsDepth counts the top level as 1 and stops at the limit', () => {
    assert.equal(exceedsDepth({ a: [1, { b: 2 }] }, 3), false);
    assert.equal(exceedsDepth({ a: [1, { b: {} }] }, 3), true);
    assert.equal(exceedsDepth('scalar', 1), false);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(exceedsDepth(deep, 64), true); // no stack overflow on hostile input
  });

  test('formatUsd never uses exponent notation', () => {
    assert.equal(formatUsd(0), '0');
    assert.equal(formatUsd(0.00042), '0.00042');
    assert.equal(formatUsd(1.5e-7), '0.00000015');
    assert.equal(formatUsd(12), '12');
    assert.equal(formatUsd(undefined), 'unknown');
  });

  test('request ids and deadlines', () => {
    assert.equal(isValidRequestId('abc-123_x.y:z'), true);
    assert.equal(isValidRequestId(''), false);
    assert.equal(isValidRequestId('a b'), false);
    assert.equal(isValidRequestId('x'.repeat(129)), false);
    assert.equal(parseDeadlineMs(undefined), undefined);
    assert.equal(parseDeadlineMs('250'), 250);
    assert.throws(() => parseDeadlineMs('abc'), /x-conduit-deadline-ms/);
    assert.throws(() => parseDeadlineMs(''), /x-conduit-deadline-ms/);
  });

  test('router: exact paths, aliases, 405 vs 404', () => {
    assert.equal(matchRoute('POST', '/v1/chat/completions').route, 'chat_completions');
    assert.equal(matchRoute('POST', '/chat/completions').route, 'chat_completions');
    assert.equal(matchRoute('HEAD', '/health').route, 'health');
    assert.deepEqual(matchRoute('DELETE', '/v1/models'), { route: undefined, allow: 'GET' });
    assert.deepEqual(matchRoute('GET', '/v1/unknown'), { route: undefined, allow: undefined });
    assert.deepEqual(matchRoute('GET', '/__proto__'), { route: undefined, allow: undefined });
  });

  test('FastHistogram renders cumulative buckets like prom-client', async () => {
    const h = new FastHistogram({ name: 'x_seconds', help: 'h', buckets: [0.1, 1] });
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const snap = await h.get();
    assert.deepEqual(
      snap.values.map((v) => [v.metricName, v.labels.le, v.value]),
      [
        ['x_seconds_bucket', 0.1, 1],
        ['x_seconds_bucket', 1, 2],
        ['x_seconds_bucket', '+Inf', 3],
        ['x_seconds_sum', undefined, 5.55],
        ['x_seconds_count', undefined, 3],
      ],
    );
  });
});
