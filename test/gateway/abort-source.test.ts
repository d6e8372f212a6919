/**
 * The gateway's CallOptions carry an AbortSource (src/reliability/abort-source.ts) so the bare
 * path never creates an AbortSignal; every other way of reading cancellation must still work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ConduitError } from '../../src/core/errors.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../../src/models/language-model.js';
import { abortReasonOf, abortSourceOf, isAborted } from '../../src/reliability/abort-source.js';
import { ensureRetryBudget } from '../../src/reliability/retry-budget.js';
import { startGateway, eventually } from './harness.js';

interface Seen {
  hasSource: boolean;
  copyKeepsSource: boolean;
  copyRequestId: string | undefined;
  copyHasRouting: boolean;
  spreadHasSource: boolean;
  sourceFired: boolean;
  spreadSignalAborted: boolean;
  reason: unknown;
}

/** Hangs until the request is cancelled, recording what it could see of the cancellation. */
function probeModel(seen: Seen[]): LanguageModel {
  return {
    provider: 'probe',
    modelId: 'probe',
    capabilities: { streaming: false, tools: false, jsonSchema: false, vision: false },
    generate(_request: ModelRequest, options: CallOptions = {}): Promise<GenerateResult> {
      const source = abortSourceOf(options);
      const copy = ensureRetryBudget(options, 2);
      const spread = { ...options };
      const entry: Seen = {
        hasSource: source !== undefined && !isAborted(options),
        copyKeepsSource: abortSourceOf(copy) === source && copy.retryBudget.remaining === 2,
        copyRequestId: copy.requestId,
        copyHasRouting: 'routing' in copy,
        spreadHasSource: abortSourceOf(spread) !== undefined,
        sourceFired: false,
        spreadSignalAborted: false,
        reason: undefined,
      };
      seen.push(entry);
      return new Promise((_resolve, reject) => {
        source?.addAbortListener({
          handleEvent() {
            entry.sourceFired = true;
            entry.spreadSignalAborted = spread.signal?.aborted === true;
            entry.reason = abortReasonOf(options);
            reject(entry.reason);
          },
        });
      });
    },
    stream(): AsyncIterable<StreamPart> {
      throw new Error('not used');
    },
  };
}

test('a client hang-up reaches the model through the abort source, and through a spread copy\'s real signal', async () => {
  const seen: Seen[] = [];
  const h = await startGateway({ probe: probeModel(seen) });
  try {
    await new Promise<void>((resolve) => {
      const req = http.request(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'abort-src-1' }, agent: false });
      req.on('error', () => resolve());
      req.end(JSON.stringify({ model: 'probe', messages: [{ role: 'user', content: 'x' }] }));
      const wait = setInterval(() => {
        if (seen.length > 0) {
          clearInterval(wait);
          req.destroy();
          resolve();
        }
      }, 5);
    });
    await eventually(() => seen[0]?.sourceFired === true);
    const s = seen[0]!;
    assert.equal(s.hasSource, true);
    assert.equal(s.copyKeepsSource, true, 'the retry-budget copy keeps the source');
    assert.equal(s.copyRequestId, 'abort-src-1');
    assert.equal(s.copyHasRouting, true);
    assert.equal(s.spreadHasSource, false, 'a spread copy must not carry the source (it may substitute its own signal)');
    assert.equal(s.spreadSignalAborted, true);
    assert.ok(s.reason instanceof ConduitError && s.reason.kind === 'cancelled');
    await eventually(() => h.logs.some((l) => l.msg === 'request' && l.status === 499));
  } finally {
    await h.close();
  }
});
