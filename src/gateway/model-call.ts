/**
 * The steps every model route shares between "request validated" and "model called": resolve the
 * model (404 for unknown names, before anything is spent), label the request, and build the
 * CallOptions carrying the abort signal, the deadline and the request id.
 */
import type { CacheCallOptions, CallOptions, EmbeddingModel, LanguageModel, RetryBudget } from '../models/language-model.js';
import { ABORT_SOURCE, WITH_RETRY_BUDGET, type AbortSource } from '../reliability/abort-source.js';
import type { RequestContext } from './context.js';
import { formatRouteReason, parseRoutingHeaders } from '../reliability/routing/routing-headers.js';
import type { RoutingHints } from '../reliability/routing/route-decision.js';

export function prepareModelCall(ctx: RequestContext, name: string, stream: boolean): LanguageModel {
  const model = ctx.gw.resolver.resolve(name);
  ctx.model = name;
  ctx.stream = stream;
  return model;
}

export function prepareEmbeddingCall(ctx: RequestContext, name: string): EmbeddingModel {
  const model = ctx.gw.resolver.resolveEmbedding(name);
  ctx.model = name;
  return model;
}

/**
 * CallOptions whose `signal` is an own, enumerable accessor: reading it (directly, or by spreading
 * the options into a new object, as middleware does) creates the request's AbortSignal on demand.
 */
class GatewayCallOptions implements CallOptions {
  readonly #ctx: RequestContext;
  readonly requestId: string;
  readonly deadlineAt: number | undefined;
  declare readonly signal: AbortSignal;
  /** Set by the policy when a response cache is on (declared only: the bare path never allocates it). */
  declare cache?: CacheCallOptions;
  /**
   * Request-aware routing (cost / complexity / data-sensitivity aliases): the `x-conduit-min-quality`,
   * `x-conduit-max-cost-usd` and `x-conduit-task-type` headers, and the hook that reports the
   * decision as `x-conduit-route-reason`. Aliases with other strategies never read it.
   */
  readonly routing: RoutingHints;

  declare retryBudget?: RetryBudget;

  constructor(ctx: RequestContext, deadlineAt: number | undefined, copyOf?: GatewayCallOptions) {
    this.#ctx = ctx;
    this.requestId = ctx.requestId;
    this.deadlineAt = deadlineAt;
    Object.defineProperty(this, 'signal', SIGNAL_PROPERTY);
    if (copyOf !== undefined) {
      this.routing = copyOf.routing;
      // Whatever else was set on the options (the policy's `cache`…), as a spread would copy it.
      const self = this as unknown as Record<string, unknown>;
      const source = copyOf as unknown as Record<string, unknown>;
      for (const key of Object.keys(copyOf)) if (key !== 'signal') self[key] = source[key];
      return;
    }
    const routing = parseRoutingHeaders(ctx.req.headers);
    routing.onRoute = (decision) => {
      ctx.routeReason = formatRouteReason(decision);
    };
    this.routing = routing;
  }

  /** Not an own property: spread copies do not carry it, and read their `signal` instead (see abort-source.ts). */
  get [ABORT_SOURCE](): AbortSource {
    return this.#ctx;
  }

  /** `{ ...this, retryBudget }` without reading (so creating) the signal. */
  [WITH_RETRY_BUDGET](budget: RetryBudget): CallOptions & { retryBudget: RetryBudget } {
    const copy = new GatewayCallOptions(this.#ctx, this.deadlineAt, this);
    copy.retryBudget = budget;
    return copy as GatewayCallOptions & { retryBudget: RetryBudget };
  }

  static signalOf(options: GatewayCallOptions): AbortSignal {
    return options.#ctx.signal();
  }
}

const SIGNAL_PROPERTY: PropertyDescriptor = {
  get(this: GatewayCallOptions): AbortSignal {
    return GatewayCallOptions.signalOf(this);
  },
  enumerable: true,
  configurable: true,
};

/** Arms the deadline timer and disconnect hook; call immediately before calling the model. */
export function callOptionsFor(ctx: RequestContext, headerDeadlineMs: number | undefined): CallOptions {
  const ms = ctx.effectiveDeadlineMs(headerDeadlineMs);
  ctx.armCancellation(ms);
  return new GatewayCallOptions(ctx, ms === undefined ? undefined : Date.now() + ms);
}

const hrtimeNs = process.hrtime.bigint;

/**
 * Awaits the model (or embedding) call, counting the wait as upstream time rather than Conduit's
 * overhead. On failure it answers the request with the error and resolves to undefined; it also
 * resolves to undefined when the request already ended (deadline, client gone) while waiting.
 */
export async function awaitUpstream<T>(ctx: RequestContext, call: () => Promise<T>): Promise<T | undefined> {
  const t0 = hrtimeNs();
  let result: T;
  try {
    result = await call();
  } catch (err) {
    ctx.waitNs += hrtimeNs() - t0;
    ctx.fail(ctx.failureOf(err));
    return undefined;
  }
  ctx.waitNs += hrtimeNs() - t0;
  return ctx.done ? undefined : result;
}
