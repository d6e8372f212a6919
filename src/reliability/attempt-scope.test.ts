import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import type { CallOptions } from '../models/language-model.js';
import { ABORT_SOURCE, abortSourceOf, isAborted, type AbortListener, type AbortSource } from './abort-source.js';
import { openAttemptScope } from './attempt-scope.js';
import { systemClock } from './clock.js';

/** Caller options whose signal is lazy, like the gateway's: reading it is counted. */
function lazyOptions(): { options: CallOptions; source: AbortSource & { fire(reason: ConduitError): void }; signalReads: () => number } {
  let reads = 0;
  const listeners: AbortListener[] = [];
  const controller = new AbortController();
  const source = {
    aborted: false,
    reason: undefined as unknown,
    addAbortListener: (l: AbortListener) => listeners.push(l),
    removeAbortListener: (l: AbortListener) => {
      const i = listeners.indexOf(l);
      if (i !== -1) listeners.splice(i, 1);
    },
    fire(reason: ConduitError) {
      source.aborted = true;
      source.reason = reason;
      controller.abort(reason);
      for (const l of [...listeners]) l.handleEvent();
    },
  };
  const options = { requestId: 'req-1', deadlineAt: undefined } as CallOptions & Record<string, unknown>;
  Object.defineProperty(options, 'signal', {
    get: () => {
      reads++;
      return controller.signal;
    },
    enumerable: true,
  });
  Object.defineProperty(options, ABORT_SOURCE, { get: () => source });
  return { options, source, signalReads: () => reads };
}

test("an attempt's options keep the caller's fields, listen through the abort source, and never read the caller's lazy signal", async () => {
  const { options, source, signalReads } = lazyOptions();
  const scope = openAttemptScope(options, { clock: systemClock });
  const attemptOptions = scope.callOptions();
  assert.equal(attemptOptions.requestId, 'req-1');
  const attemptSource = abortSourceOf(attemptOptions);
  assert.ok(attemptSource !== undefined, 'the attempt is the abort source of its options');
  let heard = 0;
  attemptSource.addAbortListener({ handleEvent: () => heard++ });
  const pending = scope.race(new Promise<never>(() => undefined));
  const reason = new ConduitError('cancelled', 'client went away');
  source.fire(reason);
  await assert.rejects(pending, (err: unknown) => err === reason);
  assert.equal(heard, 1);
  assert.equal(isAborted(attemptOptions), true);
  assert.equal(signalReads(), 0, "the caller's signal was never created");
  // A signal read after the fact is already aborted with the same reason.
  assert.equal(attemptOptions.signal?.aborted, true);
  assert.equal(attemptOptions.signal?.reason, reason);
  scope.dispose();
});

test('abort() ends one attempt without touching the caller; race() with a limit rejects with the limit error', async () => {
  const { options, source } = lazyOptions();
  const scope = openAttemptScope(options, { clock: systemClock });
  const signal = scope.callOptions().signal!;
  const stalled = scope.race(new Promise<never>(() => undefined), 20, () => new ConduitError('timeout', 'stalled', { code: 'stream_stall' }));
  await assert.rejects(stalled, (err: unknown) => err instanceof ConduitError && err.code === 'stream_stall');
  const fast = await scope.race(Promise.resolve('value'), 1000, () => new ConduitError('timeout', 'never'));
  assert.equal(fast, 'value');
  const pending = scope.race(new Promise<never>(() => undefined));
  scope.abort(new ConduitError('timeout', 'abandoned'));
  await assert.rejects(pending, /abandoned/);
  assert.equal(signal.aborted, true);
  assert.equal(source.aborted, false, 'the caller is not aborted by its attempt');
  await assert.rejects(scope.race(Promise.resolve(1)), /abandoned/);
  scope.dispose();
});

test('a caller already aborted gives an attempt that is aborted from the start', async () => {
  const controller = new AbortController();
  controller.abort(new ConduitError('cancelled', 'gone'));
  const scope = openAttemptScope({ signal: controller.signal }, { clock: systemClock });
  assert.equal(scope.signal.aborted, true);
  await assert.rejects(scope.race(Promise.resolve(1)), /gone/);
  scope.dispose();
});
