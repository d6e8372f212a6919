/**
 * The gateway's pre-serialised request log line must be byte-for-byte what pino writes for the
 * same fields (level, time, name, msg, escaping), through the same destination.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import OpenAI from 'openai';
import { createLogger, jsonNumber, jsonString, RequestLineWriter } from '../../src/observability/logger.js';
import { startGateway, eventually } from '../gateway/harness.js';
import { ScriptedModel } from '../gateway/scripted-model.js';

function capture(): { lines: string[]; destination: { write(s: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}

/** Pino's line with its time replaced, so two lines written a millisecond apart compare equal. */
const sameTime = (line: string): string => line.replace(/^(\{"level":\d+,"time":)\d+/, '$1T');

function serialise(fields: Record<string, string | number | boolean | undefined>): string {
  let out = '';
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out += ',"' + k + '":' + (typeof v === 'string' ? jsonString(v) : typeof v === 'number' ? jsonNumber(v) : String(v));
  }
  return out;
}

describe('RequestLineWriter', () => {
  test('writes the bytes pino writes, escaping included', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination, level: 'debug' });
    const writer = RequestLineWriter.for(logger);
    assert.ok(writer);
    const awkward = ['plain', 'quote " and back\\slash', 'tab\tnewline\n', 'é ünïcode ✓ 😀', 'x'.repeat(150) + '"', '\u2028 line sep', 'lone \ud800 surrogate', ''];
    for (const s of awkward) {
      for (const level of ['info', 'warn', 'debug'] as const) {
        const fields = { reqId: s, route: 'chat_completions', model: s === '' ? undefined : s, provider: 'openai', status: 200, stream: false, durationMs: 1.234567, overheadMs: Number.NaN, costUsd: 0.00000123 };
        logger[level](fields, 'request');
        writer.write(level, serialise(fields), 'request');
        const [viaPino, viaWriter] = lines.splice(0, 2);
        assert.ok(viaPino !== undefined && viaWriter !== undefined);
        assert.equal(sameTime(viaWriter), sameTime(viaPino), `for ${JSON.stringify(s)} at ${level}`);
      }
    }
  });

  test('only for loggers made by createLogger (pino writes for any other logger)', () => {
    const { destination } = capture();
    assert.equal(RequestLineWriter.for(pino({ base: undefined }, destination)), undefined);
    assert.equal(RequestLineWriter.for(createLogger({ destination }).child({ component: 'x' })), undefined);
  });

  test('the gateway writes its request line this way: same fields and bytes as pino would, no prompt or completion text', async () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination, level: 'info' });
    const chat = new ScriptedModel('scripted', 'c-1', { kind: 'reply', text: 'COMPLETION-TEXT-XYZ' });
    const h = await startGateway({ chat }, {}, { logger });
    try {
      const client = new OpenAI({ apiKey: 'sk-SECRET-KEY-123', baseURL: `${h.url}/v1`, maxRetries: 0 });
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'SECRET-PROMPT-TEXT' }] }, { headers: { 'x-request-id': 'line-1' } });
      await eventually(() => lines.some((l) => l.includes('"msg":"request"')));
      const line = lines.find((l) => l.includes('"msg":"request"'))!;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual(Object.keys(parsed), ['level', 'time', 'name', 'reqId', 'route', 'model', 'provider', 'status', 'stream', 'durationMs', 'overheadMs', 'msg']);
      // The scripted model has no price: an unknown cost is left out, as pino leaves out undefined.
      assert.equal(parsed.level, 30);
      assert.equal(parsed.name, 'conduit');
      assert.equal(parsed.reqId, 'line-1');
      assert.equal(parsed.status, 200);
      assert.equal(parsed.stream, false);
      const { level: _l, time: _t, name: _n, msg: _m, ...fields } = parsed;
      logger.info(fields, 'request');
      assert.equal(sameTime(line), sameTime(lines.at(-1)!));
      const raw = lines.join('');
      assert.ok(!raw.includes('SECRET-PROMPT-TEXT') && !raw.includes('COMPLETION-TEXT-XYZ') && !raw.includes('sk-SECRET-KEY-123'));
    } finally {
      await h.close();
    }
  });
});
