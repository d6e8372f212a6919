/** Picks the grader model for an assertion: its own `model:`, else the suite's grader. */
import type { LanguageModel } from '../../models/language-model.js';
import type { AssertionServices } from './assertion.js';

export function graderFor(services: AssertionServices, name: string | undefined): LanguageModel | undefined {
  if (name !== undefined && services.resolveModel !== undefined) return services.resolveModel(name);
  return services.grader;
}
