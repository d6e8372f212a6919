/** The dead-letter queue on both relational backends: embedded PGlite and PostgreSQL. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConduitError } from '../../src/core/errors.js';
import { generateObject } from '../../src/structured/generate-object.js';
import { createDeadLetterQueue, DeadLetterCorrectionError, type DeadLetterQueue } from '../../src/structured/dlq.js';
import { StructuredOutputError } from '../../src/structured/structured-output-error.js';
import { databaseFactories } from '../support/databases.js';
import { reply, ScriptedModel } from '../support/scripted-model.js';

const Ticket = z.object({
  customer_email: z.string().email(),
  order_id: z.string().regex(/^\d{5}$/),
  issue_type: z.enum(['refund_request', 'delivery_issue', 'product_defect', 'general_inquiry']),
});
const goodTicket = { customer_email: 'a@example.com', order_id: '12345', issue_type: 'refund_request' };

for (const factory of databaseFactories) {
  describe(`dead-letter queue (${factory.name})`, () => {
    let handle: Awaited<ReturnType<typeof factory.open>>;
    let dlq: DeadLetterQueue;
    let t = 1_700_000_000_000;
    const clock = { now: () => t };

    before(async () => {
      handle = await factory.open();
      dlq = await createDeadLetterQueue({ db: handle.db, clock, thresholds: { maxPending: 3 } });
    });
    after(async () => {
      await handle.dispose();
    });

    /** A real failure stored through generateObject's `deadLetterQueue` option. */
    async function failOnce(text = 'Sorry, I cannot.'): Promise<StructuredOutputError> {
      const model = new ScriptedModel({ provider: 'openai', whenEmpty: reply(text) });
      const err = await generateObject({ model, schema: Ticket, schemaName: 'SupportTicket', prompt: 'Order 12345 never arrived', deadLetterQueue: dlq }).catch((e: unknown) => e);
      assert.ok(err instanceof StructuredOutputError);
      return err;
    }

    test('migrations are idempotent', async () => {
      await createDeadLetterQueue({ db: handle.db });
    });

    test('add (via generateObject), get and list', async () => {
      const err = await failOnce('{"customer_email": "nope", "order_id": "12345", "issue_type": "refund_request"}');
      assert.ok(err.deadLetterId?.startsWith('dlq_'));
      const item = await dlq.get(err.deadLetterId!);
      assert.ok(item);
      assert.equal(item.status, 'pending');
      assert.equal(item.schemaName, 'SupportTicket');
      assert.deepEqual(item.input, [{ role: 'user', content: 'Order 12345 never arrived' }]);
      assert.equal(item.attempts.length, 3);
      assert.equal(item.errors.length, 3);
      assert.match(item.errors[0]!, /^attempt 1: customer_email: Invalid email/);
      assert.deepEqual(item.bestPartial, { customer_email: 'nope', order_id: '12345', issue_type: 'refund_request' });
      assert.equal(item.createdAt, t);
      assert.deepEqual((item.schema as { required?: unknown }).required, ['customer_email', 'order_id', 'issue_type']);
      assert.equal(await dlq.get('dlq_missing'), undefined);

      t += 1000;
      const second = await failOnce();
      const pending = await dlq.list({ status: 'pending' });
      assert.deepEqual(pending.map((i) => i.id), [err.deadLetterId, second.deadLetterId], 'oldest first');
      assert.equal((await dlq.get(second.deadLetterId!))?.bestPartial, undefined, 'nothing parsed: no partial');
      assert.equal((await dlq.list({ status: 'pending', limit: 1 })).length, 1);
      assert.equal((await dlq.list({ status: 'resolved' })).length, 0);
    });

    test('resolve: an invalid correction is refused with its issues and changes nothing; a valid one resolves', async () => {
      const [item] = await dlq.list({ status: 'pending', limit: 1 });
      assert.ok(item);
      const err = await dlq.resolve(item.id, { customer_email: 'a@example.com', order_id: '12', issue_type: 'lost' }, 'alice').catch((e: unknown) => e);
      assert.ok(err instanceof DeadLetterCorrectionError);
      assert.equal(err.kind, 'invalid_request');
      assert.equal(err.status, 400);
      assert.deepEqual(err.issues.map((i) => i.path).sort(), ['issue_type', 'order_id']);
      assert.deepEqual(await dlq.get(item.id), item, 'item unchanged');

      t += 500;
      const resolved = await dlq.resolve(item.id, goodTicket, 'alice');
      assert.equal(resolved.status, 'resolved');
      assert.equal(resolved.resolvedBy, 'alice');
      assert.equal(resolved.resolvedAt, t);
      assert.deepEqual(resolved.resolution, goodTicket);
      assert.deepEqual(await dlq.get(item.id), resolved);

      const again = await dlq.resolve(item.id, goodTicket, 'bob').catch((e: unknown) => e);
      assert.ok(again instanceof ConduitError && again.code === 'dlq_already_resolved' && again.status === 409);
      const missing = await dlq.resolve('dlq_missing', goodTicket, 'bob').catch((e: unknown) => e);
      assert.ok(missing instanceof ConduitError && missing.kind === 'not_found');
    });

    test('retry: a failing model appends attempts; a good one resolves the item', async () => {
      const [item] = await dlq.list({ status: 'pending', limit: 1 });
      assert.ok(item);
      const bad = new ScriptedModel({ provider: 'openai', whenEmpty: reply('{"order_id": "12345"}') });
      const err = await dlq.retry(item.id, bad, { maxAttempts: 2 }).catch((e: unknown) => e);
      assert.ok(err instanceof StructuredOutputError);
      const afterFailure = await dlq.get(item.id);
      assert.equal(afterFailure?.status, 'pending');
      assert.equal(afterFailure?.retryCount, 1);
      assert.equal(afterFailure?.attempts.length, item.attempts.length + 2);
      assert.deepEqual(afterFailure?.bestPartial, { order_id: '12345' });

      const good = new ScriptedModel({ provider: 'openai', modelId: 'gpt-x', script: [reply(JSON.stringify(goodTicket))] });
      const resolved = await dlq.retry(item.id, good);
      assert.equal(resolved.status, 'resolved');
      assert.equal(resolved.resolvedBy, 'retry:openai/gpt-x');
      assert.deepEqual(resolved.resolution, goodTicket);
      assert.deepEqual(good.calls[0]!.request.messages, item.input);
    });

    test('stats and alert thresholds (size and age)', async () => {
      const base = await dlq.stats();
      assert.equal(base.pending, 0);
      assert.equal(base.resolved, 2);
      assert.equal(base.oldestPendingAgeMs, 0);
      assert.equal(await dlq.alertsDue(), false);

      const first = t;
      for (let i = 0; i < 3; i++) {
        await failOnce();
        t += 60_000;
      }
      const stats = await dlq.stats();
      assert.equal(stats.pending, 3);
      assert.equal(stats.oldestPendingAgeMs, t - first);
      assert.equal(await dlq.alertsDue(), false, 'exactly maxPending is not more than maxPending');

      await failOnce();
      assert.equal(await dlq.alertsDue(), true);
      assert.deepEqual((await dlq.alerts()).map((a) => [a.severity, a.reason]), [['P2', 'size']]);

      // Age: resolve down to under the size limit, then let the oldest wait past 120 minutes.
      const pending = await dlq.list({ status: 'pending' });
      await dlq.resolve(pending[0]!.id, goodTicket, 'alice');
      await dlq.resolve(pending[1]!.id, goodTicket, 'alice');
      const oldest = pending[2]!.createdAt;
      assert.equal(await dlq.alertsDue(oldest + 120 * 60_000), false, 'exactly 120 minutes is not older than 120 minutes');
      assert.equal(await dlq.alertsDue(oldest + 120 * 60_000 + 1), true);
      assert.deepEqual((await dlq.alerts(oldest + 121 * 60_000)).map((a) => [a.severity, a.reason]), [['P3', 'age']]);
    });
  });
}
