import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSSE, type SSEEvent } from './sse.js';

async function collect(chunks: string[]): Promise<SSEEvent[]> {
  async function* body() {
    for (const c of chunks) yield new TextEncoder().encode(c);
  }
  const out: SSEEvent[] = [];
  for await (const ev of parseSSE(body())) out.push(ev);
  return out;
}

test('parses events split at arbitrary byte boundaries', async () => {
  const text = 'event: message_start\ndata: {"a":1}\n\n: comment\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 3) pieces.push(text.slice(i, i + 3));
  assert.deepEqual(await collect(pieces), [
    { event: 'message_start', data: '{"a":1}' },
    { data: 'line1\nline2' },
    { data: '[DONE]' },
  ]);
});

test('handles CRLF and lone CR line endings, including a CRLF split across chunks', async () => {
  assert.deepEqual(await collect(['data: a\r', '\n\r\ndata: b\r\r']), [{ data: 'a' }, { data: 'b' }]);
});

test('drops an incomplete trailing event (a cut stream is detected by the adapter)', async () => {
  assert.deepEqual(await collect(['data: one\n\ndata: two']), [{ data: 'one' }]);
});

test('keeps the last id and handles multi-byte UTF-8 split across chunks', async () => {
  const bytes = new TextEncoder().encode('id: 7\ndata: héllo €\n\n');
  async function* body() {
    for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
  }
  const out: SSEEvent[] = [];
  for await (const ev of parseSSE(body())) out.push(ev);
  assert.deepEqual(out, [{ id: '7', data: 'héllo €' }]);
});
