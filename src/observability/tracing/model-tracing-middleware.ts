/**
 * Model-call spans through the middleware seam: each generate/stream call becomes a `chat <model>`
 * client span with the GenAI attributes (provider, models, tokens, finish reasons, cost), a child
 * of the gateway request that made it (found by request id), else of the active span, else of the
 * `traceparent` already in the call's headers. The call goes on with a `traceparent` header naming
 * this span, which the provider HTTP path sends upstream.
 *
 * Reliability layers inside the model (router, fallback, retry) report attempts through
 * `onAttempt`; each becomes an `attempt` event on the span.
 */
import type { AttemptEvent, CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../../models/language-model.js';
import type { LanguageModelMiddleware } from '../../models/wrap-language-model.js';
import type { Usage } from '../../core/usage.js';
import { ConduitAttr, GenAI } from './genai-attributes.js';
import type { Span } from './span.js';
import { nowMs } from './span.js';
import { formatTraceparent } from './traceparent.js';
import type { SpanParent, Tracer } from './tracer.js';

export interface ModelTracingOptions {
  /** Record prompt and completion text for calls with no gateway request (library use). Default false. */
  captureContent?: boolean;
}

export function createTracingMiddleware(tracer: Tracer, options: ModelTracingOptions = {}): LanguageModelMiddleware {
  const start = (request: ModelRequest, callOptions: CallOptions, model: LanguageModel): { span: Span; options: CallOptions; capture: boolean } => {
    const requestTrace = tracer.requestTrace(callOptions.requestId);
    let parent: SpanParent | undefined = requestTrace?.span;
    if (parent === undefined && tracer.activeSpan() === undefined) parent = callOptions.headers?.traceparent;
    const span = tracer.startSpan(`chat ${model.modelId}`, {
      kind: 'client',
      ...(parent === undefined ? {} : { parent }),
      attributes: {
        [GenAI.operationName]: 'chat',
        [GenAI.system]: model.provider,
        [GenAI.providerName]: model.provider,
        [GenAI.requestModel]: model.modelId,
      },
    });
    span.setAttributes({
      [GenAI.requestTemperature]: request.temperature,
      [GenAI.requestMaxTokens]: request.maxTokens,
      [GenAI.requestTopP]: request.topP,
      [ConduitAttr.requestId]: callOptions.requestId,
    });
    const capture = requestTrace !== undefined ? requestTrace.captureContent() : options.captureContent === true;
    if (capture) span.setAttribute(GenAI.inputMessages, JSON.stringify(request.messages));
    const outer = callOptions.onAttempt;
    const traced: CallOptions = {
      ...callOptions,
      headers: { ...callOptions.headers, traceparent: formatTraceparent(span.context) },
      onAttempt: (event: AttemptEvent) => {
        span.addEvent('attempt', {
          'conduit.attempt.layer': event.layer,
          'conduit.attempt.target': event.target,
          'conduit.attempt.provider': event.provider,
          'conduit.attempt.number': event.attempt,
          'conduit.attempt.outcome': event.outcome,
          'conduit.attempt.duration_ms': event.durationMs,
          ...(event.error === undefined ? {} : { 'error.type': event.error.kind }),
        });
        outer?.(event);
      },
    };
    return { span, options: traced, capture };
  };

  return {
    name: 'tracing',
    async wrapGenerate({ doGenerate, request, options: callOptions, model }) {
      const { span, options: traced, capture } = start(request, callOptions, model);
      try {
        const result = await doGenerate(request, traced);
        recordResult(span, result, capture);
        span.setStatus('ok');
        return result;
      } catch (err) {
        span.recordError(err);
        throw err;
      } finally {
        span.end();
      }
    },
    async *wrapStream({ doStream, request, options: callOptions, model }) {
      const { span, options: traced, capture } = start(request, callOptions, model);
      const t0 = nowMs();
      let first = true;
      let text = '';
      let finished = false;
      try {
        for await (const part of doStream(request, traced)) {
          if (first && isContent(part)) {
            first = false;
            span.setAttribute(ConduitAttr.timeToFirstTokenMs, nowMs() - t0);
          }
          if (part.type === 'start') span.setAttributes({ [GenAI.responseModel]: part.model, [GenAI.responseId]: part.id, [GenAI.providerName]: part.provider });
          else if (part.type === 'text-delta' && capture) text += part.delta;
          else if (part.type === 'finish') {
            finished = true;
            recordUsage(span, part.usage);
            span.setAttributes({ [GenAI.responseFinishReasons]: [part.finishReason], [ConduitAttr.costUsd]: part.costUsd, [ConduitAttr.cache]: part.cache?.outcome });
            if (capture) span.setAttribute(GenAI.outputMessages, JSON.stringify([{ role: 'assistant', content: text, toolCalls: part.toolCalls }]));
            // End now: a consumer may stop pulling after the finish part without closing the iterator.
            span.setStatus('ok');
            span.end();
          }
          yield part;
        }
      } catch (err) {
        // Errors after the finish part belong to the consumer, not to the model call.
        if (!finished) span.recordError(err);
        throw err;
      } finally {
        // The consumer stopping early (client gone) is not a model failure; say so and end the span.
        if (!finished && !span.isEnded) span.setAttribute('conduit.stream.cancelled', true);
        // Ending an ended span does nothing.
        span.end();
      }
    },
  };
}

function isContent(part: StreamPart): boolean {
  return part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-start';
}

function recordResult(span: Span, result: GenerateResult, capture: boolean): void {
  recordUsage(span, result.usage);
  span.setAttributes({
    [GenAI.responseModel]: result.model,
    [GenAI.responseId]: result.id,
    [GenAI.providerName]: result.provider,
    [GenAI.responseFinishReasons]: [result.finishReason],
    [ConduitAttr.costUsd]: result.costUsd,
    [ConduitAttr.cache]: result.cache?.outcome,
  });
  if (capture) span.setAttribute(GenAI.outputMessages, JSON.stringify([{ role: 'assistant', content: result.text, toolCalls: result.toolCalls }]));
}

function recordUsage(span: Span, usage: Usage): void {
  span.setAttributes({
    [GenAI.usageInputTokens]: usage.inputTokens,
    [GenAI.usageOutputTokens]: usage.outputTokens,
    [ConduitAttr.cachedInputTokens]: usage.cachedInputTokens || undefined,
    [ConduitAttr.reasoningTokens]: usage.reasoningTokens || undefined,
  });
}
