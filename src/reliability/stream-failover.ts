/**
 * Streaming-aware failover, the core shared by retry, router and fallback chains.
 *
 * A stream is "committed" once its first content part (text, reasoning or tool call — see
 * `isContentPart`) has been passed to the caller. Before that, any failure — a connect error, an
 * error status, a stall past the first-chunk/idle timeout, an end without `finish` — is invisible:
 * the attempt is abandoned and the plan's next target is streamed instead, so the caller sees one
 * clean stream. Non-content parts (`start`) are held back until commit and dropped with a failed
 * attempt. After commit a failure cannot be hidden, so the stream ends with a thrown
 * StreamInterruptedError that says who served it and how much was delivered — never a silent end.
 *
 * Stall detection does not rely on the model's cooperation: every `next()` is raced against a timer
 * and the attempt's abort signal, and an abandoned iterator is aborted and `return()`ed without
 * awaiting it (a stuck async generator would never settle that promise).
 */
import { ConduitError } from '../core/errors.js';
import { contentText } from '../core/messages.js';
import { emptyUsage } from '../core/usage.js';
import { isContentPart, type CallOptions, type ModelRequest, type StreamPart } from '../models/language-model.js';
import { abortReasonOf, isAborted } from './abort-source.js';
import { abortReasonToError, deadlineExceededError, openAttemptScope, remainingMs, type AttemptScope } from './attempt-scope.js';
import { reportAttempt, type AttemptPlan, type AttemptTarget } from './attempt-plan.js';
import { normaliseError } from './error-policy.js';
import { isPromiseLike, pickTargetNow } from './generate-failover.js';
import { StreamInterruptedError, type StreamProgress } from './stream-interrupted-error.js';

export interface StreamFailoverOptions {
  /**
   * Longest wait from an attempt's start to its first content part; past it the attempt is
   * abandoned and the next target tried. The plan's attempt timeout applies too (the shorter wins).
   */
  firstChunkTimeoutMs?: number;
  /** Longest gap between two parts. Before commit a stall fails over; after commit it interrupts the stream. */
  idleTimeoutMs?: number;
  /** Counts tokens for the partial usage of an interrupted stream; default: an estimate of 4 chars/token. */
  countTokens?: (text: string) => number;
}

export function streamWithFailover(request: ModelRequest, options: CallOptions, plan: AttemptPlan, streamOptions: StreamFailoverOptions = {}): AsyncIterable<StreamPart> {
  return run(request, options, plan, streamOptions);
}

async function* run(request: ModelRequest, options: CallOptions, plan: AttemptPlan, streamOptions: StreamFailoverOptions): AsyncGenerator<StreamPart> {
  const clock = plan.clock;
  const preCommitLimitMs = minDefined(streamOptions.firstChunkTimeoutMs, plan.attemptTimeoutMs ?? options.attemptTimeoutMs);
  const idleTimeoutMs = streamOptions.idleTimeoutMs;
  let lastError: ConduitError | undefined;

  for (let attempt = 0; ; attempt++) {
    // Through the abort source when the options have one: reading `signal` would create it.
    if (isAborted(options)) throw abortReasonToError(abortReasonOf(options));
    if (remainingMs(options, clock.now()) <= 0) throw deadlineExceededError(lastError);
    // Synchronous plans (no backoff to wait for) answer without an await: one tick less before the upstream call.
    const picked = pickTargetNow(plan, attempt, lastError, options);
    const target = isPromiseLike(picked) ? await picked : picked;
    if (!target) throw lastError ?? new ConduitError('provider_unavailable', `${plan.layer}: nothing to try`);

    // The attempt's own timeout is enforced by the first-chunk timer below, not by the scope:
    // once committed, a stream may legitimately outlive it.
    const scope = openAttemptScope(options, { clock });
    if (preCommitLimitMs !== undefined) scope.limitFirstContent(preCommitLimitMs, () => stallError(preCommitLimitMs, false));
    const startedAt = clock.now();
    const held: StreamPart[] = [];
    const progress = newProgress();
    const delivered: string[] = [];
    let iterator: AsyncIterator<StreamPart> | undefined;
    let iteratorDone = false;
    let committed = false;
    let sawFinish = false;
    let timeToFirstContentMs: number | undefined;
    let reported = false;
    const report = (status: 'success' | 'failure' | 'cancelled', error?: ConduitError) => {
      if (reported) return;
      reported = true;
      const outcome = { status, durationMs: clock.now() - startedAt, ...(error ? { error } : {}), ...(timeToFirstContentMs !== undefined ? { timeToFirstContentMs } : {}) };
      reportAttempt(plan, options, target, attempt, outcome);
    };

    try {
      iterator = target.model.stream(request, scope.callOptions())[Symbol.asyncIterator]();
      for (;;) {
        // Each step is limited by the idle timeout; before commit, the first-content limit (armed
        // above, once per attempt) applies too.
        const step = await nextWithin(iterator, scope, idleTimeoutMs, committed);
        if (step.done) {
          iteratorDone = true;
          break;
        }
        const part = step.value;
        if (sawFinish) continue; // anything after `finish` is noise; the response is complete
        if (!committed) {
          if (isContentPart(part)) {
            committed = true;
            scope.clearFirstContentLimit();
            timeToFirstContentMs = clock.now() - startedAt;
            for (const h of held) yield h;
            held.length = 0;
          } else if (part.type === 'finish') {
            // A complete response with no content (e.g. an empty reply): nothing can fail any more.
            committed = true;
            scope.clearFirstContentLimit();
            for (const h of held) yield h;
            held.length = 0;
          } else {
            held.push(part.type === 'start' && part.provider === undefined ? { ...part, provider: target.model.provider } : part);
            continue;
          }
        }
        if (part.type === 'finish') sawFinish = true;
        else track(part, progress, delivered);
        yield part;
      }
      if (!sawFinish) {
        throw new ConduitError('provider_error', 'The stream ended without a finish part', {
          provider: target.model.provider,
          model: target.model.modelId,
          code: 'missing_finish',
          retryable: true,
        });
      }
      report('success');
      return;
    } catch (thrown) {
      const error = normaliseError(thrown);
      if (!iteratorDone) abandon(iterator, scope, error);
      if (sawFinish) {
        // The response was complete before the error (e.g. a stall while closing): it stands.
        report('success');
        return;
      }
      if (committed) {
        const interrupted = error instanceof StreamInterruptedError ? error : interruptedError(error, target, progress, delivered, request, streamOptions);
        report(error.kind === 'cancelled' ? 'cancelled' : 'failure', interrupted);
        throw interrupted;
      }
      report(error.kind === 'cancelled' ? 'cancelled' : 'failure', error);
      if (isAborted(options) || error.code === 'deadline_exceeded') throw error;
      lastError = error;
    } finally {
      // Reached without a report only when the caller stopped consuming (return()) mid-stream.
      if (!reported) {
        if (!iteratorDone) abandon(iterator, scope, new ConduitError('cancelled', 'The caller stopped reading the stream'));
        report('cancelled');
      }
      scope.dispose();
    }
  }
}

/** `next()` raced against the idle/first-chunk timer and the attempt's abort (one promise and one timer per step). */
function nextWithin(iterator: AsyncIterator<StreamPart>, scope: AttemptScope, limitMs: number | undefined, committed: boolean): Promise<IteratorResult<StreamPart>> {
  let next: Promise<IteratorResult<StreamPart>>;
  try {
    next = iterator.next();
  } catch (err) {
    next = Promise.reject(err);
  }
  if (limitMs === undefined) return scope.race(next);
  return scope.race(next, limitMs, () => stallError(limitMs, committed));
}

function stallError(limitMs: number, committed: boolean): ConduitError {
  return committed
    ? new ConduitError('timeout', `The stream stalled: no data for ${Math.round(limitMs)} ms`, { code: 'stream_stall' })
    : new ConduitError('timeout', `No content within ${Math.round(limitMs)} ms of the stream's start`, { code: 'first_chunk_timeout' });
}

/** Stops an attempt we no longer read: abort its signal (a cooperative model stops its I/O) and return() it without waiting. */
function abandon(iterator: AsyncIterator<StreamPart> | undefined, scope: AttemptScope, reason: ConduitError): void {
  scope.abort(reason);
  if (!iterator?.return) return;
  try {
    void Promise.resolve(iterator.return()).catch(() => undefined);
  } catch {
    // a broken return() must not mask the real failure
  }
}

function newProgress(): StreamProgress {
  return { contentParts: 0, textChars: 0, reasoningChars: 0, toolArgumentChars: 0 };
}

function track(part: StreamPart, progress: StreamProgress, delivered: string[]): void {
  switch (part.type) {
    case 'text-delta':
      progress.contentParts++;
      progress.textChars += part.delta.length;
      delivered.push(part.delta);
      break;
    case 'reasoning-delta':
      progress.contentParts++;
      progress.reasoningChars += part.delta.length;
      delivered.push(part.delta);
      break;
    case 'tool-call-start':
      progress.contentParts++;
      delivered.push(part.name);
      break;
    case 'tool-call-delta':
      progress.contentParts++;
      progress.toolArgumentChars += part.argumentsDelta.length;
      delivered.push(part.argumentsDelta);
      break;
    default:
      break;
  }
}

function interruptedError(
  cause: ConduitError,
  target: AttemptTarget,
  progress: StreamProgress,
  delivered: string[],
  request: ModelRequest,
  streamOptions: StreamFailoverOptions,
): StreamInterruptedError {
  const count = streamOptions.countTokens ?? estimateTokens;
  const promptText = request.messages.map((m) => (m.role === 'assistant' ? contentText(m.content) + (m.toolCalls ?? []).map((c) => c.arguments).join('') : contentText(m.content))).join('\n');
  const partialUsage = emptyUsage();
  partialUsage.outputTokens = count(delivered.join(''));
  partialUsage.inputTokens = count(promptText);
  return new StreamInterruptedError(`The stream from ${target.id} was interrupted after content was sent: ${cause.message}`, {
    cause,
    servedBy: target.id,
    provider: target.model.provider,
    model: target.model.modelId,
    progress: { ...progress },
    partialUsage,
    usageEstimated: streamOptions.countTokens === undefined,
  });
}

/** ≈4 characters per token: the usual rule of thumb for English BPE vocabularies. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
