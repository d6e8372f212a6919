/**
 * A ModelResolver whose language models carry the tracing middleware. Wrapped models are cached
 * per resolved model object, so a request costs a WeakMap lookup, not a new wrapper.
 */
import type { LanguageModel, ModelResolver } from '../../models/language-model.js';
import { wrapLanguageModel } from '../../models/wrap-language-model.js';
import { createTracingMiddleware } from './model-tracing-middleware.js';
import type { ModelTracingOptions } from './model-tracing-middleware.js';
import type { Tracer } from './tracer.js';

export function tracedResolver(inner: ModelResolver, tracer: Tracer, options: ModelTracingOptions = {}): ModelResolver {
  const middleware = createTracingMiddleware(tracer, options);
  const wrapped = new WeakMap<LanguageModel, LanguageModel>();
  const resolver: ModelResolver = {
    resolve(name) {
      const model = inner.resolve(name);
      let traced = wrapped.get(model);
      if (traced === undefined) {
        traced = wrapLanguageModel(model, middleware);
        wrapped.set(model, traced);
      }
      return traced;
    },
    resolveEmbedding: (name) => inner.resolveEmbedding(name),
    list: () => inner.list(),
    defaultModelName: () => inner.defaultModelName(),
  };
  if (inner.listReachable !== undefined) {
    const listReachable = inner.listReachable.bind(inner);
    resolver.listReachable = () => listReachable();
  }
  return resolver;
}
