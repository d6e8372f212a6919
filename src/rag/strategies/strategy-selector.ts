/**
 * Adaptive strategy selection: rules give each query type a default strategy, and the feedback log
 * overrides the rule once it has evidence — a strategy with at least `minSamples` (default 3) scores
 * for this query type whose mean beats the rule's strategy by more than `margin` (default 0.05) is
 * chosen instead. The rule's strategy with too few samples counts as unknown, so one good score
 * elsewhere cannot displace it, but three consistently better ones do. Deterministic: no exploration;
 * evaluation runs (conduit rag eval) supply the comparisons.
 *
 * Rules (after the guides' AdaptiveRAG, adjusted for what Conduit has):
 * - follow-up → the question is rewritten first, then selected for again;
 * - multi-part (several questions, comparisons) → decompose;
 * - technical identifiers → hybrid with the keyword side weighted up (BM25 is exact on identifiers);
 * - conceptual (why/explain/overview) → hierarchical (summary → section → chunk);
 * - anything else → hybrid.
 */
import type { FeedbackLog } from './feedback-log.js';
import type { QueryFeatures, QueryType } from './query-features.js';

export type SelectableStrategy = 'vector' | 'keyword' | 'hybrid' | 'mmr' | 'rerank' | 'multi-query' | 'hyde' | 'decompose' | 'hierarchical' | 'corrective' | 'self-reflective';

export const RULE_STRATEGY: Readonly<Record<QueryType, SelectableStrategy>> = {
  'follow-up': 'hybrid',
  'multi-part': 'decompose',
  identifier: 'hybrid',
  conceptual: 'hierarchical',
  factual: 'hybrid',
};

/** Keyword-heavy hybrid weights used for identifier queries. */
export const IDENTIFIER_HYBRID_WEIGHTS: Readonly<Record<string, number>> = { keyword: 1, vector: 0.25 };

export interface StrategySelection {
  strategy: SelectableStrategy;
  queryType: QueryType;
  /** `rule` or `feedback`. */
  source: 'rule' | 'feedback';
  reason: string;
  /** Hybrid weights to use (identifier queries). */
  hybridWeights?: Readonly<Record<string, number>>;
}

export interface SelectorOptions {
  feedback?: FeedbackLog;
  minSamples?: number;
  margin?: number;
  /** Strategies the selector may choose (e.g. without a model, those that need none). */
  allowed?: readonly SelectableStrategy[];
}

export async function selectStrategy(features: QueryFeatures, options: SelectorOptions = {}): Promise<StrategySelection> {
  const minSamples = options.minSamples ?? 3;
  const margin = options.margin ?? 0.05;
  const allowed = options.allowed;
  const ruled = RULE_STRATEGY[features.queryType];
  const rule: SelectableStrategy = allowed && !allowed.includes(ruled) ? 'hybrid' : ruled;
  const base: StrategySelection = {
    strategy: rule,
    queryType: features.queryType,
    source: 'rule',
    reason: ruleReason(features),
    ...(features.queryType === 'identifier' && rule === 'hybrid' ? { hybridWeights: IDENTIFIER_HYBRID_WEIGHTS } : {}),
  };
  if (!options.feedback) return base;
  const performance = await options.feedback.performance(features.queryType);
  const ruleStats = performance.find((p) => p.strategy === rule && p.count >= minSamples);
  const best = performance
    .filter((p) => p.count >= minSamples && isSelectable(p.strategy) && (!allowed || allowed.includes(p.strategy)))
    .sort((a, b) => b.meanScore - a.meanScore || b.count - a.count)[0];
  if (!best || best.strategy === rule || !isSelectable(best.strategy)) return base;
  if (ruleStats && best.meanScore <= ruleStats.meanScore + margin) return base;
  return {
    strategy: best.strategy,
    queryType: features.queryType,
    source: 'feedback',
    reason: `feedback: ${best.strategy} averaged ${best.meanScore.toFixed(2)} over ${best.count} ${features.queryType} queries${ruleStats ? ` vs ${ruleStats.meanScore.toFixed(2)} for ${rule}` : ` (${rule} has fewer than ${minSamples} scores)`}`,
  };
}

const SELECTABLE: ReadonlySet<string> = new Set<SelectableStrategy>(['vector', 'keyword', 'hybrid', 'mmr', 'rerank', 'multi-query', 'hyde', 'decompose', 'hierarchical', 'corrective', 'self-reflective']);

function isSelectable(name: string): name is SelectableStrategy {
  return SELECTABLE.has(name);
}

function ruleReason(features: QueryFeatures): string {
  switch (features.queryType) {
    case 'follow-up':
      return 'follow-up question: rewritten as a standalone question';
    case 'multi-part':
      return 'several questions or a comparison: decomposed into sub-questions';
    case 'identifier':
      return `technical identifiers (${features.identifiers.slice(0, 3).join(', ')}): keyword-heavy hybrid`;
    case 'conceptual':
      return 'conceptual question: hierarchical retrieval (document, section, chunk)';
    case 'factual':
      return 'factual question: hybrid retrieval';
  }
}
