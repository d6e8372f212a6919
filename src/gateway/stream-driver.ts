/**
 * Drives a model stream onto an SSE response, for both the OpenAI and the Anthropic encoders.
 *
 * The response is committed (status line + headers written) only when the first content or
 * finish part arrives: `start` parts are held back, so the `x-conduit-provider` header names the
 * provider that actually serves the stream, and a failure before any content still gets a proper
 * JSON error with the right status — which is what makes failover transparent to the client.
 * After content, a failure becomes an in-band error event and the stream ends without its
 * success terminator. Cost goes out as an HTTP trailer (`Trailer: x-conduit-cost-usd`).
 */
import type { ConduitError } from '../core/errors.js';
import { ConduitError as ConduitErrorClass } from '../core/errors.js';
import type { StreamPart } from '../models/language-model.js';
import type { CommittedStream, RequestContext } from './context.js';
import { appendCommonHeaders, formatUsd } from './context.js';

const hrtime = process.hrtime.bigint;

export type StartPart = Extract<StreamPart, { type: 'start' }>;
export type FinishPart = Extract<StreamPart, { type: 'finish' }>;
export type ContentStreamPart = Exclude<StreamPart, StartPart | FinishPart>;

/** A wire format for one streamed response. Each method returns the bytes to write (possibly ''). */
export interface StreamEncoder extends CommittedStream {
  /** The preamble sent with the headers (OpenAI: the role chunk; Anthropic: message_start). */
  open(start: StartPart | undefined): string;
  part(part: ContentStreamPart): string;
  /** Everything after the last content: finish/usage chunks and the terminator. */
  finish(part: FinishPart, provider: string): string;
  error(err: ConduitError): string;
}

function writeSseHead(ctx: RequestContext): void {
  const headers = [
    'content-type',
    'text/event-stream; charset=utf-8',
    'cache-control',
    'no-cache',
    'x-accel-buffering',
    'no',
    'x-request-id',
    ctx.requestId,
    'x-conduit-provider',
    ctx.provider,
    'x-conduit-overhead-ms',
    ctx.stopOverheadClock(),
    'trailer',
    'x-conduit-cost-usd',
  ];
  appendCommonHeaders(ctx, headers);
  ctx.res.writeHead(200, headers);
}

function onceDrainOrClose(ctx: RequestContext): Promise<void> {
  const res = ctx.res;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.removeListener('drain', done);
      res.removeListener('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

function closeIterator(it: AsyncIterator<StreamPart>): void {
  const ret = it.return;
  if (ret === undefined) return;
  try {
    const p = ret.call(it);
    if (p !== undefined && typeof p.then === 'function') p.then(undefined, ignore);
  } catch {
    // a failing cleanup must not turn a finished response into an error
  }
}

function ignore(): void {}

export async function driveStream(ctx: RequestContext, parts: AsyncIterable<StreamPart>, encoder: StreamEncoder): Promise<void> {
  const res = ctx.res;
  let it: AsyncIterator<StreamPart> | undefined;
  let start: StartPart | undefined;
  let finished = false;
  try {
    it = parts[Symbol.asyncIterator]();
    for (;;) {
      const t0 = hrtime();
      let r: IteratorResult<StreamPart>;
      try {
        r = await it.next();
      } finally {
        ctx.waitNs += hrtime() - t0;
      }
      if (ctx.done) return; // the deadline or a disconnect already ended this request
      if (r.done === true) break;
      const part = r.value;
      if (part.type === 'start') {
        if (ctx.committed === undefined) {
          start = part;
          if (part.provider !== undefined) ctx.provider = part.provider;
        }
        continue;
      }
      let out = '';
      if (ctx.committed === undefined) {
        ctx.costUsd = undefined; // known only once the finish part arrives
        writeSseHead(ctx);
        ctx.committed = encoder;
        out = encoder.open(start);
        if (part.type !== 'finish') ctx.ttftNs = hrtime() - ctx.startNs;
      }
      if (part.type === 'finish') {
        finished = true;
        ctx.usage = part.usage;
        ctx.costUsd = part.costUsd;
        out += encoder.finish(part, ctx.provider);
        ctx.status = 200;
        if (!res.destroyed) {
          res.addTrailers({ 'x-conduit-cost-usd': formatUsd(part.costUsd) });
          res.end(out);
        }
        ctx.finish();
        return;
      }
      if (part.type === 'text-delta' || part.type === 'reasoning-delta') ctx.streamedText += part.delta;
      else if (part.type === 'tool-call-delta') ctx.streamedText += part.argumentsDelta;
      out += encoder.part(part);
      if (out !== '' && !res.write(out) && !res.destroyed) {
        const t1 = hrtime();
        await onceDrainOrClose(ctx);
        ctx.waitNs += hrtime() - t1; // a slow reader is not Conduit's time
        if (ctx.done) return;
      }
    }
    throw new ConduitErrorClass('stream_interrupted', 'The model stream ended without a finish part', { provider: ctx.provider });
  } catch (err) {
    if (ctx.done) return;
    ctx.fail(ctx.failureOf(err));
  } finally {
    if (!finished && it !== undefined) closeIterator(it);
  }
}
