/**
 * Complexity-based routing: rules first (complexity-rules.ts), then an optional small classifier
 * model for what the rules leave undecided, then the large tier. A `simple` request goes to the
 * simple tier and may escalate to the complex tier if every simple deployment fails; a `complex`
 * request never drops to the simple tier (a worse answer is not a fallback the caller asked for).
 *
 * The classifier is src/reasoning's `Classifier` (a function or `modelClassifier` over a cheap
 * model) asked for SIMPLE or COMPLEX; a failing or unsure classifier falls through to the large tier.
 */
import { ConduitError } from '../../core/errors.js';
import type { CallOptions, LanguageModel } from '../../models/language-model.js';
import { modelClassifier, type Classifier } from '../../reasoning/cascade.js';
import { applyComplexityRules, type ComplexityLabel, type ComplexityRuleOptions, type RuleVerdict } from './complexity-rules.js';
import { DEFAULT_REASONING_KEYWORDS, requestSignals } from './request-signals.js';
import type { RouteContext, RouteDecision, RoutingPolicy } from './route-decision.js';

export interface ComplexityRoutingOptions {
  /** Deployment tier per label (defaults `simple → small`, `complex → large`). */
  tiers?: Partial<Record<ComplexityLabel, string>>;
  rules?: ComplexityRuleOptions;
  /** Replaces the built-in reasoning keywords (prove, step by step, derive…). */
  keywords?: readonly string[];
  /** Consulted only when the rules are undecided. */
  classifier?: Classifier;
  /** Below this classifier confidence the label is ignored and the large tier serves (default 0.5). */
  minClassifierConfidence?: number;
  /** The classifier sees at most this much of the last user message (default 2000 chars): it must stay cheap. */
  classifierMaxChars?: number;
}

export const DEFAULT_COMPLEXITY_TIERS: Readonly<Record<ComplexityLabel, string>> = { simple: 'small', complex: 'large' };

/** A classifier over a small model: it is asked to label the request SIMPLE or COMPLEX. */
export function complexityClassifier(model: LanguageModel): Classifier {
  return modelClassifier({ model, intents: ['SIMPLE', 'COMPLEX'], fallbackIntent: 'UNKNOWN', modelRequest: { temperature: 0, maxTokens: 20 } });
}

export function complexityRouting(options: ComplexityRoutingOptions = {}): RoutingPolicy {
  const tiers = { ...DEFAULT_COMPLEXITY_TIERS, ...options.tiers };
  const keywords = options.keywords ?? DEFAULT_REASONING_KEYWORDS;
  const minConfidence = options.minClassifierConfidence ?? 0.5;
  const maxChars = options.classifierMaxChars ?? 2000;

  const classify = async (text: string, callOptions: CallOptions): Promise<{ label: ComplexityLabel; reason: string; confidence?: number }> => {
    const classifier = options.classifier;
    if (!classifier) return { label: 'complex', reason: 'complexity:default-large' };
    try {
      // Only what cancels the caller's request applies: the classifier is not an attempt of this alias.
      const own: CallOptions = {};
      if (callOptions.signal) own.signal = callOptions.signal;
      if (callOptions.deadlineAt !== undefined) own.deadlineAt = callOptions.deadlineAt;
      if (callOptions.requestId !== undefined) own.requestId = callOptions.requestId;
      const c = await classifier(text.slice(0, maxChars), own);
      const intent = c.intent.toLowerCase();
      if ((intent === 'simple' || intent === 'complex') && c.confidence >= minConfidence) {
        return { label: intent, reason: 'complexity:classifier', confidence: c.confidence };
      }
      return { label: 'complex', reason: 'complexity:classifier-unsure', confidence: c.confidence };
    } catch (error) {
      if (error instanceof ConduitError && error.kind === 'cancelled') throw error;
      return { label: 'complex', reason: 'complexity:classifier-failed' };
    }
  };

  return {
    name: 'complexity',
    validate(alias, deployments) {
      for (const label of ['simple', 'complex'] as const) {
        if (!deployments.some((d) => d.tier === tiers[label])) {
          throw new TypeError(`complexity routing for "${alias}": no deployment has tier "${tiers[label]}" (the ${label} tier); set \`tier\` on the deployments`);
        }
      }
    },
    async decide(context: RouteContext): Promise<RouteDecision> {
      const signals = requestSignals(context.request, keywords);
      const verdict: RuleVerdict | undefined = applyComplexityRules(signals, options.rules);
      const decided = verdict
        ? { label: verdict.label, reason: `complexity:rule:${verdict.rule}`, rule: verdict }
        : await classify(signals.lastUserText, context.options);
      const tierOf = (label: ComplexityLabel) => context.candidates.filter((c) => c.tier === tiers[label]).map((c) => c.id);
      const groups = decided.label === 'simple' ? [tierOf('simple'), tierOf('complex')] : [tierOf('complex')];
      const detail: Record<string, unknown> = { label: decided.label, tier: tiers[decided.label] };
      if ('confidence' in decided && decided.confidence !== undefined) detail.confidence = decided.confidence;
      if (verdict?.match !== undefined) detail.keyword = verdict.match;
      return { alias: context.alias, policy: 'complexity', reason: decided.reason, groups: groups.filter((g) => g.length > 0), detail };
    },
  };
}
