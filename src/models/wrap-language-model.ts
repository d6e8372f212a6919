/**
 * The middleware seam: a middleware wraps generate and/or stream of any LanguageModel and returns a
 * LanguageModel, so policies compose in code exactly as the gateway composes them.
 */
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from './language-model.js';

export interface LanguageModelMiddleware {
  /** Short name used in logs and error messages. */
  name: string;
  /** Rewrites the request before it reaches the wrapped model (and its other middleware). */
  transformRequest?(request: ModelRequest, options: CallOptions, model: LanguageModel): ModelRequest | Promise<ModelRequest>;
  wrapGenerate?(args: {
    doGenerate: (request: ModelRequest, options: CallOptions) => Promise<GenerateResult>;
    request: ModelRequest;
    options: CallOptions;
    model: LanguageModel;
  }): Promise<GenerateResult>;
  wrapStream?(args: {
    doStream: (request: ModelRequest, options: CallOptions) => AsyncIterable<StreamPart>;
    request: ModelRequest;
    options: CallOptions;
    model: LanguageModel;
  }): AsyncIterable<StreamPart>;
}

/** Applies middleware so that the first in the list is the outermost. */
export function wrapLanguageModel(model: LanguageModel, middleware: LanguageModelMiddleware | LanguageModelMiddleware[]): LanguageModel {
  const list = Array.isArray(middleware) ? middleware : [middleware];
  return list.reduceRight<LanguageModel>((inner, mw) => wrapOne(inner, mw), model);
}

function wrapOne(inner: LanguageModel, mw: LanguageModelMiddleware): LanguageModel {
  const doGenerate = (request: ModelRequest, options: CallOptions) => inner.generate(request, options);
  const doStream = (request: ModelRequest, options: CallOptions) => inner.stream(request, options);
  return {
    provider: inner.provider,
    modelId: inner.modelId,
    capabilities: inner.capabilities,
    async generate(request, options = {}) {
      const req = mw.transformRequest ? await mw.transformRequest(request, options, inner) : request;
      return mw.wrapGenerate ? mw.wrapGenerate({ doGenerate, request: req, options, model: inner }) : doGenerate(req, options);
    },
    stream(request, options = {}) {
      if (!mw.transformRequest) {
        return mw.wrapStream ? mw.wrapStream({ doStream, request, options, model: inner }) : doStream(request, options);
      }
      const transform = mw.transformRequest.bind(mw);
      return (async function* () {
        const req = await transform(request, options, inner);
        yield* mw.wrapStream ? mw.wrapStream({ doStream, request: req, options, model: inner }) : doStream(req, options);
      })();
    },
  };
}
