import type { LanguageModel } from '../../models/language-model.js';
import { OFFLINE_PROVIDER } from '../../models/providers/offline/offline-model.js';

/**
 * True when a model can generate: transformations that need one (rephrasing, HyDE, decomposition,
 * rewriting) fall back to their model-free behaviour otherwise, instead of failing the query.
 */
export function canGenerate(model: LanguageModel | undefined): model is LanguageModel {
  return model !== undefined && model.provider !== OFFLINE_PROVIDER;
}
